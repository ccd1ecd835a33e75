import Foundation
import KopilkaCore
import KopilkaStore
@testable import KopilkaWeb
import KopilkaWords
import Testing

/// The console's parts that need no browser: words in both languages for every template, passwords, numbers as
/// people write them, CSV, forms.
@Suite struct ConsolePartsTests {
    @Test func everyTextOfEveryTemplateExistsInBothLanguages() throws {
        #expect(Set(Strings.ru.keys) == Set(Strings.en.keys), "\(Set(Strings.ru.keys).symmetricDifference(Strings.en.keys))")
        var folder = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { folder.deleteLastPathComponent() }
        folder.appendPathComponent("Sources/KopilkaWeb/Templates")
        let pattern = try Regex(#"\{\{t\.([a-zA-Z0-9]+\.?[a-zA-Z0-9_]*)\}\}"#)
        var used = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                let key = String(match.output[1].substring ?? "")
                #expect(Strings.ru[key] != nil, "\(file): t.\(key)")
                used += 1
            }
        }
        #expect(used > 100)
        // Every kind of ledger entry has a name on the customer's card.
        for kind in EntryKind.allCases { #expect(Strings.ru["kind.\(kind.rawValue)"] != nil && Strings.en["kind.\(kind.rawValue)"] != nil) }
        // Every control of the program form has its label (the numbered rows share one).
        for name in WebConsole.fieldNames where !name.contains(/[0-9]|noAccrual|noRedemption/) {
            #expect(Strings.ru["program.\(name)"] != nil && Strings.en["program.\(name)"] != nil, "program.\(name)")
        }
        for method in Payment.Method.allCases { #expect(Strings.ru["payment.\(method.rawValue)"] != nil && Strings.en["payment.\(method.rawValue)"] != nil) }
        // And the templates parse.
        _ = try Pages()
    }

    @Test func passwordsVerifyOnlyThemselves() throws {
        let stored = try Passwords.hash("correct horse battery")
        #expect(stored.params == "scrypt:32768:8:1" && stored.hash.count == 32 && stored.salt.count == 16)
        #expect(Passwords.verify("correct horse battery", against: stored))
        #expect(!Passwords.verify("correct horse batterY", against: stored))
        #expect(!Passwords.verify("", against: stored))
        var tampered = stored
        tampered.params = "scrypt:16384:8:1"
        #expect(!Passwords.verify("correct horse battery", against: tampered))
        // A fresh salt each time: the same password never hashes the same.
        #expect(try Passwords.hash("correct horse battery").hash != stored.hash)
        #expect(Passwords.problem(with: "short") != nil && Passwords.problem(with: "long enough!") == nil)
    }

    @Test func aCardNumberIsABarcodeATillCanRead() throws {
        // The EAN-13 code tables as printed in the standard (GS1), not derived from one another as the encoder does.
        let l = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
        let g = ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"]
        let r = ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"]
        let firstDigit = ["LLLLLL": 0, "LLGLGG": 1, "LLGGLG": 2, "LLGGGL": 3, "LGLLGG": 4, "LGGLLG": 5, "LGGGLL": 6, "LGLGLG": 7, "LGLGGL": 8, "LGGLGL": 9]
        for number in ["4006381333931", "2319923634406", "0000000000000", "9780201379624"] {
            let bits = String(try #require(Barcode.modules(number)).map { $0 ? "1" : "0" })
            #expect(bits.count == 95 && bits.hasPrefix("101") && bits.hasSuffix("101"))
            let chars = Array(bits)
            func chunk(_ start: Int) -> String { String(chars[start..<start + 7]) }
            #expect(String(chars[45..<50]) == "01010")
            var parity = "", digits = ""
            for index in 0..<6 {
                let code = chunk(3 + index * 7)
                if let digit = l.firstIndex(of: code) { parity += "L"; digits += String(digit) }
                if let digit = g.firstIndex(of: code) { parity += "G"; digits += String(digit) }
            }
            for index in 0..<6 { digits += r.firstIndex(of: chunk(50 + index * 7)).map(String.init) ?? "?" }
            #expect(firstDigit[parity].map(String.init).map { $0 + digits } == number, "\(number)")
        }
        #expect(Barcode.modules("123") == nil && Barcode.svg("12345678901a3", label: "x").isEmpty)
        #expect(Barcode.svg("4006381333931", label: "Карта").contains("aria-label=\"Карта\""))
    }

    @Test func guessingAPasswordIsStoppedPerAccount() {
        let throttle = SignInThrottle()
        for _ in 0..<SignInThrottle.limit { #expect(throttle.take("Owner@Shop.test", now: 1_000)) }
        #expect(!throttle.take("OWNER@shop.test", now: 1_000 + SignInThrottle.windowSeconds - 1))
        #expect(throttle.take("other@shop.test", now: 1_000))
        #expect(throttle.take("owner@shop.test", now: 1_000 + SignInThrottle.windowSeconds), "a new window")
        throttle.succeeded("owner@shop.test")
        for _ in 0..<SignInThrottle.limit { #expect(throttle.take("owner@shop.test", now: 5_000), "a sign-in clears the count") }
    }

    /// 30 guesses at once for one email: only the limit's worth are let through to the password check.
    @Test func parallelGuessesAreCheckedOnlyUpToTheLimit() async {
        let throttle = SignInThrottle()
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 { group.addTask { throttle.take("owner@shop.test", now: 1_000) } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == SignInThrottle.limit)
    }

    @Test func numbersAsPeopleWriteThem() throws {
        let ru = Formatting(language: .ru), en = Formatting(language: .en)
        #expect(ru.money(123_456_78) == "123\u{202F}456,78 ₽")
        #expect(ru.money(1_000_00) == "1\u{202F}000 ₽")
        #expect(ru.money(-5) == "−0,05 ₽")
        #expect(en.money(123_456_78) == "₽123,456.78")
        #expect(ru.points(1_50) == "1,5" && ru.points(1_05) == "1,05" && ru.points(2_00) == "2" && en.points(1_234_50) == "1,234.5")
        #expect(ru.percent(5_703) == "57,0 %" && en.percent(125) == "1.3 %")
        #expect(ru.plain(1_234_50) == "1234,5" && en.plain(1_234_50) == "1234.5")
        // Dates as each language writes them, in the merchant's zone (21:30 UTC is the next day in Moscow).
        let moscow = try #require(TimeZone(identifier: "Europe/Moscow"))
        let lateEvening = Instant(1_796_592_600)  // 2026-12-06 21:30 UTC
        let saintNicholas = try #require(LocalDate("2026-12-06")), endOfJanuary = try #require(LocalDate("2026-01-31"))
        #expect(ru.day(saintNicholas) == "06.12.2026" && en.day(saintNicholas) == "6 Dec 2026")
        #expect(ru.time(lateEvening, moscow) == "07.12.2026 00:30" && en.time(lateEvening, moscow) == "7 Dec 2026 00:30")
        #expect(ru.month("2026-08") == "авг 2026" && en.month("2026-08") == "Aug 2026" && ru.month("2026") == "2026")
        #expect(CSV(language: .en).day(endOfJanuary) == "2026-01-31" && CSV(language: .ru).day(endOfJanuary) == "31.01.2026")
        for (text, value) in [("1000", 1_000_00), ("1 250,50", 1_250_50), ("1250.5", 1_250_50), ("0,07", 7), ("7 ₽", 7_00)] as [(String, Int64)] {
            #expect(parseMoney(text) == value, "\(text)")
        }
        for bad in ["", "-5", "1,2,3", "1.234", "abc", "1e5", "٣"] { #expect(parseMoney(bad) == nil, "\(bad)") }
    }

    @Test func whatIsLeftToTheNextLevelIsCountedAsTheLevelsCount() throws {
        let ru = Formatting(language: .ru), en = Formatting(language: .en)
        var levels = TierRules(basis: .purchases, tiers: [
            Tier(name: "Новичок", threshold: 0, accrualRateBp: 300), Tier(name: "Свой", threshold: 5, accrualRateBp: 500),
        ])
        let standing = try #require(TierStanding(rules: levels, qualifying: 3))
        func toNext(_ f: Formatting, _ basis: TierRules.Basis, _ categories: [String] = []) -> String? {
            levels.basis = basis
            levels.itemCategories = categories
            return f.tier(standing, levels: levels)["toNext"] as? String
        }
        #expect(toNext(ru, .purchases) == "2 покупки")
        #expect(toNext(en, .purchases) == "2 purchases")
        #expect(toNext(ru, .items, ["coffee"]) == "2 шт. (coffee)")
        #expect(toNext(ru, .spend) == "0,02 ₽")
        #expect(toNext(ru, .spend, ["paint", "varnish"]) == "0,02 ₽ (paint, varnish)", "levels by a product group say which")
        #expect([1, 3, 5, 11, 21, 112].map { Formatting.russianCount($0, "покупка", "покупки", "покупок") }
            == ["покупка", "покупки", "покупок", "покупок", "покупка", "покупок"])
    }

    @Test func theExpiryReminderCountsPointsAsRussianDoes() {
        // Lots burning on several days: the range, in the merchant's zone (21:30 UTC is the next day in Moscow).
        let reminder = ExpiryReminder(
            merchantId: 1, customerId: 1, phone: "+79120000001", merchantName: "Пекарня", timeZone: "Europe/Moscow", points: 1_021_00,
            firstExpiresAt: 1_769_808_600, lastExpiresAt: 1_770_336_000)  // 2026-01-30 21:30 UTC, 2026-02-06 00:00 UTC
        #expect(CustomerMessages.expiryReminder(reminder) == "Пекарня: с 31.01 по 06.02 сгорает 1\u{202F}021 балл. Успейте их потратить.")
    }

    @Test func csvQuotesWhatSpreadsheetsWouldMisread() {
        let en = CSV(language: .en), ru = CSV(language: .ru)
        #expect(en.text([["a", "b,c"], ["say \"hi\"", "=SUM(A1)"], ["-5.25", "+7 900"]]) == "a,\"b,c\"\r\n\"say \"\"hi\"\"\",'=SUM(A1)\r\n-5.25,'+7 900\r\n")
        #expect(en.number(123_45) == "123.45" && en.number(-5) == "-0.05" && en.number(100) == "1.00")
        // Russian Excel: `;` between fields, a decimal comma, and the byte order mark before all.
        #expect(ru.text([["Кофейня; «Зёрна»", "1,5"], ["-5,25", "+7 900"]]) == "\"Кофейня; «Зёрна»\";1,5\r\n-5,25;'+7 900\r\n")
        #expect(ru.number(123_45) == "123,45" && ru.number(-5) == "-0,05")
        #expect(ru.file([["а"]]) == [0xEF, 0xBB, 0xBF] + Array("а\r\n".utf8))
    }

    @Test func formsDecodeAsBrowsersSendThem() {
        let form = Visit.pairs("email=a%40b.ru&password=p+q%26r&empty=&name=%D0%9E%D0%BB%D1%8C%D0%B3%D0%B0")
        #expect(form == ["email": "a@b.ru", "password": "p q&r", "empty": "", "name": "Ольга"])
        #expect(Visit.cookies("a=1; kopilka_session=xyz=; b") == ["a": "1", "kopilka_session": "xyz="])
        // A catalogue picker's boxes and its typed codes: one list under one name, in a form only.
        #expect(Visit.pairs("c=coffee&c=tea&c=&c=bakery%2C+juice", joining: true) == ["c": "coffee, tea, bakery, juice"])
        #expect(Visit.pairs("c=coffee&c=tea") == ["c": "tea"])
        #expect(constantTimeEqual("abc", "abc") && !constantTimeEqual("abc", "abd") && !constantTimeEqual("abc", "ab"))
    }

    /// The join page's QR code, as PNG, read back by a real decoder (zbar): a printed poster sends phones to the page.
    @Test func aJoinQRCodeReadsBackAsItsAddress() throws {
        guard QRReader.isAvailable else {
            Issue.record("zbarimg is missing: scripts/setup installs zbar-tools")
            return
        }
        for url in ["http://127.0.0.1:8080/join/1", "https://bonus.kofeinya-na-lenina.example/join/7263514412345"] {
            let code = try #require(QRCode(url))
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-qr-\(UUID().uuidString).png")
            defer { try? FileManager.default.removeItem(at: file) }
            try Data(code.png(scale: 8)).write(to: file)
            #expect(try QRReader.decode(file) == [url])
            #expect(code.svg(label: "QR").contains("<path d=\"M"))
        }
    }

    /// A category the program names that no till has sent is flagged — once the tills have sent any.
    @Test func categoriesNoTillSentAreFlagged() {
        var rules = ProgramRules()
        rules.accrualExcludedCategories = ["кофе", "coffee"]
        let seen = CatalogueItem(kind: .category, code: "coffee", name: nil, tillName: nil, category: nil, lines: 3, lastSeen: Instant(0))
        #expect(WebConsole.unknownCategories(rules, [seen]) == ["кофе"])
        #expect(WebConsole.unknownCategories(rules, []) == [], "nothing is known before the first receipt")
    }

    /// The web cashier's rows: a catalogue item added twice is one row of two at its price; a typed row's SKU is its
    /// name; a blank row is skipped and a row without a price refused; the search finds a name in any case.
    @Test func cashierRowsBecomeReceiptLines() {
        let f = Formatting(language: .ru)
        let latte = CatalogueItem(
            kind: .sku, code: "LAT-400", name: "Латте", tillName: "Латте 400 мл", category: "coffee", lines: 9, lastSeen: Instant(0), tillPrice: 260_00)
        var rows = CashierRows()
        rows.add(latte, f)
        rows.add(latte, f)
        rows.rows.append(.init(name: "Вода", quantity: "0,5", price: "80,5"))
        rows.rows.append(.init())
        let (lines, errors) = rows.lines { $0 }
        #expect(errors.isEmpty)
        #expect(lines == [
            ReceiptLine(sku: "LAT-400", name: "Латте", category: "coffee", quantity: 2000, price: 260_00),
            ReceiptLine(sku: "Вода", name: "Вода", quantity: 500, price: 80_50),
        ])
        // The form's fields carry the rows back, renumbered once one is taken away.
        rows.remove(1)
        #expect(CashierRows(form: rows.fields).rows == [CashierRows.Row(name: "Вода", quantity: "0,5", price: "80,5")])
        rows.rows.append(.init(name: "Без цены"))
        #expect(rows.lines { $0 }.errors == [3: "cashier.linePriceRequired"], "the blank row 2 is skipped")
        #expect(CashierRows.find("латте", in: [latte]) == latte && CashierRows.find("lat-400", in: [latte]) == nil)
    }

    /// The camera's frame of a card's barcode reads back as the card (zbar); a blank frame and a frame of the wrong size
    /// read as nothing.
    @Test func theScannerReadsACardsBarcode() throws {
        let card = "2000000000015"
        let modules = try #require(Barcode.modules(card))
        let (width, height) = (480, 120)
        var pixels = [UInt8](repeating: 255, count: width * height)
        for y in 20..<100 {
            for (index, dark) in modules.enumerated() where dark {
                for x in 0..<3 { pixels[y * width + 40 + index * 3 + x] = 0 }
            }
        }
        #expect(CardScanner.read(grey: pixels, width: width, height: height) == card)
        #expect(CardScanner.read(grey: [UInt8](repeating: 255, count: width * height), width: width, height: height) == nil)
        #expect(CardScanner.read(grey: pixels, width: width + 1, height: height) == nil)
    }
}
