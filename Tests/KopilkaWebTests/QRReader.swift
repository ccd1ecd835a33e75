import Foundation

/// Reads QR codes out of an image with zbar's `zbarimg`, a decoder of its own (not libqrencode, which draws them).
enum QRReader {
    static let path = "/usr/bin/zbarimg"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// The text of each QR code in the image file.
    static func decode(_ file: URL) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").map(String.init)
    }
}
