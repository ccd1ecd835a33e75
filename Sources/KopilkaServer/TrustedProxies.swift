import Foundation
import HTTPTypes

/// The proxies in front of Kopilka (nginx, a load balancer) whose word on the client's address is taken: a request
/// from one of them is from the address its `Forwarded` or `X-Forwarded-For` header names last before the trusted
/// hops; any other request is from its peer, whatever its headers say (a client can write any header it likes).
public struct TrustedProxies: Sendable, Equatable {
    /// An address with a prefix length: `10.0.0.0/8`, `127.0.0.1` (/32), `::1` (/128).
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        let bytes: [UInt8]
        let prefix: Int

        /// Parses `address` or `address/prefix`; nil for anything else.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let first = parts.first, let bytes = IPAddress.bytes(first) else { return nil }
            let bits = bytes.count * 8
            guard let prefix = parts.count == 2 ? Int(parts[1]) : bits, (0...bits).contains(prefix) else { return nil }
            self.bytes = bytes
            self.prefix = prefix
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            for bit in 0..<prefix where (address[bit / 8] ^ bytes[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 { return false }
            return true
        }

        public var description: String { "\(IPAddress.text(bytes))/\(prefix)" }
    }

    public let ranges: [Range]

    public init(_ ranges: [Range] = []) { self.ranges = ranges }

    /// Parses a list of addresses and ranges (from `--trusted-proxy` or `KOPILKA_TRUSTED_PROXIES`, comma-separated);
    /// the first that does not parse is thrown back.
    public init(parsing list: [String]) throws(InvalidRange) {
        var ranges: [Range] = []
        for text in list.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            guard let range = Range(text) else { throw InvalidRange(text: text) }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    public struct InvalidRange: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "«\(text)» is not an IP address or a range such as 10.0.0.0/8" }
    }

    func trusts(_ address: [UInt8]) -> Bool { ranges.contains { $0.contains(address) } }

    /// The client's address: the peer's, or, from a trusted peer, the last address the forwarding headers name that
    /// is not itself a trusted proxy (all trusted: the first one named). nil when the peer is unknown.
    func client(peer: String?, headers: HTTPFields) -> String? {
        // No proxy trusted (the default): the peer, as it was, with nothing parsed per request.
        guard !ranges.isEmpty, let peer, let peerBytes = IPAddress.bytes(peer) else { return peer }
        guard trusts(peerBytes) else { return IPAddress.text(peerBytes) }
        let hops = Self.forwardedFor(headers)
        // Right to left: each hop was added by the proxy after it; the first one no trusted proxy vouches for is the client.
        var client = peerBytes
        for hop in hops.reversed() {
            guard let bytes = IPAddress.bytes(hop) else { break }
            client = bytes
            if !trusts(bytes) { break }
        }
        return IPAddress.text(client)
    }

    /// The addresses the request passed through, first to last: `Forwarded: for=…` (RFC 7239) when present, else
    /// `X-Forwarded-For`.
    static func forwardedFor(_ headers: HTTPFields) -> [String] {
        let forwarded = headers[values: HTTPField.Name("Forwarded")!]
        if !forwarded.isEmpty {
            return forwarded.flatMap { $0.split(separator: ",") }.compactMap { element in
                element.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.lowercased().hasPrefix("for=") }
                    .map { hostOnly(String($0.dropFirst(4))) }
            }
        }
        return headers[values: HTTPField.Name("X-Forwarded-For")!].flatMap { $0.split(separator: ",") }
            .map { hostOnly($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// `"[2001:db8::1]:4711"` → `2001:db8::1`, `192.0.2.1:80` → `192.0.2.1`.
    static func hostOnly(_ value: String) -> String {
        var text = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { text = String(text[..<colon]) }
        return text
    }
}

/// IPv4 and IPv6 addresses as bytes; an IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`) is the IPv4 one.
enum IPAddress {
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
        return bytes
    }

    static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return written == nil ? "" : String(cString: buffer)
    }
}
