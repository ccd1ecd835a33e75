import Crypto
import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

/// The answer to calculate: what the receipt would do, and what to print.
struct CalculateResponse: Codable, Equatable {
    var customer: CustomerSummary?
    var programVersion: Int64
    var calculation: ReceiptCalculation
    /// True when committing this receipt needs the code sent to the customer's phone (`confirmationCode`): the program
    /// asks for it, points are spent, and the customer was not named by card.
    var confirmationRequired: Bool
    var printText: [String]
}

extension CalculateResponse: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object {
            $0.field("calculation", calculation)
            $0.field("confirmationRequired", confirmationRequired)
            $0.field("customer", customer)
            $0.field("printText", printText)
            $0.field("programVersion", programVersion)
        }
    }
}

/// One offline receipt's outcome.
struct BatchOutcome: Encodable {
    var idempotencyKey: String
    var status: Int
    var replayed: Bool
    /// The response the receipt would have had alone (a receipt or a problem).
    var body: JSONFragment
}

/// Already-encoded JSON embedded as is.
struct JSONFragment: Encodable {
    var bytes: [UInt8]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode((try? JSONDecoder().decode(AnyJSON.self, from: Data(bytes))) ?? .null)
    }
}

/// A JSON value of any shape, to re-embed stored bodies.
enum AnyJSON: Codable {
    case null, bool(Bool), int(Int64), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let v = try? c.decode(Bool.self) { self = .bool(v) } else if let v = try? c.decode(Int64.self) {
            self = .int(v)
        } else if let v = try? c.decode(String.self) { self = .string(v) } else if let v = try? c.decode([AnyJSON].self) {
            self = .array(v)
        } else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }
}

extension KopilkaAPI {
    /// `GET /v1/customers/lookup?phone=…|card=…`
    func lookup(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let query = request.uri.queryParameters
        let ref = CustomerRef(id: query.get("id"), card: query.get("card"), phone: query.get("phone"))
        if query.get("code") != nil {
            throw Problem.invalid("code", "lookup by one-time code is not enabled; use phone or card")
        }
        let key = try ref.key(field: "")
        guard let customer = try await store.customer(merchantId: principal.merchantId, key, now: clock()) else {
            throw Problem(.notFound, code: "not_found", detail: "no such customer")
        }
        return JSONBody.response(.ok, customer)
    }

