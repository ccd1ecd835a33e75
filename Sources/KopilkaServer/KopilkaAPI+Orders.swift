import Hummingbird
import KopilkaStore

extension KopilkaAPI {
    /// `POST /v1/orders`: reserve points for an online order.
    func placeOrder(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let body = try await body(request)
        let command = try JSONBody.decode(OrderBody.self, from: body).command(principal: principal)
        try await requireStore(principal, command.storeId)
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.placeHold(
                merchantId: principal.merchantId, command, idempotency: key, now: clock(), render: renderer(.created, wording: principal.wording(request)))
        }
    }

    /// `GET /v1/orders/{id}`
    func order(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "order")
        guard let hold = try await store.hold(merchantId: principal.merchantId, holdId: id, now: clock()),
            principal.sees(storeId: hold.storeId)
        else { throw Problem(.notFound, code: "not_found", detail: "no such order") }
        return JSONBody.response(.ok, hold)
    }

    /// `POST /v1/orders/{id}/confirm`: the order becomes a receipt.
    func confirmOrder(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "order")
        let body = try await body(request)
        let confirm = body.readableBytes == 0 ? ConfirmBody() : try JSONBody.decode(ConfirmBody.self, from: body)
        let externalId = try confirm.externalId.map { try ReceiptBody.validExternalId($0) }
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.confirmHold(
                merchantId: principal.merchantId, holdId: id, storeId: principal.storeScope, externalId: externalId, idempotency: key,
                now: clock(), render: renderer(.created, wording: principal.wording(request)))
        }
    }

    /// `POST /v1/orders/{id}/cancel`: the reserved points come back.
    func cancelOrder(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "order")
        let body = try await body(request)
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.cancelHold(
                merchantId: principal.merchantId, holdId: id, storeId: principal.storeScope, idempotency: key, now: clock(),
                render: renderer(.ok))
        }
    }
}
