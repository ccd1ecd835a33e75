import Foundation
import Hummingbird
import KopilkaStore

extension KopilkaAPI {
    /// `GET /v1/customers/{id}/export`: everything held about the customer as JSON (a data-subject request); audited.
    func exportCustomer(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let id = try pathID(context, what: "customer")
        guard let export = try await store.exportCustomer(merchantId: principal.merchantId, customerId: id, now: clock(), actor: principal.actor)
        else { throw Problem(.notFound, code: "not_found", detail: "no such customer") }
        var response = JSONBody.response(.ok, export)
        response.headers[.contentDisposition] = "attachment; filename=\"customer-\(id).json\""
        return response
    }

    /// `POST /v1/customers/{id}/erasure`: removes the customer's personal data; the ledger stays under the id; audited.
    func eraseCustomer(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let id = try pathID(context, what: "customer")
        guard let profile = try await store.eraseCustomer(merchantId: principal.merchantId, customerId: id, now: clock(), actor: principal.actor)
        else { throw Problem(.notFound, code: "not_found", detail: "no such customer") }
        return JSONBody.response(.ok, profile)
    }

    /// `GET /v1/audit?after=&limit=`: the audit log of privileged changes, oldest first.
    func auditLog(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let query = request.uri.queryParameters
        var after: Int64 = 0
        if let text = query.get("after") {
            guard let value = Int64(text), value >= 0 else { throw Problem.invalid("after", "is not a record number") }
            after = value
        }
        let limit = try limitParameter(request, default: 100, max: 1000)
        return JSONBody.response(.ok, try await store.auditLog(merchantId: principal.merchantId, after: after, limit: limit))
    }
}