    /// `POST /v1/customers`
    func registerCustomer(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let body = try await body(request)
        let customer = try JSONBody.decode(RegisterCustomerBody.self, from: body).customer()
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.registerCustomer(
                merchantId: principal.merchantId, customer, idempotency: key, now: clock(), render: renderer(.created))
        }
    }

    /// `GET /v1/customers/{id}`: the full profile, admin keys only.
    func customerProfile(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let id = try pathID(context, what: "customer")
        guard let profile = try await store.customerProfile(merchantId: principal.merchantId, customerId: id, now: clock()) else {
            throw Problem(.notFound, code: "not_found", detail: "no such customer")
        }
        return JSONBody.response(.ok, profile)
    }

    /// `GET /v1/customers/{id}/ledger?before=&limit=`
    func ledger(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "customer")
        let before = try beforeParameter(request, what: "an entry")
        let limit = try limitParameter(request, default: 50, max: 500)
        guard let page = try await store.ledger(merchantId: principal.merchantId, customerId: id, before: before, limit: limit) else {
            throw Problem(.notFound, code: "not_found", detail: "no such customer")
        }
        return JSONBody.response(.ok, page)
    }

    /// `POST /v1/receipts/calculate`: no side effects.
    func calculate(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let receipt = try JSONBody.decodeReceipt(from: try await body(request))
        let lines = try receipt.validLines()
        let redeem = try receipt.validRedeem()
        let customer = try receipt.customer?.key(field: "customer")
        let codes = try receipt.validCodes()
        let payments = try receipt.validPayments()
        let storeId = principal.role == .admin ? try receipt.storeId.map { try principal.store($0) } : principal.storeId
        if let storeId { try await requireStore(principal, storeId) }
        let calculated = try await store.calculateReceipt(
            merchantId: principal.merchantId,
            CalculateCommand(storeId: storeId, customer: customer, lines: lines, redeem: redeem, codes: codes, payments: payments), now: clock())
        metrics.calculations.add(1)
        let calculation = calculated.calculation
        return JSONBody.response(
            .ok, CalculateResponse(customer: calculated.customer, programVersion: calculated.program.version, calculation: calculation,
                                   confirmationRequired: calculated.confirmationRequired,
                                   printText: PrintText.lines(calculation, balance: calculated.customer?.balance)),
            wording: principal.wording(request))
    }

    /// `POST /v1/receipts`
    func commitReceipt(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let body = try await body(request)
        let command = try JSONBody.decodeReceipt(from: body).command(principal: principal)
        try await requireStore(principal, command.storeId)
        let response = try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.commitReceipt(
                merchantId: principal.merchantId, command, idempotency: key, now: clock(), render: renderer(.created, wording: principal.wording(request)))
        }
        metrics.commits.add(1)
        return response
    }

    /// `GET /v1/receipts/{id}`
    func receipt(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "receipt")
        guard let receipt = try await store.receipt(merchantId: principal.merchantId, receiptId: id),
            principal.sees(storeId: receipt.storeId)
        else { throw Problem(.notFound, code: "not_found", detail: "no such receipt") }
        return JSONBody.response(.ok, receipt, wording: principal.wording(request))
    }

    /// `POST /v1/receipts/{id}/returns`
    func returnLines(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "receipt")
        let body = try await body(request)
        let lines = try (body.readableBytes == 0 ? ReturnBody(lines: nil) : JSONBody.decode(ReturnBody.self, from: body)).requests()
        let command = ReturnCommand(receiptId: id, storeId: principal.storeScope, lines: lines)
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.returnLines(merchantId: principal.merchantId, command, idempotency: key, now: clock(), render: renderer(.created))
        }
    }

    /// `POST /v1/receipts/batch`: offline receipts, each with its own key, applied in order.
    func batch(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let batch = try JSONBody.decode(BatchBody.self, from: try await body(request))
        guard (1...500).contains(batch.receipts.count) else { throw Problem.invalid("receipts", "must hold 1…500 receipts") }
        var outcomes: [BatchOutcome] = []
        let wording = principal.wording(request)
        for (index, item) in batch.receipts.enumerated() {
            let stored: StoredResponse
            do {
                guard (1...255).contains(item.idempotencyKey.utf8.count) else {
                    throw Problem.invalid("receipts[\(index)].idempotencyKey", "must be 1…255 characters")
                }
                let command = try item.receipt.command(principal: principal, offline: true)
                try await requireStore(principal, command.storeId)
                let itemBody = JSONBody.encode(OfflineReceiptHash(command: command))
                let key = IdempotencyKey(
                    key: item.idempotencyKey, requestHash: Array(SHA256.hash(data: Data("POST /v1/receipts/batch\n".utf8) + Data(itemBody))))
                stored = try await store.commitReceipt(
                    merchantId: principal.merchantId, command, idempotency: key, now: clock(), render: renderer(.created, wording: wording))
            } catch let problem as Problem {
                stored = problem.stored
            } catch let error as KopilkaError {
                stored = Problem(error).stored
            }
            outcomes.append(BatchOutcome(idempotencyKey: item.idempotencyKey, status: stored.status, replayed: stored.replayed, body: JSONFragment(bytes: stored.body)))
        }
        metrics.commits.add(outcomes.count)
        return JSONBody.response(.ok, ["results": outcomes])
    }

    /// 404 unless the store is the merchant's (a register key's own store always is).
    func requireStore(_ principal: Principal, _ storeId: Int64) async throws {
        if principal.role == .admin, try await !store.storeExists(merchantId: principal.merchantId, storeId: storeId) {
            throw Problem(.notFound, code: "not_found", detail: "no such store")
        }
    }
}

/// What identifies an offline receipt's content, for its idempotency key.
private struct OfflineReceiptHash: Encodable {
    var storeId: Int64
    var customer: String?
    var externalId: String
    var lines: [ReceiptLine]
    var redeem: RedeemRequest
    var cashier: String?

    init(command: ReceiptCommand) {
        storeId = command.storeId
        customer = command.customer.map { "\($0)" }
        externalId = command.externalId
        lines = command.lines
        redeem = command.redeem
        cashier = command.cashier
    }
}

