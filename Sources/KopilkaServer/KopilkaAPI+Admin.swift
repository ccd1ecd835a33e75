import Hummingbird
import KopilkaCore
import KopilkaStore

extension KopilkaAPI {
    /// `GET /v1/merchant`
    func merchant(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        guard let merchant = try await store.merchant(principal.merchantId) else {
            throw Problem(.notFound, code: "not_found", detail: "no such merchant")
        }
        return JSONBody.response(.ok, merchant)
    }

    /// `GET /v1/program`: readable by every key (a till may show the rules).
    func program(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        return JSONBody.response(.ok, try await store.program(merchantId: principal.merchantId))
    }

    /// `PUT /v1/program`: replaces the rules (missing keys take their defaults); the version goes up.
    func updateProgram(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let rules = try JSONBody.decode(ProgramRules.self, from: try await body(request))
        let errors = rules.violations()
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        let program = try await store.updateProgram(merchantId: principal.merchantId, rules: rules, now: clock())
        programs.invalidate(merchantId: principal.merchantId)
        return JSONBody.response(.ok, program)
    }

    /// `GET /v1/stores`
    func stores(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        return JSONBody.response(.ok, ["stores": try await store.stores(merchantId: principal.merchantId)])
    }

    /// `POST /v1/stores`
    func createStore(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let (name, zone) = try JSONBody.decode(StoreBody.self, from: try await body(request)).validated()
        return JSONBody.response(.created, try await store.createStore(merchantId: principal.merchantId, name: name, timeZone: zone, now: clock()))
    }

    /// `GET /v1/stores/{id}/registers`
    func registers(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let storeId = try pathID(context, what: "store")
        try await requireStore(principal, storeId)
        return JSONBody.response(.ok, ["registers": try await store.registers(merchantId: principal.merchantId, storeId: storeId)])
    }

    /// `POST /v1/stores/{id}/registers`: a register and its key (shown once).
    func createRegister(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let storeId = try pathID(context, what: "store")
        let name = try JSONBody.decode(NameBody.self, from: try await body(request)).validated()
        let (register, key) = try await store.createRegister(merchantId: principal.merchantId, storeId: storeId, name: name, now: clock())
        return JSONBody.response(.created, RegisterCreated(register: register, key: key))
    }

    /// `GET /v1/keys`
    func keys(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        return JSONBody.response(.ok, ["keys": try await store.keys(merchantId: principal.merchantId)])
    }

    /// `POST /v1/keys`: another admin key (shown once).
    func createKey(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let name = try JSONBody.decode(NameBody.self, from: try await body(request)).validated()
        return JSONBody.response(.created, try await store.createAdminKey(merchantId: principal.merchantId, name: name, now: clock()))
    }

    /// `POST /v1/keys/{id}/revoke`: the key fails from the next request on.
    func revokeKey(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let keyId = try pathID(context, what: "key")
        let key = try await store.revokeKey(merchantId: principal.merchantId, keyId: keyId, now: clock())
        auth.invalidate()
        return JSONBody.response(.ok, key)
    }
}

/// A new register with its key.
struct RegisterCreated: Encodable {
    var register: RegisterView
    var key: IssuedKey
}
