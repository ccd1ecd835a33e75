import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore

extension KopilkaAPI {
    /// `POST /v1/code-batches`: generates codes (or registers one chosen code) for a promotion or points.
    func createCodeBatch(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let batch = try JSONBody.decode(CodeBatchBody.self, from: try await body(request)).validated()
        return JSONBody.response(.created, try await store.createCodeBatch(merchantId: principal.merchantId, batch, now: clock(), actor: principal.actor))
    }

    /// `GET /v1/code-batches`
    func codeBatches(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        return JSONBody.response(.ok, ["batches": try await store.codeBatches(merchantId: principal.merchantId)])
    }

    /// `GET /v1/code-batches/{id}/codes`: the codes as CSV (`code,uses`), to print or hand to a mailing service.
    func batchCodes(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let batchId = try pathID(context, what: "code batch")
        guard let codes = try await store.codes(merchantId: principal.merchantId, batchId: batchId) else {
            throw Problem(.notFound, code: "not_found", detail: "no such code batch")
        }
        var csv = "code,uses\n"
        for (code, uses) in codes { csv += "\(code),\(uses)\n" }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"codes-\(batchId).csv\""],
            body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    /// `PUT /v1/customers/{id}/groups`: the merchant's groups for the customer (wholesale prices, staff promotions).
    func setCustomerGroups(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let customerId = try pathID(context, what: "customer")
        let groups = try JSONBody.decode(GroupsBody.self, from: try await body(request)).validated()
        try await store.setCustomerGroups(merchantId: principal.merchantId, customerId: customerId, groups: groups, now: clock(), actor: principal.actor)
        return JSONBody.response(.ok, ["groups": Set(groups).sorted()])
    }
}
