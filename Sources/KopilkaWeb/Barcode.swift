/// A card number as an EAN-13 barcode in SVG (card numbers are 13 digits with an EAN check digit), for a till's
/// scanner to read off the customer's phone.
enum Barcode {
    /// The 95 modules (true: a bar) of an EAN-13 number; nil unless `digits` is 13 decimal digits.
    static func modules(_ digits: String) -> [Bool]? {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count == 13, digits.count == 13 else { return nil }
        // Which of the left six digits use the G (even) code, by the first digit.
        let parity = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"][values[0]]
        var bits = "101"
        for (index, kind) in parity.enumerated() {
            let l = left[values[index + 1]]
            bits += kind == "L" ? l : String(String(l.map { $0 == "1" ? "0" : "1" }).reversed())
        }
        bits += "01010"
        for value in values[7...] { bits += String(left[value].map { $0 == "1" ? "0" : "1" }) }
        bits += "101"
        return bits.map { $0 == "1" }
    }

    /// The L codes of the digits 0–9 (G is L inverted and reversed, R is L inverted).
    static let left = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]

    /// The barcode with its digits under it, 2 px per module and a quiet zone; empty for an invalid number.
    static func svg(_ digits: String, label: String) -> String {
        guard let modules = modules(digits) else { return "" }
        let module = 2, quiet = 11 * module, width = 95 * module + 2 * quiet, height = 90
        var bars = ""
        var index = 0
        while index < modules.count {
            guard modules[index] else { index += 1; continue }
            var end = index
            while end < modules.count && modules[end] { end += 1 }
            bars += "<rect x=\"\(quiet + index * module)\" y=\"6\" width=\"\((end - index) * module)\" height=\"62\"/>"
            index = end
        }
        return """
            <svg class="barcode" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(Chart.escape(label))" xmlns="http://www.w3.org/2000/svg">\
            <rect width="\(width)" height="\(height)" fill="#fff"/><g fill="#000">\(bars)</g>\
            <text x="\(width / 2)" y="84" text-anchor="middle" class="barcode-digits">\(digits)</text></svg>
            """
    }
}
