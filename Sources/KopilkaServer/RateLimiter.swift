import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// The request context: Hummingbird's basics plus the peer's address, for per-IP rate limits.
struct KopilkaRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Token buckets by name: each holds up to `burst` requests and refills `perSecond` a second.
///
/// Kept per process (with several processes behind a balancer, each enforces its own share). The table is bounded:
/// full buckets carry no information and are dropped when it grows.
final class TokenBuckets<Name: Hashable & Sendable>: Sendable {
    let perSecond: Int64
    let burst: Int64
    private let clock: @Sendable () -> Int64
    private let buckets = Mutex<[Name: (tokens: Int64, at: Int64)]>([:])

    init(perSecond: Int, burst: Int, clock: @escaping @Sendable () -> Int64) {
        self.perSecond = Int64(perSecond)
        self.burst = Int64(max(burst, perSecond))
        self.clock = clock
    }

    /// Takes a token from the bucket; false when it is empty.
    func take(_ name: Name) -> Bool {
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[name] ?? (burst, now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.at) * perSecond)
            bucket.at = now
            guard bucket.tokens > 0 else {
                buckets[name] = bucket
                return false
            }
            bucket.tokens -= 1
            if buckets.count > 100_000 { buckets = buckets.filter { $0.value.tokens + max(0, now - $0.value.at) * perSecond < burst } }
            buckets[name] = bucket
            return true
        }
    }
}

/// Limits requests per API key and, for requests that no known key vouches for (no key, a wrong key, `/health`, the
/// console's and the cabinet's pages), per client IP (behind trusted proxies, the address they forward). A refused request gets `429 rate_limited` with `Retry-After` and never reaches a handler, so it
/// changes nothing.
struct RateLimitMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    /// Per key (by its hash); nil: unlimited.
    let perKey: TokenBuckets<[UInt8]>?
    /// Per IP, for requests without a known key; nil: unlimited.
    let perIP: TokenBuckets<String>?
    let auth: Authenticator
    /// Whose forwarding headers name the client (nginx in front); without any, every request is from its peer.
    var proxies = TrustedProxies()

    /// `UnsafeVariants.rateLimitAfterTheWork`: the request is served before its refusal.
    var afterTheWork = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let refusal = self.refusal(request, context)
        if afterTheWork {
            let response = try await next(request, context)
            if let refusal { throw refusal }
            return response
        }
        if let refusal { throw refusal }
        return try await next(request, context)
    }

    /// The 429 this request gets, or nil when its key (or, without a known key, its address) has a token left.
    func refusal(_ request: Request, _ context: Context) -> Problem? {
        let hash = auth.keyHash(request)
        if let perKey, let hash, !perKey.take(hash) {
            return Self.refused(perKey, "this key")
        }
        if let perIP, !(hash.map(auth.isKnown) ?? false) {
            let address = proxies.client(peer: context.remoteAddress?.ipAddress, headers: request.headers) ?? "unknown"
            if !perIP.take(address) { return Self.refused(perIP, "this address without a valid key") }
        }
        return nil
    }

    static func refused<Name>(_ buckets: TokenBuckets<Name>, _ who: String) -> Problem {
        var problem = Problem(
            .tooManyRequests, code: "rate_limited",
            detail: "too many requests from \(who) (\(buckets.perSecond) a second, bursts of \(buckets.burst)); retry after the pause")
        problem.headers[.retryAfter] = "1"
        return problem
    }
}
