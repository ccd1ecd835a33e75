import Foundation
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

    /// `PUT /v1/merchant/language`: the language answers word reasons in when a request names none.
    func setMerchantLanguage(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let body = try JSONBody.decode(LanguageBody.self, from: try await body(request))
        let merchant = try await store.setLanguage(merchantId: principal.merchantId, language: body.language, now: clock(), actor: principal.actor)
        // The keys' cache holds the language: this process uses the new one at once.
        auth.invalidate()
        return JSONBody.response(.ok, merchant)
    }

    /// `GET /v1/program`: readable by every key (a till may show the rules); `ETag` carries the version.
    func program(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let program = try await store.program(merchantId: principal.merchantId)
        var response = JSONBody.response(.ok, program)
        response.headers[.eTag] = "\"\(program.version)\""
        return response
    }

    /// `GET /v1/program/versions/{version}`: a version as it was (receipts record the version they used).
    func programVersion(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let version = try pathID(context, "version", what: "program version")
        guard let program = try await store.programVersion(merchantId: principal.merchantId, version: version) else {
            throw Problem(.notFound, code: "not_found", detail: "no such program version")
        }
        return JSONBody.response(.ok, program)
    }

    /// `PUT /v1/program`: replaces the rules (missing keys take their defaults); the version goes up.
    /// `If-Match: "<version>"` is required, so two admins saving at once cannot overwrite each other silently.
    func updateProgram(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        guard let ifMatch = request.headers[.ifMatch] else {
            throw Problem(.preconditionRequired, code: "precondition_required",
                          detail: "send If-Match with the version you read (GET /v1/program gives it as ETag, e.g. If-Match: \"3\")")
        }
        guard let expected = parseID(ifMatch.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))) else {
            throw Problem.invalid("If-Match", "must be the program's version as its ETag gives it, e.g. \"3\"")
        }
        let rules = try JSONBody.decode(ProgramRules.self, from: try await body(request))
        let program = try await store.updateProgram(merchantId: principal.merchantId, rules: rules, expectedVersion: expected, now: clock(), actor: principal.actor)
        var response = JSONBody.response(.ok, program)
        response.headers[.eTag] = "\"\(program.version)\""
        return response
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
        return JSONBody.response(.created, try await store.createStore(merchantId: principal.merchantId, name: name, timeZone: zone, now: clock(), actor: principal.actor))
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
        let (register, key) = try await store.createRegister(merchantId: principal.merchantId, storeId: storeId, name: name, now: clock(), actor: principal.actor)
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
        return JSONBody.response(.created, try await store.createAdminKey(merchantId: principal.merchantId, name: name, now: clock(), actor: principal.actor))
    }

    /// `POST /v1/keys/{id}/revoke`: the key fails from the next request on.
    func revokeKey(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let keyId = try pathID(context, what: "key")
        let key = try await store.revokeKey(merchantId: principal.merchantId, keyId: keyId, now: clock(), actor: principal.actor)
        auth.invalidate()
        return JSONBody.response(.ok, key)
    }
}

/// A new register with its key.
struct RegisterCreated: Encodable {
    var register: RegisterView
    var key: IssuedKey
}
