import Foundation
import NIOCore

/// What the protocol refuses that `JSONDecoder` lets through: a number with a fraction or an exponent (`10000.0`,
/// `1e4`; "no floats anywhere", and `9999.9999999999999` would be read as 10000), a trailing comma (`{"redeem": 0,}`)
/// and a key given twice in one object (`"redeem": 0, "redeem": 1000`: `JSONDecoder` keeps the first, most parsers the
/// last, so a proxy in front could read a different receipt). One pass over the bytes, before decoding.
enum StrictJSON {
    /// Objects and arrays nest at most this deep; the protocol's bodies nest four levels.
    static let maxDepth = 32

    /// The first of those faults as (the field's path, what is wrong); nil when there is none, or when the body is not
    /// JSON at all (the decoder's error says so).
    static func fault(in buffer: ByteBuffer) -> (field: String, message: String)? {
        buffer.withUnsafeReadableBytes { bytes in
            var scanner = Scanner(bytes: bytes)
            scanner.skipSpace()
            do {
                try scanner.value(path: "", depth: 0)
                return nil
            } catch let fault as Fault {
                return (fault.path.isEmpty ? "body" : fault.path, fault.message)
            } catch {
                return nil
            }
        }
    }

    struct Fault: Error {
        var path: String
        var message: String
    }

    /// Not JSON: left to the decoder.
    struct Malformed: Error {}

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func value(path: String, depth: Int) throws {
            skipSpace()
            guard at < bytes.count else { throw Malformed() }
            switch bytes[at] {
            case UInt8(ascii: "{"): try object(path: path, depth: depth + 1)
            case UInt8(ascii: "["): try array(path: path, depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(path: path)
            default: try literal()
            }
        }

        mutating func object(path: String, depth: Int) throws {
            guard depth <= StrictJSON.maxDepth else { throw Fault(path: "", message: "nests deeper than \(StrictJSON.maxDepth) levels") }
            at += 1
            if take(UInt8(ascii: "}")) { return }
            var keys = Set<String>()
            repeat {
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                    throw Fault(path: path, message: "has a comma after its last member")
                }
                let key = try string()
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard keys.insert(key).inserted else { throw Fault(path: field, message: "is given twice") }
                guard take(UInt8(ascii: ":")) else { throw Malformed() }
                try value(path: field, depth: depth)
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { throw Malformed() }
        }

        mutating func array(path: String, depth: Int) throws {
            guard depth <= StrictJSON.maxDepth else { throw Fault(path: "", message: "nests deeper than \(StrictJSON.maxDepth) levels") }
            at += 1
            if take(UInt8(ascii: "]")) { return }
            var index = 0
            repeat {
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                    throw Fault(path: path, message: "has a comma after its last element")
                }
                try value(path: "\(path)[\(index)]", depth: depth)
                index += 1
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")) else { throw Malformed() }
        }

        /// A string's text: the bytes between the quotes, or, with escapes, as the decoder reads them.
        mutating func string() throws -> String {
            guard take(UInt8(ascii: "\"")) else { throw Malformed() }
            let start = at
            var escaped = false
            while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
                if bytes[at] == UInt8(ascii: "\\") {
                    escaped = true
                    at += 1
                }
                at += 1
            }
            guard at < bytes.count else { throw Malformed() }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<at])
            at += 1
            guard escaped else { return String(decoding: raw, as: UTF8.self) }
            let quoted = Data([UInt8(ascii: "\"")] + Array(raw) + [UInt8(ascii: "\"")])
            guard let text = try? JSONDecoder().decode(String.self, from: quoted) else { throw Malformed() }
            return text
        }

        mutating func number(path: String) throws {
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] | 0x20 == UInt8(ascii: "e") {
                throw Fault(
                    path: path,
                    message:
                        "must be a whole number, without a fraction or an exponent (money and points in hundredths, quantities in thousandths)"
                )
            }
        }

        mutating func literal() throws {
            for word in ["true", "false", "null"] where bytes.count - at >= word.utf8.count {
                if zip(bytes[at...], word.utf8).allSatisfy({ $0 == $1 }) {
                    at += word.utf8.count
                    return
                }
            }
            throw Malformed()
        }
    }
}
