import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

extension WebConsole {
    /// `GET /console/receipts/{id}`: a committed receipt, with a button to return it.
    func receipt(_ visit: Visit, _ session: WebSession, id: String?, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let receiptId = id.flatMap(parseID), let receipt = try await store.receipt(merchantId: session.merchantId, receiptId: receiptId) else {
            return render("error", visit, status: .notFound, ["message": visit.t("error.noReceipt")])
        }
        let f = visit.format
        let zone = try await merchantZone(session.merchantId)
        let returnable = receipt.lines.contains { $0.returnedQuantity < $0.quantity }
        let returns = try await store.returns(merchantId: session.merchantId, receiptId: receiptId)
        let customer = try await receipt.customerId.flatMap(parseID).asyncFlatMap {
            try await store.customer(merchantId: session.merchantId, .id($0), now: visit.now)
        }
        let card = customer?.card
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
        // Just sold: the slip the customer is shown or handed, printed on a receipt printer's narrow paper.
        if visit.query["new"] == "1" {
            // Keys of its own: Mustache would find the receipt's `discount` for a slip without one.
            var slip: [String: Any] = [
                "slipShop": try await store.merchant(session.merchantId)?.name ?? "", "slipStore": storeName, "slipAt": f.time(receipt.createdAt, zone),
                "slipNumber": receipt.externalId, "slipAmount": f.money(receipt.amount), "slipPayable": f.money(receipt.payable),
                "slipLines": receipt.lines.map { line in
                    ["lineName": line.name, "lineQuantity": f.points(line.quantity / 10), "linePrice": f.money(line.price), "lineAmount": f.money(line.amount)]
                },
            ]
            if let logo = try await logoURL(session.merchantId) { slip["slipLogo"] = logo }
            if receipt.discount > 0 { slip["slipDiscount"] = f.money(receipt.discount) }
            if receipt.redeemedPoints > 0 { slip["slipRedeemed"] = f.pointsCounted(receipt.redeemedPoints) }
            if let customer {
                slip["slipCard"] = "•••• " + customer.card.suffix(4)
                slip["slipEarned"] = f.pointsCounted(receipt.earnedPoints)
                slip["slipBalance"] = f.pointsCounted(customer.balance.spendable)
                if customer.balance.pending > 0 { slip["slipPending"] = f.pointsCounted(customer.balance.pending) }
            }
            context["slip"] = slip
        }
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

