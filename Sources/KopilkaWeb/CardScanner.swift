import CZbar

/// Reads a barcode or QR code off a camera frame with Debian's zbar: the web cashier's scan of a customer's card.
enum CardScanner {
    /// The largest frame the page sends: 640 × 480 pixels of one byte.
    static let largestFrame = 640 * 480

    /// The text of the first code zbar finds in a greyscale frame (one byte a pixel, row by row), or nil.
    static func read(grey pixels: [UInt8], width: Int, height: Int) -> String? {
        guard width > 0, height > 0, pixels.count == width * height else { return nil }
        guard let scanner = zbar_image_scanner_create() else { return nil }
        defer { zbar_image_scanner_destroy(scanner) }
        zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 1)
        guard let image = zbar_image_create() else { return nil }
        defer { zbar_image_destroy(image) }
        // Y800: 8-bit luminance, the format zbar scans without converting.
        zbar_image_set_format(image, UInt(UInt8(ascii: "Y")) | UInt(UInt8(ascii: "8")) << 8 | UInt(UInt8(ascii: "0")) << 16 | UInt(UInt8(ascii: "0")) << 24)
        zbar_image_set_size(image, UInt32(width), UInt32(height))
        return pixels.withUnsafeBufferPointer { buffer -> String? in
            // zbar reads the pixels in place while it scans, and is told not to free them.
            zbar_image_set_data(image, buffer.baseAddress, UInt(buffer.count), nil)
            guard zbar_scan_image(scanner, image) > 0, let symbol = zbar_image_first_symbol(image), let data = zbar_symbol_get_data(symbol)
            else { return nil }
            return String(cString: data)
        }
    }
}
