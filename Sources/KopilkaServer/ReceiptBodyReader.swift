import KopilkaCore
import NIOCore

/// Reads the receipt body of calculate and commit straight from its bytes, for the bodies tills send: Foundation's
/// `JSONDecoder` took 17 % of a calculation's request threads (perf, 20 lines, 64 connections).
///
/// It gives up on anything it does not read exactly as `JSONDecoder` would — an escape in a string, a number that is
/// not a plain integer, a key it does not know or meets twice, a null where a value is required, a wrong type, bytes
/// that are not UTF-8 — and the caller then decodes with `JSONDecoder`, whose answer (or error, with the field at
/// fault) stands. `ReceiptBodyReaderTests` hold the two to the same values on generated bodies.
struct ReceiptBodyReader {
    private let bytes: UnsafeRawBufferPointer
    private var at = 0

    /// The body, or nil when `JSONDecoder` must read it.
    static func read(_ buffer: ByteBuffer) -> ReceiptBody? {
        buffer.withUnsafeReadableBytes { bytes in
            var reader = ReceiptBodyReader(bytes: bytes)
            guard let body = reader.receiptBody() else { return nil }
            reader.skipSpace()
            return reader.at == bytes.count ? body : nil
        }
    }

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private mutating func receiptBody() -> ReceiptBody? {
        var customer: CustomerRef?, storeId: String?, externalId: String?, lines: [ReceiptLine]?, redeem: RedeemRequest?
        var promoCodes: [String]?, cashier: String?, confirmationCode: String?, payments: [Payment]?
        let read = object { key, reader in
            switch key {
            case "customer": reader.optional(&customer) { $0.customerRef() }
            case "storeId": reader.optional(&storeId) { $0.string() }
            case "externalId": reader.optional(&externalId) { $0.string() }
            case "lines": reader.required(&lines) { $0.array { $0.line() } }
            case "redeem": reader.optional(&redeem) { $0.redeem() }
            case "promoCodes": reader.optional(&promoCodes) { $0.array { $0.string() } }
            case "cashier": reader.optional(&cashier) { $0.string() }
            case "confirmationCode": reader.optional(&confirmationCode) { $0.string() }
            case "payments": reader.optional(&payments) { $0.array { $0.payment() } }
            default: false
            }
        }
        guard read, let lines else { return nil }
        return ReceiptBody(
            customer: customer, storeId: storeId, externalId: externalId, lines: lines, redeem: redeem, promoCodes: promoCodes,
            cashier: cashier, confirmationCode: confirmationCode, payments: payments)
    }

    private mutating func customerRef() -> CustomerRef? {
        var id: String?, card: String?, phone: String?
        let read = object { key, reader in
            switch key {
            case "id": reader.optional(&id) { $0.string() }
            case "card": reader.optional(&card) { $0.string() }
            case "phone": reader.optional(&phone) { $0.string() }
            default: false
            }
        }
        return read ? CustomerRef(id: id, card: card, phone: phone) : nil
    }

    private mutating func line() -> ReceiptLine? {
        var sku: String?, name: String?, category: String?, quantity: Int64?, price: Int64?, amount: Int64?
        var flags: [LineFlag]?, tags: [String]?, minPrice: Int64?
        let read = object { key, reader in
            switch key {
            case "sku": reader.required(&sku) { $0.string() }
            case "name": reader.optional(&name) { $0.string() }
            case "category": reader.optional(&category) { $0.string() }
            case "quantity": reader.required(&quantity) { $0.integer() }
            case "price": reader.required(&price) { $0.integer() }
            case "amount": reader.optional(&amount) { $0.integer() }
            case "flags": reader.optional(&flags) { $0.array { $0.string().flatMap(LineFlag.init(rawValue:)) } }
            case "tags": reader.optional(&tags) { $0.array { $0.string() } }
            case "minPrice": reader.optional(&minPrice) { $0.integer() }
            default: false
            }
        }
        guard read, let sku, let quantity, let price else { return nil }
        return ReceiptLine(
            sku: sku, name: name ?? "", category: category, quantity: quantity, price: price, amount: amount, flags: flags ?? [],
            tags: tags ?? [], minPrice: minPrice)
    }

    private mutating func payment() -> Payment? {
        var method: Payment.Method?, amount: Int64?
        let read = object { key, reader in
            switch key {
            case "method": reader.required(&method) { $0.string().flatMap(Payment.Method.init(rawValue:)) }
            case "amountKopecks": reader.required(&amount) { $0.integer() }
            default: false
            }
        }
        guard read, let method, let amount else { return nil }
        return Payment(method: method, amountKopecks: amount)
    }

    private mutating func redeem() -> RedeemRequest? {
        if peek == UInt8(ascii: "\"") { return string() == "max" ? .max : nil }
        return integer().map(RedeemRequest.points)
    }

    // MARK: JSON

    private var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { at += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard peek == byte else { return false }
        at += 1
        return true
    }

    /// An object whose members `member` reads (false for a key it does not know); no key twice.
    private mutating func object(_ member: (String, inout ReceiptBodyReader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var seen: [String] = []
        repeat {
            skipSpace()
            guard let key = string(), !seen.contains(key), take(UInt8(ascii: ":")) else { return false }
            seen.append(key)
            skipSpace()
            guard member(key, &self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// A member that may be null or absent.
    private mutating func optional<T>(_ value: inout T?, _ read: (inout ReceiptBodyReader) -> T?) -> Bool {
        if literal("null") { return true }
        value = read(&self)
        return value != nil
    }

    /// A member that must have a value.
    private mutating func required<T>(_ value: inout T?, _ read: (inout ReceiptBodyReader) -> T?) -> Bool {
        value = read(&self)
        return value != nil
    }

    private mutating func array<T>(_ element: (inout ReceiptBodyReader) -> T?) -> [T]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var elements: [T] = []
        if take(UInt8(ascii: "]")) { return elements }
        repeat {
            skipSpace()
            guard let value = element(&self) else { return nil }
            elements.append(value)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? elements : nil
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[at + offset] != word.utf8Start[offset] { return false }
        at += count
        return true
    }

    /// A string without escapes or control characters, in valid UTF-8.
    private mutating func string() -> String? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        let start = at + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        at = end + 1
        return String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// An integer as JSON writes it (no fraction, no exponent, no leading zero) that fits in 64 bits.
    private mutating func integer() -> Int64? {
        let negative = peek == UInt8(ascii: "-")
        if negative { at += 1 }
        let start = at
        var magnitude: UInt64 = 0
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            magnitude = sum
            at += 1
        }
        let digits = at - start
        guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
        if let byte = peek, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
