import Foundation
import Hummingbird
import KopilkaCore

/// JSON in and out, with decoding errors turned into problems that name the field.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The JSON of `value`; the reasons it holds worded by `wording` (an answer's), or left without sentences.
    static func encode(_ value: some Encodable, wording: Wording? = nil) -> [UInt8] {
        if let writable = value as? any JSONWritable { return JSONWriter.bytes(of: writable, wording: wording) }
        var encoder = self.encoder
        if let wording {
            encoder = JSONEncoder()
            encoder.outputFormatting = self.encoder.outputFormatting
            encoder.userInfo[.wording] = wording
        }
        // Our own response types always encode; a failure here is a programming error.
        return Array((try? encoder.encode(value)) ?? Data(#"{"error":"encoding failed"}"#.utf8))
    }

    static func response(
        _ status: HTTPResponse.Status, _ value: some Encodable, wording: Wording? = nil, contentType: String = "application/json"
    ) -> Response {
        response(status: status.code, bytes: encode(value, wording: wording), contentType: contentType)
    }

    static func response(status: Int, bytes: [UInt8], contentType: String = "application/json") -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Decodes a request body, or throws a `validation_failed` problem naming the field at fault.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: ByteBuffer) throws -> T {
        guard bytes.readableBytes > 0 else { throw Problem.invalid("body", "a JSON object is required") }
        if hasForbiddenCharacter(bytes) {
            let path = firstPath(in: bytes) { ($0 as? String)?.unicodeScalars.contains { isForbidden(Int($0.value)) } == true } ?? "body"
            throw Problem.invalid(path, "must not contain NUL or bidirectional control characters (U+202A–U+202E, U+2066–U+2069)")
        }
        if let fault = StrictJSON.fault(in: bytes) { throw Problem.invalid(fault.field, fault.message) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: bytes))
        } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, let context):
                throw Problem.invalid(path(context.codingPath + [key]), "is required")
            case .typeMismatch(let expected, let context):
                throw Problem.invalid(path(context.codingPath), "must be \(describe(expected))")
            case .valueNotFound(let expected, let context):
                throw Problem.invalid(path(context.codingPath), "must be \(describe(expected)), not null")
            case .dataCorrupted(let context):
                if context.codingPath.isEmpty {
                    // Foundation reports a number that does not fit an integer as invalid JSON, without a path.
                    if let path = nonIntegerNumberPath(bytes) {
                        throw Problem.invalid(path, "must be a whole number within range (money and points in hundredths, quantities in thousandths)")
                    }
                    throw Problem.invalid("body", "is not valid JSON")
                }
                throw Problem.invalid(path(context.codingPath), fieldMessage(context))
            @unknown default:
                throw Problem.invalid("body", "is not valid JSON")
            }
        }
    }

    /// Decodes the receipt body of calculate and commit: read straight from its bytes when `ReceiptBodyReader` can,
    /// else as any other body (whose errors name the field at fault).
    static func decodeReceipt(from bytes: ByteBuffer) throws -> ReceiptBody {
        if !hasForbiddenCharacter(bytes), let body = ReceiptBodyReader.read(bytes) { return body }
        return try decode(ReceiptBody.self, from: bytes)
    }

    /// Whether a string in the body holds NUL (PostgreSQL cannot store it; it cuts C strings short) or a bidirectional
    /// override or isolate (which makes a name or an article display as something else), raw or as a `\u` escape.
    static func hasForbiddenCharacter(_ bytes: ByteBuffer) -> Bool {
        let data = bytes.readableBytesView
        var index = data.startIndex
        func hex(_ at: Int) -> Int? {
            guard at + 4 <= data.endIndex, let value = Int(String(decoding: data[at..<at + 4], as: UTF8.self), radix: 16) else { return nil }
            return value
        }
        while index < data.endIndex {
            let byte = data[index]
            if byte == UInt8(ascii: "\\"), index + 1 < data.endIndex {
                if data[index + 1] == UInt8(ascii: "u"), let scalar = hex(index + 2), isForbidden(scalar) { return true }
                index += 2
                continue
            }
            // U+202A…U+202E are E2 80 AA…AE in UTF-8; U+2066…U+2069 are E2 81 A6…A9.
            if byte == 0xE2, index + 2 < data.endIndex {
                let (second, third) = (data[index + 1], data[index + 2])
                if (second == 0x80 && (0xAA...0xAE).contains(third)) || (second == 0x81 && (0xA6...0xA9).contains(third)) { return true }
            }
            if byte == 0 { return true }
            index += 1
        }
        return false
    }

    static func isForbidden(_ scalar: Int) -> Bool { scalar == 0 || (0x202A...0x202E).contains(scalar) || (0x2066...0x2069).contains(scalar) }

    /// The path of the first number that is not a 64-bit integer, if the body is otherwise valid JSON.
    static func nonIntegerNumberPath(_ bytes: ByteBuffer) -> String? {
        firstPath(in: bytes) { value in
            guard let number = value as? NSNumber, !(value is Bool) else { return false }
            return Int64(number.stringValue) == nil
        }
    }

    /// The path of the first value (depth first, keys in order) that `matches`, if the body is valid JSON.
    static func firstPath(in bytes: ByteBuffer, where matches: (Any) -> Bool) -> String? {
        let data = Data(buffer: bytes)
        // Parse again only shallow documents: ours nest a few levels, and a hostile one must not recurse deeply.
        var depth = 0
        var maxDepth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
                maxDepth = max(maxDepth, depth)
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        guard maxDepth <= 32, let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        func find(_ value: Any, _ path: String) -> String? {
            if let dictionary = value as? [String: Any] {
                for key in dictionary.keys.sorted() {
                    if let found = find(dictionary[key]!, path.isEmpty ? key : "\(path).\(key)") { return found }
                }
            } else if let array = value as? [Any] {
                for (index, element) in array.enumerated() {
                    if let found = find(element, "\(path)[\(index)]") { return found }
                }
            } else if matches(value) {
                return path.isEmpty ? "body" : path
            }
            return nil
        }
        return find(object, "")
    }

    /// `lines[2].price` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out.isEmpty ? "body" : out
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type, is Int.Type: return "an integer (money and points in hundredths, quantities in thousandths)"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return type is any Collection.Type ? "an array" : "an object"
        }
    }

    static func fieldMessage(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        if text.contains("does not fit") || text.contains("Number") || text.contains("number") {
            return "must be a whole number within range (money and points in hundredths, quantities in thousandths)"
        }
        if text.contains("Cannot initialize") { return "is not one of the allowed values" }
        return text
    }
}
