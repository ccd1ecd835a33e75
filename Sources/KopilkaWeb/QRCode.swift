import CQRencode
import CZlib

/// A QR code (ISO/IEC 18004, error correction level M) made by Debian's libqrencode, drawn as SVG for pages and as PNG
/// for printing; the tests read both back with zbar.
struct QRCode {
    /// Modules per side.
    let size: Int
    /// Row by row, true for a dark module.
    let modules: [Bool]
    /// The light border every reader needs around the code, in modules.
    static let quietZone = 4

    /// The code for `text` (a URL), or nil when it is too long for a QR code.
    init?(_ text: String) {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        size = Int(code.pointee.width)
        // libqrencode's lowest bit of each byte is the module's colour; the others say what the module is for.
        modules = (0..<size * size).map { code.pointee.data[$0] & 1 == 1 }
    }

    func isDark(_ x: Int, _ y: Int) -> Bool {
        x >= 0 && y >= 0 && x < size && y < size && modules[y * size + x]
    }

    /// The code as SVG, one unit per module with the quiet zone, scaled by the page.
    func svg(label: String) -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x, y) else { x += 1; continue }
                // A run of dark modules in a row is one rectangle.
                var run = 1
                while isDark(x + run, y) { run += 1 }
                path += "M\(x + Self.quietZone) \(y + Self.quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges" role="img" \
            aria-label="\(Chart.escape(label))"><rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }

    /// The code as a black-and-white PNG, `scale` pixels per module, with the quiet zone.
    func png(scale: Int) -> [UInt8] {
        let side = (size + 2 * Self.quietZone) * scale
        let rowBytes = (side + 7) / 8
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * side)
        for py in 0..<side {
            raw.append(0)  // filter: none
            var row = [UInt8](repeating: 0xFF, count: rowBytes)
            for px in 0..<side where isDark(px / scale - Self.quietZone, py / scale - Self.quietZone) {
                row[px / 8] &= ~(0x80 >> UInt8(px % 8))
            }
            raw += row
        }
        var header: [UInt8] = []
        header += Self.bigEndian(UInt32(side)) + Self.bigEndian(UInt32(side))
        header += [1, 0, 0, 0, 0]  // 1 bit per pixel, greyscale, deflate, adaptive filters, not interlaced
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + Self.chunk("IHDR", header) + Self.chunk("IDAT", Self.deflate(raw)) + Self.chunk("IEND", [])
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
    }

    /// zlib's format, which PNG's image data is.
    private static func deflate(_ data: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let code = compress2(&out, &length, data, uLong(data.count), Z_BEST_COMPRESSION)
        precondition(code == Z_OK, "zlib compress2: \(code)")
        return Array(out.prefix(Int(length)))
    }
}
