import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords
import Synchronization

/// Resolves `Authorization: Bearer <key>` to a principal, caching lookups briefly.
///
/// The cache holds only hashes; a revocation through this process clears it at once, and an entry
/// lives at most `ttlSeconds`, which bounds how long another process's revocation takes to apply.
final class Authenticator: Sendable {
    private let store: any LoyaltyStore
    private let ttlSeconds: Int64
    private let clock: @Sendable () -> Int64
    private let cache = Mutex<[[UInt8]: (principal: Principal, until: Int64)]>([:])


    init(store: any LoyaltyStore, ttlSeconds: Int64 = 5, clock: @escaping @Sendable () -> Int64) {
        self.store = store
        self.ttlSeconds = ttlSeconds
        self.clock = clock
    }

    /// The principal of the request's key, or a 401 problem.
    func principal(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem(.unauthorized, code: "unauthorized", detail: "send the API key as `Authorization: Bearer <key>`")
        }
        guard let hash = keyHash(request) else {
            throw Problem(.unauthorized, code: "unauthorized", detail: "the API key is malformed (check it was copied whole)")
        }
        let now = clock()
        if let hit = cache.withLock({ $0[hash] }), hit.until > now { return hit.principal }
        guard let principal = try await store.principal(forKeyHash: hash) else {
            cache.withLock { _ = $0.removeValue(forKey: hash) }
            throw Problem(.unauthorized, code: "unauthorized", detail: "the API key is unknown or revoked")
        }
        cache.withLock { cache in
            // A bound on memory: a flood of distinct valid keys cannot grow the cache without limit.
            if cache.count > 10_000 { cache.removeAll() }
            cache[hash] = (principal, now + ttlSeconds)
        }
        return principal
    }

    /// The hash of the request's bearer key, when it has a well-formed one. A key this process found valid is not
    /// checked again: its checksum costs a second SHA-256, and `Foundation`'s trimming a bridge to `NSString` (together
    /// 4 % of a lookup's server time, perf).
    func keyHash(_ request: Request) -> [UInt8]? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        // Spaces and tabs around the key are forgiven.
        var bytes = header.utf8.dropFirst(7)
        while bytes.first == 0x20 || bytes.first == 0x09 { bytes = bytes.dropFirst() }
        while bytes.last == 0x20 || bytes.last == 0x09 { bytes = bytes.dropLast() }
        let key = String(Substring(bytes))
        let hash = ApiKeys.hash(key)
        if cache.withLock({ $0[hash] != nil }) { return hash }
        return ApiKeys.isWellFormed(key) ? hash : nil
    }

    /// Whether the key is one this process checked recently and found valid.
    func isKnown(_ hash: [UInt8]) -> Bool {
        let now = clock()
        return cache.withLock { $0[hash].map { $0.until > now } ?? false }
    }

    /// Forgets every cached key (after a revocation).
    func invalidate() { cache.withLock { $0.removeAll() } }
}

extension Principal {
    /// How answers to `request` word reasons: in its `Accept-Language` when Kopilka speaks it, else in the merchant's
    /// language.
    func wording(_ request: Request) -> Wording {
        let asked = request.headers[.acceptLanguage].flatMap(Language.init(acceptLanguage:))
        return ReasonWords.wording(asked ?? Language(rawValue: language) ?? .ru)
    }

    /// Throws 403 unless the key is an admin key.
    func requireAdmin() throws {
        guard role == .admin else { throw Problem(.forbidden, code: "forbidden", detail: "this needs an admin key; a register key cannot do it") }
    }

    /// The store a request acts for: a register key's own, or the `storeId` an admin key names.
    func store(_ requested: String?) throws -> Int64 {
        if role == .register, let own = storeId {
            if let requested, parseID(requested) != own {
                throw Problem(.forbidden, code: "forbidden", detail: "a register key acts only for its own store")
            }
            return own
        }
        guard let requested else { throw Problem.invalid("storeId", "is required with an admin key") }
        guard let id = parseID(requested) else { throw Problem.invalid("storeId", "is not a store id") }
        return id
    }

    /// Who the audit log names for this key's changes.
    var actor: AuditActor { .key(keyId) }

    /// Limits reads and changes of receipts and orders to a register key's own store.
    var storeScope: Int64? { role == .register ? storeId : nil }

    /// Whether the key may see an object of this store (a register key: only its own).
    func sees(storeId: String) -> Bool { storeScope.map { String($0) == storeId } ?? true }
}
