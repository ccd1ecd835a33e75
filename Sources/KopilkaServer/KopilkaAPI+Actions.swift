import Hummingbird
import KopilkaCore
import KopilkaStore

/// A customer's action, as the merchant's site or app reports it.
struct ActionBody: Decodable {
    var action: String
    var ref: String
    var attributes: [String: Int64]?

    func command(customerId: Int64) throws -> ActionCommand {
        var errors: [FieldError] = []
        if !RuleFacts.isName(action) { errors.append(.init(field: "action", message: "must be 1…64 letters, digits or `_` (e.g. review)")) }
        if !(1...100).contains(ref.unicodeScalars.count) || ref.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: "ref", message: "must be 1…100 characters: the action's own id (a review's), so it is rewarded once"))
        }
        let attributes = attributes ?? [:]
        if attributes.count > 20 { errors.append(.init(field: "attributes", message: "at most 20 attributes")) }
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            if !RuleFacts.isName(name) {
                errors.append(.init(field: "attributes", message: "«\(name)» is not a name: 1…64 letters, digits or `_`"))
            } else if !(0...1_000_000_000_000).contains(value) {
                errors.append(.init(field: "attributes.\(name)", message: "must be a whole number 0…1000000000000"))
            }
        }
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return ActionCommand(customerId: customerId, action: action, ref: ref, attributes: attributes)
    }
}

extension KopilkaAPI {
    /// `POST /v1/customers/{id}/actions`: records an action of the customer (a review, a completed profile) and gives
    /// what the program's rules on it decide; an action's `ref` is rewarded once.
    func recordAction(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "customer")
        let body = try await body(request)
        let command = try JSONBody.decode(ActionBody.self, from: body).command(customerId: id)
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.recordAction(merchantId: principal.merchantId, command, idempotency: key, now: clock(), render: renderer(.created))
        }
    }
}
