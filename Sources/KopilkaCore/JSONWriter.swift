/// A value that writes its own JSON: byte for byte what Foundation's `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` writes for it, an order of magnitude faster. For the answers on the till's hot path,
/// where `JSONEncoder` took half of the single writer's time (`kopilka bench`, perf).
///
/// A conformance writes an object's keys in byte order (`B` < `_` < `a`, `earnLotId` < `earnedPoints`) and leaves nil
/// optionals out, as the synthesized `Encodable` does; `JSONWriterTests` compare every conformance with `JSONEncoder`.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

/// Writes JSON into a byte buffer: objects through `object` and `field`, arrays through `array`.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the object being written has a field already (the next one needs a comma).
    private var hasField = false
    /// How reasons are worded (an answer in its reader's language); without it they are written without sentences.
    public let wording: Wording?

    public init(capacity: Int = 1024, wording: Wording? = nil) {
        bytes.reserveCapacity(capacity)
        self.wording = wording
    }

    /// The JSON text of `value`, its reasons worded by `wording` when given.
    public static func bytes(of value: some JSONWritable, capacity: Int = 1024, wording: Wording? = nil) -> [UInt8] {
        var json = JSONWriter(capacity: capacity, wording: wording)
        value.write(to: &json)
        return json.bytes
    }

    /// An object whose fields `body` writes with `field`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        hasField = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
    }

    /// A field of the object being written; nothing when `value` is nil. `key` must need no escaping.
    public mutating func field(_ key: StaticString, _ value: (some JSONWritable)?) {
        guard let value else { return }
        if hasField { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        value.write(to: &self)
        hasField = true
    }

    /// An object of one field, `{"key":value}`, without a closure (small values written by the thousand: a reason's).
    public mutating func single(_ key: StaticString, _ value: some JSONWritable) {
        bytes.append(UInt8(ascii: "{"))
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        value.write(to: &self)
        bytes.append(UInt8(ascii: "}"))
    }

    /// JSON text written before, as it is.
    mutating func append(json: [UInt8]) { bytes.append(contentsOf: json) }

    /// An array of `elements`.
    public mutating func array<Elements: Sequence>(_ elements: Elements) where Elements.Element: JSONWritable {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A string, escaped as `JSONEncoder` escapes it: quote, backslash and control characters; `/` and non-ASCII as they are.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs that need no escaping are copied whole.
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                escape(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }

    /// A whole number in decimal.
    public mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // At most 20 digits; written backwards into a fixed buffer, then copied in order.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// `true` or `false`.
    public mutating func boolean(_ value: Bool) {
        (value ? "true" : "false" as StaticString).withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}

extension Int64: JSONWritable {
    public func write(to json: inout JSONWriter) { json.integer(self) }
}

extension Int: JSONWritable {
    public func write(to json: inout JSONWriter) { json.integer(Int64(self)) }
}

extension Bool: JSONWritable {
    public func write(to json: inout JSONWriter) { json.boolean(self) }
}

extension String: JSONWritable {
    public func write(to json: inout JSONWriter) { json.string(self) }
}

extension Array: JSONWritable where Element: JSONWritable {
    public func write(to json: inout JSONWriter) { json.array(self) }
}

extension Instant: JSONWritable {
    public func write(to json: inout JSONWriter) { json.string(description) }
}
