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
        return try await cashierPage(visit, session, fields: visit.query, values: values)
    }

    /// `POST /console/cashier`: `action=calculate` shows what the receipt earns and may spend; `action=commit` registers it
    /// (once per form: the form's key is the idempotency key).
    func cashier(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        var errors: [String: Any] = [:]
        let stores = try await store.stores(merchantId: session.merchantId)
        let storeId = form["store"].flatMap(parseID)
        if storeId == nil || !stores.contains(where: { $0.id == form["store"] }) { errors["storeError"] = visit.t("cashier.storeRequired") }
        let (enteredLines, lineErrors) = Self.lines(form, visit)
        errors.merge(lineErrors) { first, _ in first }
        let amount = parseMoney(form["amount"] ?? "")
        if enteredLines.isEmpty, lineErrors.isEmpty, amount == nil || amount == 0 { errors["amountError"] = visit.t("cashier.amountInvalid") }
        var customer: CustomerKey?
        let customerText = (form["customer"] ?? "").trimmingCharacters(in: .whitespaces)
        if !customerText.isEmpty {
            customer = Self.customerKey(customerText)
            if customer == nil { errors["customerError"] = visit.t("cashier.customerInvalid") }
        }
        let redeemText = (form["redeem"] ?? "").trimmingCharacters(in: .whitespaces)
        var redeem = RedeemRequest.points(0)
        if redeemText == "max" {
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
        guard errors.isEmpty, let storeId, let certificate else {
            return try await cashierPage(visit, session, fields: form, values: errors, status: .unprocessableContent)
        }

        var found: CustomerSummary?
        if let customer {
            found = try await store.customer(merchantId: session.merchantId, customer, now: visit.now)
            if found == nil {
                var values: [String: Any] = ["customerError": visit.t("cashier.noCustomer")]
                // Not a member yet: offer to register the phone here, then go on with the sale.
                if case .phone(let phone) = customer { values.merge(Self.signUpOffer(phone: phone, form: form)) { _, new in new } }
                return try await cashierPage(visit, session, fields: form, values: values, status: .unprocessableContent)
            }
        }
        if form["action"] == "sendCode", let found, let customerId = parseID(found.id) {
            return try await sendSpendingCode(visit, session, customerId: customerId, maskedPhone: found.maskedPhone ?? "", fields: form)
        }
        // Lines when the cashier typed them; otherwise the receipt is one line of the total.
        let lines = enteredLines.isEmpty ? [ReceiptLine(sku: "web-cashier", name: visit.t("cashier.lineName"), price: amount ?? 0)] : enteredLines
        func calculate(_ payments: [Payment]) async throws -> ReceiptCalculated {
            try await store.calculateReceipt(
                merchantId: session.merchantId,
                CalculateCommand(storeId: storeId, customer: customer, lines: lines, redeem: redeem, codes: codes, payments: payments), now: visit.now)
        }
        let committing = form["action"] == "commit", paymentsGiven = method != nil || certificate > 0
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
                let f = visit.format
                let (calculation, summary) = (calculated.calculation, calculated.customer)
                // The program asks the customer to confirm spending by a code from an SMS, unless they showed their card.
                let confirm = calculated.confirmationRequired
                return try await cashierPage(visit, session, fields: form, values: [
                    "calculated": [
                        "earned": f.points(calculation.earnedPoints), "maxRedeemable": f.points(calculation.maxRedeemable),
                        "redeemed": f.points(calculation.redeemedPoints), "payable": f.money(calculation.payable), "discount": f.money(calculation.discount),
                        "balance": summary.map { f.points($0.balance.spendable) } ?? "", "hasCustomer": summary != nil,
                        "who": summary.map { Self.who($0, visit) } ?? "",
                        "reasons": calculation.explanation.map { ["text": ReasonWords.sentence($0, in: visit.language)] },
                        "hasReasons": !calculation.explanation.isEmpty,
                        "stamps": calculation.stamps.map { ["name": $0.name, "after": "\($0.after) / \($0.every - 1)", "rewards": $0.rewards > 0] },
                    ],
                    "confirm": confirm,
                ])
            }
        }
        let key = form["key"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
        // The fiscal receipt's number when the cashier typed it (returns and the journal find it by that), else one of ours.
        let fiscal = (form["fiscal"] ?? "").trimmingCharacters(in: .whitespaces)
        let externalId = fiscal.isEmpty ? "web-\(key.prefix(8))" : String(fiscal.prefix(64))
        let command = ReceiptCommand(
            storeId: storeId, registerId: nil, customer: customer, externalId: externalId, lines: lines, redeem: redeem, codes: codes,
            cashier: session.staff.map { "staff:\($0.id)" }, confirmationCode: confirmation.isEmpty ? nil : confirmation, payments: payments)
        let stored = try await store.commitReceipt(
            merchantId: session.merchantId, command, idempotency: IdempotencyKey(key: "console:\(key)", requestHash: Self.requestHash(command)),
            now: visit.now, render: Outcome<ReceiptCommitted>.render(visit.language))
        guard let committed = Outcome<ReceiptCommitted>.value(stored) else {
            // A refused receipt changed nothing: the corrected form is a new request with a new key.
            var fields = form
            fields["key"] = nil
            let needsCode = ["confirmationRequired", "confirmationFailed"].contains(Outcome<ReceiptCommitted>.refusalCode(stored))
            return try await cashierPage(
                visit, session, fields: fields, values: ["formError": Outcome<ReceiptCommitted>.refusal(stored) ?? "", "confirm": needsCode],
                status: .unprocessableContent)
        }
        var response = Self.redirect("/console/receipts/\(committed.receipt.id)?new=1")
        visit.setCookie(Visit.storeCookie, String(storeId), maxAge: 365 * 86_400, on: &response)
        return response
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
            return try await cashierPage(visit, session, fields: fields, values: values, status: .unprocessableContent)
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
    private func sendSpendingCode(_ visit: Visit, _ session: WebSession, customerId: Int64, maskedPhone: String, fields: [String: String]) async throws -> Response {
        guard let sendSMS else {
            return try await cashierPage(visit, session, fields: fields, values: ["formError": visit.t("cabinet.noSMS"), "confirm": true], status: .serviceUnavailable)
        }
        let code = String(Int.random(in: 1_000_000..<2_000_000).description.dropFirst())
        do {
            guard try await store.issueSpendCode(merchantId: session.merchantId, customerId: customerId, code: code, now: visit.now) != nil,
                let phone = try await store.customerProfile(merchantId: session.merchantId, customerId: customerId, now: visit.now)?.phone
            else { return try await cashierPage(visit, session, fields: fields, values: ["customerError": visit.t("cashier.noCustomer")], status: .unprocessableContent) }
            try await sendSMS(phone, visit.t("cashier.smsText").replacingOccurrences(of: "{code}", with: code))
            return try await cashierPage(visit, session, fields: fields, values: ["codeSent": maskedPhone, "confirm": true])
        } catch let error as KopilkaError {
            return try await cashierPage(visit, session, fields: fields, values: ["formError": Refusal.text(error, visit.language), "confirm": true], status: .unprocessableContent)
        }
    }

    /// How many line rows the form offers.
    static let lineRows = 5

    /// The receipt's lines from the form's rows (`line1name`, `line1category`, `line1quantity`, `line1price`, …); a
    /// row without a price is skipped. Errors by row, as `line1Error`.
    static func lines(_ form: [String: String], _ visit: Visit) -> ([ReceiptLine], [String: Any]) {
        var lines: [ReceiptLine] = [], errors: [String: Any] = [:]
        for row in 1...lineRows {
            func field(_ part: String) -> String { (form["line\(row)\(part)"] ?? "").trimmingCharacters(in: .whitespaces) }
            let priceText = field("price"), quantityText = field("quantity")
            guard !priceText.isEmpty else {
                if !field("name").isEmpty { errors["line\(row)Error"] = visit.t("cashier.linePriceRequired") }
                continue
            }
            guard let price = parseMoney(priceText), price > 0 else {
                errors["line\(row)Error"] = visit.t("cashier.linePriceInvalid")
                continue
            }
            // Quantities to a hundredth (kilograms: 0,35); the receipt keeps thousandths.
            guard let quantity = quantityText.isEmpty ? 100 : parsePoints(quantityText), quantity > 0, quantity <= 1_000_000 else {
                errors["line\(row)Error"] = visit.t("cashier.lineQuantityInvalid")
                continue
            }
            let name = field("name"), category = field("category")
            lines.append(ReceiptLine(
                sku: "web-\(row)", name: name.isEmpty ? visit.t("cashier.lineName") : String(name.prefix(200)),
                category: category.isEmpty ? nil : String(category.prefix(100)), quantity: quantity * 10, price: price))
        }
        return (lines, errors)
    }

    /// The categories the program names (exclusions, promotions, scopes), offered as suggestions for a line.
    static func categories(_ rules: ProgramRules) -> [String] {
        var names = Set(rules.accrualExcludedCategories + rules.redemptionExcludedCategories + rules.discountExcludedCategories)
        for promotion in rules.promotions { names.formUnion(promotion.lines?.categories ?? []) }
        for scope in [rules.accrualScope, rules.redemptionScope] { names.formUnion(scope?.lines?.categories ?? []) }
        return names.sorted()
    }

    private func cashierPage(_ visit: Visit, _ session: WebSession, fields: [String: String], values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let stores = try await store.stores(merchantId: session.merchantId)
        // The store the form names, else the one this device last sold in, else the first.
        let chosen = fields["store"].flatMap { $0.isEmpty ? nil : $0 } ?? visit.rememberedStore ?? stores.first?.id
        var context = values
        context["stores"] = stores.map { ["id": $0.id, "name": $0.name, "selected": $0.id == chosen] }
        context["customer"] = fields["customer"] ?? ""
        context["amount"] = fields["amount"] ?? ""
        context["lines"] = (1...Self.lineRows).map { row in
            var line: [String: Any] = ["row": row, "legend": visit.t("cashier.line").replacingOccurrences(of: "{n}", with: "\(row)")]
            for part in ["name", "category", "quantity", "price"] { line[part] = fields["line\(row)\(part)"] ?? "" }
            if let error = values["line\(row)Error"] { line["error"] = error }
            return line
        }
        // The lines stay open once the cashier has used them.
        context["linesOpen"] = (1...Self.lineRows).contains { !(fields["line\($0)price"] ?? "").isEmpty || values["line\($0)Error"] != nil }
        // The categories the tills have sent, and those the program names.
        let learnt = try await store.catalogue(merchantId: session.merchantId, kind: .category).map(\.code)
        context["categories"] = Array(Set(Self.categories(try await store.compiledProgram(merchantId: session.merchantId).1.rules) + learnt)).sorted()
        context["redeem"] = fields["redeem"] ?? ""
        context["codes"] = fields["codes"] ?? ""
        context["payments"] = [["value": "", "label": visit.t("cashier.paymentUnsaid"), "selected": (fields["payment"] ?? "").isEmpty]]
            + Payment.Method.allCases.map { ["value": $0.rawValue, "label": visit.t("payment.\($0.rawValue)"), "selected": $0.rawValue == fields["payment"]] }
        context["certificate"] = fields["certificate"] ?? ""
        context["confirmation"] = fields["confirmation"] ?? ""
        context["fiscal"] = fields["fiscal"] ?? ""
        // A new key for each blank form; a calculated form keeps its key so that committing it twice counts once.
        context["key"] = fields["key"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
        return render("cashier", visit, status: status, context)
    }

    /// `GET /console/receipts/{id}`: a committed receipt, with a button to return it.
    func receipt(_ visit: Visit, _ session: WebSession, id: String?, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let receiptId = id.flatMap(parseID), let receipt = try await store.receipt(merchantId: session.merchantId, receiptId: receiptId) else {
            return render("error", visit, status: .notFound, ["message": visit.t("error.noReceipt")])
        }
        let f = visit.format
        let zone = try await merchantZone(session.merchantId)
        let returnable = receipt.lines.contains { $0.returnedQuantity < $0.quantity }
        let returns = try await store.returns(merchantId: session.merchantId, receiptId: receiptId)
        let card = try await receipt.customerId.flatMap(parseID).asyncFlatMap {
            try await store.customer(merchantId: session.merchantId, .id($0), now: visit.now)?.card
        }
        let storeName = try await store.stores(merchantId: session.merchantId).first { $0.id == receipt.storeId }?.name ?? ""
        var context: [String: Any] = [
            "id": receipt.id, "externalId": receipt.externalId, "at": f.time(receipt.createdAt, zone),
            "amount": f.money(receipt.amount), "discount": f.money(receipt.discount), "redeemed": f.points(receipt.redeemedPoints),
            "payable": f.money(receipt.payable), "earned": f.points(receipt.earnedPoints), "customerId": receipt.customerId ?? "",
            "hasCustomer": receipt.customerId != nil, "returnable": returnable, "isNew": visit.query["new"] == "1",
            "key": UUID().uuidString, "card": card ?? receipt.customerId ?? "",
            // What each return gave back: the money to hand over, and the points taken back and given back.
            "hasReturns": !returns.isEmpty,
            "returns": returns.map { made -> [String: Any] in
                var row: [String: Any] = [
                    "at": f.time(made.createdAt, zone), "refund": f.money(made.refundKopecks), "reversed": f.points(made.reversedPoints),
                    "restored": f.points(made.restoredPoints),
                ]
                if made.unrecoveredPoints > 0 { row["unrecovered"] = f.points(made.unrecoveredPoints) }
                return row
            },
            "lines": receipt.lines.enumerated().map { index, line in
                let left = line.quantity - line.returnedQuantity
                return [
                    "number": index + 1, "name": line.name, "quantity": f.points(line.quantity / 10), "amount": f.money(line.amount),
                    "payable": f.money(line.payable), "returned": line.returnedQuantity > 0,
                    "returnedText": "\(visit.t("receipt.returnedMark")) \(f.points(line.returnedQuantity / 10))", "left": left > 0,
                    "returnLabel": "\(visit.t("receipt.returnQuantity")): \(line.name.isEmpty ? "\(index + 1)" : line.name), \(visit.t("receipt.upTo")) \(f.points(left / 10))",
                ] as [String: Any]
            },
            "reasons": (receipt.explanation ?? []).map { ["text": ReasonWords.sentence($0, in: visit.language)] },
            "hasReasons": !(receipt.explanation ?? []).isEmpty,
        ]
        if !storeName.isEmpty { context["store"] = storeName }
        // Just returned: the money to give back, first.
        if let made = returns.last, visit.query["returned"] == made.id {
            context["justReturned"] = ["refund": f.money(made.refundKopecks), "reversed": f.points(made.reversedPoints),
                                       "restored": f.points(made.restoredPoints)]
        }
        context.merge(values) { _, new in new }
        return render("receipt", visit, status: status, context)
    }

    /// `POST /console/receipts/{id}/return`: `action=all` returns everything not yet returned; `action=selected` the
    /// quantities typed per line (`return1`, `return2`, …).
    func returnReceipt(_ visit: Visit, _ session: WebSession, id: String?) async throws -> Response {
        guard let receiptId = id.flatMap(parseID) else { return render("error", visit, status: .notFound, ["message": visit.t("error.noReceipt")]) }
        let form = visit.form
        var requests: [ReturnCalculator.Request]?
        if form["action"] == "selected" {
            var chosen: [ReturnCalculator.Request] = []
            for (name, value) in form where name.hasPrefix("return") && !value.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let line = Int(name.dropFirst(6)), let quantity = parsePoints(value), quantity > 0 else {
                    return try await receipt(visit, session, id: id, values: ["formError": visit.t("receipt.returnInvalid")], status: .unprocessableContent)
                }
                chosen.append(.init(line: line, quantity: quantity * 10))
            }
            guard !chosen.isEmpty else {
                return try await receipt(visit, session, id: id, values: ["formError": visit.t("receipt.returnNothing")], status: .unprocessableContent)
            }
            requests = chosen.sorted { $0.line < $1.line }
        }
        let key = form["key"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
        let stored = try await store.returnLines(
            merchantId: session.merchantId, ReturnCommand(receiptId: receiptId, storeId: nil, lines: requests),
            idempotency: IdempotencyKey(key: "console:\(key)", requestHash: Self.tokenHash("return|\(receiptId)|\(requests.map { "\($0)" } ?? "all")")),
            now: visit.now,
            render: Outcome<ReturnMade>.render(visit.language))
        guard let made = Outcome<ReturnMade>.value(stored) else {
            return try await receipt(visit, session, id: id, values: ["formError": Outcome<ReturnMade>.refusal(stored) ?? ""], status: .unprocessableContent)
        }
        return Self.redirect("/console/receipts/\(receiptId)?returned=\(made.id)")
    }
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
