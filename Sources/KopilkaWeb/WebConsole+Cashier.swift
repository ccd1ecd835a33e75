import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// `GET /console/cashier`: the web cashier for merchants without an integrated till.
    func cashierForm(_ visit: Visit, _ session: WebSession) async throws -> Response {
        var values: [String: Any] = [:]
        if let card = visit.query["joined"] {
            values["joined"] = true
            values["card"] = card
            if let welcome = visit.query["welcome"].flatMap({ Int64($0) }) { values["welcome"] = visit.format.pointsCounted(welcome) }
        }
        // Straight from sign-up: the new member is named at once.
        if let key = visit.query["customer"].flatMap(Self.customerKey),
            let found = try await store.customer(merchantId: session.merchantId, key, now: visit.now)
        {
            values.merge(Self.identified(found, visit)) { _, new in new }
        }
        return try await cashierPage(visit, session, fields: visit.query, rows: CashierRows(), values: values)
    }

    /// `POST /console/cashier`: every button but «Провести» shows what the receipt earns and may spend so far —
    /// «Найти» names the customer, an item's button adds one of it, «×» takes a line away. `action=commit` registers the
    /// receipt (once per form: the form's key is the idempotency key); `commitMax` spends all the points it may.
    func cashier(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        var errors: [String: Any] = [:]
        let place = Self.place(form["store"], in: try await places(session.merchantId))
        if place == nil { errors["storeError"] = visit.t("cashier.storeRequired") }
        // What the cashier did to the lines: each is a button of its own, so the receipt is never committed with it.
        var rows = CashierRows(form: form)
        var edited = false
        if let number = form["remove"].flatMap({ Int($0) }) { rows.remove(number); edited = true }
        let find = (form["find"] ?? "").trimmingCharacters(in: .whitespaces)
        if form["add"] != nil || !find.isEmpty {
            let catalogue = try await store.catalogue(merchantId: session.merchantId, kind: .sku, limit: 10_000)
            if let item = CashierRows.find(form["add"] ?? find, in: catalogue) {
                rows.add(item, visit.format)
            } else if !find.isEmpty {
                errors["findError"] = visit.t("cashier.findNothing")
                errors["find"] = find
            }
            edited = true
        }
        if form["addLine"] != nil { rows.rows.append(.init()); edited = true }
        let (enteredLines, lineErrors) = rows.lines(visit.t)
        if !lineErrors.isEmpty { errors["rowErrors"] = lineErrors }
        // A total without lines; typed lines make the total.
        let amount = rows.rows.isEmpty ? parseMoney(form["amount"] ?? "") : nil
        var customer: CustomerKey?
        let customerText = (form["customer"] ?? "").trimmingCharacters(in: .whitespaces)
        if !customerText.isEmpty {
            customer = Self.customerKey(customerText)
            if customer == nil { errors["customerError"] = visit.t("cashier.customerInvalid") }
        }
        let empty = enteredLines.isEmpty && lineErrors.isEmpty && (amount ?? 0) == 0
        // Nothing to sell yet: «Найти» with a customer only names them; a line added or taken away only redraws.
        let identifying = form["action"] != "commit" && form["action"] != "commitMax" && empty && (customer != nil || edited)
        if empty, !identifying, !(form["amount"] ?? "").isEmpty || customer == nil { errors["amountError"] = visit.t("cashier.amountInvalid") }
        let redeemText = (form["redeem"] ?? "").trimmingCharacters(in: .whitespaces)
        var redeem = RedeemRequest.points(0)
        if redeemText == "max" || form["action"] == "commitMax" {
            redeem = .max
        } else if !redeemText.isEmpty {
            if let points = parsePoints(redeemText) { redeem = .points(points) } else { errors["redeemError"] = visit.t("cashier.redeemInvalid") }
        }
        if redeem != .points(0), customer == nil, errors["customerError"] == nil { errors["redeemError"] = visit.t("cashier.redeemNeedsCustomer") }
        // Promo codes as the customer shows them, separated by spaces or commas.
        let codes = (form["codes"] ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        if codes.count > 10 || codes.contains(where: { $0.count > 64 }) { errors["codesError"] = visit.t("cashier.codesInvalid") }
        let confirmation = (form["confirmation"] ?? "").filter { !$0.isWhitespace }
        if !confirmation.isEmpty, confirmation.count != 6 || !confirmation.allSatisfy(\.isASCII) || Int(confirmation) == nil {
            errors["confirmationError"] = visit.t("cashier.confirmationInvalid")
        }
        // How the money part is paid, when the cashier says: a gift certificate for part of it, the rest one way.
        let method = Payment.Method(rawValue: form["payment"] ?? "")
        let certificateText = (form["certificate"] ?? "").trimmingCharacters(in: .whitespaces)
        let certificate = certificateText.isEmpty ? 0 : parseMoney(certificateText)
        if certificate == nil { errors["certificateError"] = visit.t("program.number") }
        // A search typed and «Провести» pressed: the item is added and shown, not sold unseen.
        let committing = ["commit", "commitMax"].contains(form["action"]) && !edited
        guard errors.isEmpty, let place, let certificate else {
            return try await cashierPage(visit, session, fields: form, rows: rows, values: errors, status: .unprocessableContent)
        }

        var found: CustomerSummary?
        if let customer {
            found = try await store.customer(merchantId: session.merchantId, customer, now: visit.now)
            if found == nil {
                var values: [String: Any] = ["customerError": visit.t("cashier.noCustomer")]
                // Not a member yet: offer to register the phone here, then go on with the sale.
                if case .phone(let phone) = customer { values.merge(Self.signUpOffer(phone: phone, form: form)) { _, new in new } }
                return try await cashierPage(visit, session, fields: form, rows: rows, values: values, status: .unprocessableContent)
            }
        }
        if form["action"] == "sendCode", let found, let customerId = parseID(found.id) {
            return try await sendSpendingCode(visit, session, customerId: customerId, maskedPhone: found.maskedPhone ?? "", fields: form, rows: rows)
        }
        if identifying {
            return try await cashierPage(visit, session, fields: form, rows: rows, values: found.map { Self.identified($0, visit) } ?? [:])
        }
        // Lines when the cashier picked or typed them; otherwise the receipt is one line of the total.
        let lines = enteredLines.isEmpty
            ? [ReceiptLine(sku: CashierRows.untitledSKU, name: visit.t("cashier.lineName"), price: amount ?? 0)] : enteredLines
        func calculate(_ payments: [Payment]) async throws -> ReceiptCalculated {
            try await store.calculateReceipt(
                merchantId: session.merchantId,
                CalculateCommand(storeId: place.store, customer: customer, lines: lines, redeem: redeem, codes: codes, payments: payments), now: visit.now)
        }
        let paymentsGiven = method != nil || certificate > 0
        var payments: [Payment] = []
        if !committing || paymentsGiven {
            var calculated = try await calculate([])
            // The payments split what is left to pay after discounts and points, so that is calculated first.
            if paymentsGiven {
                let payable = calculated.calculation.payable
                let byCertificate = min(certificate, payable)
                if byCertificate > 0 { payments.append(Payment(method: .certificate, amountKopecks: byCertificate)) }
                if payable > byCertificate { payments.append(Payment(method: method ?? .other, amountKopecks: payable - byCertificate)) }
                let rules = calculated.program.rules
                if !committing, !rules.accrualExcludedPayments.isEmpty || !rules.redemptionExcludedPayments.isEmpty {
                    calculated = try await calculate(payments)
                }
            }
            guard committing else {
                return try await cashierPage(visit, session, fields: form, rows: rows, values: Self.calculated(calculated, redeem: redeem, visit))
            }
        }
        let key = form["key"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
        // The fiscal receipt's number when the cashier typed it (returns and the journal find it by that), else one of ours.
        let fiscal = (form["fiscal"] ?? "").trimmingCharacters(in: .whitespaces)
        let externalId = fiscal.isEmpty ? "web-\(key.prefix(8))" : String(fiscal.prefix(64))
        let command = ReceiptCommand(
            storeId: place.store, registerId: place.register, customer: customer, externalId: externalId, lines: lines, redeem: redeem, codes: codes,
            cashier: session.staff.map { "staff:\($0.id)" }, confirmationCode: confirmation.isEmpty ? nil : confirmation, payments: payments)
        let stored = try await store.commitReceipt(
            merchantId: session.merchantId, command, idempotency: IdempotencyKey(key: "console:\(key)", requestHash: Self.requestHash(command)),
            now: visit.now, render: Outcome<ReceiptCommitted>.render(visit.language))
        guard let committed = Outcome<ReceiptCommitted>.value(stored) else {
            // A refused receipt changed nothing: the corrected form is a new request with a new key.
            var fields = form
            fields["key"] = nil
            let needsCode = ["confirmationRequired", "confirmationFailed"].contains(Outcome<ReceiptCommitted>.refusalCode(stored))
            var values: [String: Any] = ["formError": Outcome<ReceiptCommitted>.refusal(stored) ?? "", "confirm": needsCode]
            if let found { values.merge(Self.identified(found, visit)) { _, new in new } }
            return try await cashierPage(visit, session, fields: fields, rows: rows, values: values, status: .unprocessableContent)
        }
        var response = Self.redirect("/console/receipts/\(committed.receipt.id)?new=1")
        visit.setCookie(Visit.storeCookie, place.value, maxAge: 365 * 86_400, on: &response)
        return response
    }

    /// `POST /console/cashier/scan?width=W&height=H`: a greyscale camera frame (one byte a pixel) from the page's scan
    /// of a customer's card; `{"customer": "<card or phone>"}` when a code in it names one, else `{}`.
    func scanCard(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let width = visit.query["width"].flatMap { Int($0) } ?? 0, height = visit.query["height"].flatMap { Int($0) } ?? 0
        guard var upload = visit.upload, width * height == upload.readableBytes, width * height <= CardScanner.largestFrame else {
            return Self.plain(.badRequest, "A frame is width × height bytes, at most 640 × 480.")
        }
        let pixels = upload.readBytes(length: upload.readableBytes) ?? []
        let text = CardScanner.read(grey: pixels, width: width, height: height)
        // Only what the customer field takes: a card's digits or a phone; a code of anything else is not a customer.
        let found = text.flatMap(Self.customerKey).map { key -> String in
            switch key {
            case .card(let card): card
            case .phone(let phone): phone
            case .id(let id): String(id)
            }
        }
        let body = found.map { #"{"customer":"\#($0)"}"# } ?? "{}"
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// What the page shows of a customer once they are found: who they are and what they may spend.
    static func identified(_ customer: CustomerSummary, _ visit: Visit) -> [String: Any] {
        ["identified": true, "who": who(customer, visit), "balance": visit.format.pointsCounted(customer.balance.spendable)]
    }

    /// What the page shows of a calculation: the figures, the reasons, and whether spending needs the customer's code.
    static func calculated(_ calculated: ReceiptCalculated, redeem: RedeemRequest, _ visit: Visit) -> [String: Any] {
        let f = visit.format
        let (calculation, summary) = (calculated.calculation, calculated.customer)
        var values: [String: Any] = [
            "calculated": [
                "earned": f.points(calculation.earnedPoints), "maxRedeemable": f.points(calculation.maxRedeemable),
                "redeemed": f.points(calculation.redeemedPoints), "payable": f.money(calculation.payable), "discount": f.money(calculation.discount),
                "reasons": calculation.explanation.map { ["text": ReasonWords.sentence($0, in: visit.language)] },
                "hasReasons": !calculation.explanation.isEmpty,
                "stamps": calculation.stamps.map { ["name": $0.name, "after": "\($0.after) / \($0.every - 1)", "rewards": $0.rewards > 0] },
            ] as [String: Any],
            // The program asks the customer to confirm spending by a code from an SMS, unless they showed their card.
            "confirm": calculated.confirmationRequired,
        ]
        if let summary { values.merge(identified(summary, visit)) { _, new in new } }
        // One button spends all the points the receipt may take, when none are spent yet.
        if redeem == .points(0), calculation.maxRedeemable > 0 { values["spendAll"] = f.pointsCounted(calculation.maxRedeemable) }
        return values
    }

    /// `POST /console/cashier/register`: registers the phone the cashier did not find (the customer's consent asked
    /// aloud and ticked), with the friend who brought them; then the sale goes on with the new card.
    func registerAtCashier(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        guard let phone = Phone.normalize(form["phone"] ?? "") else { return Self.redirect("/console/cashier") }
        var errors: [String: Any] = [:]
        if form["personalData"] != "on" { errors["consentError"] = visit.t("cashier.consentNeeded") }
        let friend = (form["friend"] ?? "").trimmingCharacters(in: .whitespaces)
        let referrer = friend.isEmpty ? nil : Self.customerKey(friend)
        if !friend.isEmpty, referrer == nil { errors["friendError"] = visit.t("join.friendUnknown") }
        var fields = ["customer": phone, "store": form["store"] ?? "", "amount": form["amount"] ?? ""]
        func again(_ errors: [String: Any]) async throws -> Response {
            var values = Self.signUpOffer(phone: phone, form: form)
            values.merge(errors) { _, new in new }
            return try await cashierPage(visit, session, fields: fields, rows: CashierRows(), values: values, status: .unprocessableContent)
        }
        guard errors.isEmpty else { return try await again(errors) }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let stored = try await store.registerCustomer(
            merchantId: session.merchantId,
            NewCustomer(
                phone: phone, name: name.isEmpty ? nil : String(name.prefix(100)), email: nil, birthday: nil, personalDataConsent: true,
                marketingConsent: form["marketing"] == "on", referrer: referrer),
            idempotency: nil, now: visit.now, render: Outcome<CustomerRegistered>.render(visit.language))
        guard let registered = Outcome<CustomerRegistered>.value(stored) else {
            switch Outcome<CustomerRegistered>.refusalCode(stored) {
            // Registered meanwhile (a second tap, another register): the sale goes on with that card.
            case "customerExists": return Self.redirect("/console/cashier?" + Visit.query(fields))
            case "validation": return try await again(["friendError": visit.t("join.friendUnknown")])
            default: return try await again(["formError": Outcome<CustomerRegistered>.refusal(stored) ?? ""])
            }
        }
        fields["customer"] = registered.customer.card
        fields["joined"] = registered.customer.card
        let welcome = registered.entries.filter { $0.amount > 0 }.reduce(0) { $0 + $1.amount }
        if welcome > 0 { fields["welcome"] = String(welcome) }
        return Self.redirect("/console/cashier?" + Visit.query(fields))
    }

    /// Who the cashier is serving: the name as the till shows it, the card and the level.
    static func who(_ customer: CustomerSummary, _ visit: Visit) -> String {
        var parts: [String] = []
        if let name = customer.maskedName { parts.append(name) }
        parts.append(visit.t("cashier.card") + " " + customer.card)
        if let tier = customer.tier { parts.append(visit.t("customer.tier") + ": " + tier.tier) }
        return parts.joined(separator: " · ")
    }

    /// What the sign-up panel shows for a phone the cashier did not find.
    static func signUpOffer(phone: String, form: [String: String]) -> [String: Any] {
        ["signUp": true, "phone": phone, "phoneShown": Phone.masked(phone), "store": form["store"] ?? "", "amount": form["amount"] ?? "",
         "name": form["name"] ?? "", "friend": form["friend"] ?? ""]
    }

    /// A customer as a cashier types them: a card number (13 digits with its check digit) or a phone.
    static func customerKey(_ text: String) -> CustomerKey? {
        let digits = text.filter(\.isNumber)
        if digits.count == 13, CardNumber.isValid(digits) { return .card(digits) }
        return Phone.normalize(text).map(CustomerKey.phone)
    }

    /// Sends the customer a code that confirms spending their points (through the SMS provider) and shows the form
    /// again with the code's field.
    private func sendSpendingCode(
        _ visit: Visit, _ session: WebSession, customerId: Int64, maskedPhone: String, fields: [String: String], rows: CashierRows
    ) async throws -> Response {
        guard let sendSMS else {
            return try await cashierPage(visit, session, fields: fields, rows: rows, values: ["formError": visit.t("cabinet.noSMS"), "confirm": true], status: .serviceUnavailable)
        }
        let code = String(Int.random(in: 1_000_000..<2_000_000).description.dropFirst())
        do {
            guard try await store.issueSpendCode(merchantId: session.merchantId, customerId: customerId, code: code, now: visit.now) != nil,
                let phone = try await store.customerProfile(merchantId: session.merchantId, customerId: customerId, now: visit.now)?.phone
            else { return try await cashierPage(visit, session, fields: fields, rows: rows, values: ["customerError": visit.t("cashier.noCustomer")], status: .unprocessableContent) }
            try await sendSMS(phone, visit.t("cashier.smsText").replacingOccurrences(of: "{code}", with: code))
            return try await cashierPage(visit, session, fields: fields, rows: rows, values: ["codeSent": maskedPhone, "confirm": true])
        } catch let error as KopilkaError {
            return try await cashierPage(visit, session, fields: fields, rows: rows, values: ["formError": Refusal.text(error, visit.language), "confirm": true], status: .unprocessableContent)
        }
    }

    /// The categories the program names (exclusions, promotions, scopes), offered as suggestions for a line.
    static func categories(_ rules: ProgramRules) -> [String] {
        var names = Set(rules.accrualExcludedCategories + rules.redemptionExcludedCategories + rules.discountExcludedCategories)
        for promotion in rules.promotions { names.formUnion(promotion.lines?.categories ?? []) }
        for scope in [rules.accrualScope, rules.redemptionScope] { names.formUnion(scope?.lines?.categories ?? []) }
        return names.sorted()
    }

    private func cashierPage(
        _ visit: Visit, _ session: WebSession, fields: [String: String], rows: CashierRows, values: [String: Any], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let places = try await places(session.merchantId)
        // The place the form names, else the one this device last sold in, else the first store.
        let chosen = Self.place(fields["store"], in: places) ?? Self.place(visit.rememberedStore, in: places) ?? places.first
        let f = visit.format
        var context = values
        context["stores"] = places.map { ["id": $0.value, "name": $0.label, "selected": $0.value == chosen?.value] }
        if let chosen { context["placeName"] = chosen.label }
        context["customer"] = fields["customer"] ?? ""
        context["amount"] = fields["amount"] ?? ""
        context["find"] = values["find"] ?? ""
        let rowErrors = values["rowErrors"] as? [Int: String] ?? [:]
        let (lines, _) = rows.lines(visit.t)
        context["hasRows"] = !rows.rows.isEmpty
        context["rows"] = rows.rows.enumerated().map { index, row -> [String: Any] in
            let number = index + 1, shown = row.name.isEmpty ? visit.t("cashier.line").replacingOccurrences(of: "{n}", with: "\(number)") : row.name
            return [
                "number": number, "sku": row.sku, "rowName": row.name, "rowCategory": row.category, "quantity": row.quantity, "price": row.price,
                "picked": !row.sku.isEmpty, "shown": shown, "hasError": rowErrors[number] != nil, "error": rowErrors[number] ?? "",
            ]
        }
        context["linesTotal"] = f.money(lines.reduce(0) { $0 + ($1.amount ?? ($1.price * $1.quantity + 500) / 1000) })
        // The items the tills sell most, as buttons, and the rest by search: what the catalogue has priced.
        let catalogue = try await store.catalogue(merchantId: session.merchantId, kind: .sku, limit: 2_000)
            .filter { $0.code != CashierRows.untitledSKU && $0.offeredPrice != nil }
        let item = { (item: CatalogueItem) -> [String: Any] in
            ["code": item.code, "itemName": item.shownName, "itemPrice": f.money(item.offeredPrice ?? 0)]
        }
        context["quick"] = catalogue.prefix(Self.quickItems).map(item)
        context["hasQuick"] = !catalogue.isEmpty
        context["skus"] = catalogue.map(item)
        // The categories the tills have sent, and those the program names, for a typed line.
        let learnt = try await store.catalogue(merchantId: session.merchantId, kind: .category, limit: 2_000).map(\.code)
        context["categories"] = Array(Set(Self.categories(try await store.compiledProgram(merchantId: session.merchantId).1.rules) + learnt)).sorted()
        context["redeem"] = fields["redeem"] ?? ""
        context["codes"] = fields["codes"] ?? ""
        context["payments"] = [["value": "", "label": visit.t("cashier.paymentUnsaid"), "selected": (fields["payment"] ?? "").isEmpty]]
            + Payment.Method.allCases.map { ["value": $0.rawValue, "label": visit.t("payment.\($0.rawValue)"), "selected": $0.rawValue == fields["payment"]] }
        context["certificate"] = fields["certificate"] ?? ""
        context["confirmation"] = fields["confirmation"] ?? ""
        context["fiscal"] = fields["fiscal"] ?? ""
        // What is seldom needed stays folded unless it was used.
        context["moreOpen"] = ["codes", "payment", "certificate", "fiscal"].contains { !(fields[$0] ?? "").isEmpty }
            || ["codesError", "certificateError"].contains { values[$0] != nil }
        // The cursor where the cashier goes next: the customer, then the sum.
        let named = values["identified"] != nil
        context["focusCustomer"] = !named && values["calculated"] == nil && rows.rows.isEmpty
        context["focusAmount"] = named && values["calculated"] == nil && rows.rows.isEmpty
        // A new key for each blank form; a calculated form keeps its key so that committing it twice counts once.
        context["key"] = fields["key"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
        return render("cashier", visit, status: status, context)
    }

    /// How many of the most sold items the cashier gets as buttons.
    static let quickItems = 12

    /// Where the web cashier sells: each store, then each of its registers (`store` or `store:register` in the form
    /// and in the device's cookie).
    func places(_ merchantId: Int64) async throws -> [CashierPlace] {
        let stores = try await store.stores(merchantId: merchantId), registers = try await store.registers(merchantId: merchantId, storeId: nil)
        return stores.flatMap { shop -> [CashierPlace] in
            guard let storeId = parseID(shop.id) else { return [] }
            return [CashierPlace(store: storeId, register: nil, value: shop.id, label: shop.name)]
                + registers.filter { $0.storeId == shop.id }.compactMap { register in
                    // A register's name often has its store's already («Зёрна на Тверской · касса 1»).
                    let label = register.name.hasPrefix(shop.name) ? register.name : "\(shop.name) · \(register.name)"
                    return parseID(register.id).map { CashierPlace(store: storeId, register: $0, value: "\(shop.id):\(register.id)", label: label) }
                }
        }
    }

    static func place(_ value: String?, in places: [CashierPlace]) -> CashierPlace? {
        value.flatMap { value in places.first { $0.value == value } }
    }

}

/// A store, or a register of it, the web cashier sells at.
struct CashierPlace {
    var store: Int64
    var register: Int64?
    /// As the form and the cookie carry it: `12` or `12:34`.
    var value: String
    var label: String
}

extension WebConsole {
    /// What identifies a cashier's receipt under its form's key: the command as JSON with sorted keys, so a form sent
    /// again with other contents is a new request, whatever Swift's descriptions of values look like.
    static func requestHash(_ command: ReceiptCommand) -> [UInt8] {
        struct Request: Encodable {
            var storeId: Int64
            var externalId: String
            var customer: String?
            var lines: [ReceiptLine]
            var redeem: RedeemRequest
            var codes: [String]
            var confirmationCode: String?
            var payments: [Payment]
        }
        let customer: String? = switch command.customer {
        case .id(let id): "id:\(id)"
        case .phone(let phone): "phone:\(phone)"
        case .card(let card): "card:\(card)"
        case nil: nil
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let request = Request(
            storeId: command.storeId, externalId: command.externalId, customer: customer, lines: command.lines, redeem: command.redeem, codes: command.codes,
            confirmationCode: command.confirmationCode, payments: command.payments)
        return tokenHash(String(decoding: (try? encoder.encode(request)) ?? Data(), as: UTF8.self))
    }
}
