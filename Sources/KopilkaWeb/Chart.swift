/// Charts drawn on the server as SVG: no script, readable by screen readers (a title and a label per bar).
enum Chart {
    /// A bar per value, with the largest value marked on the axis and the first and last labels under the bars.
    static func bars(_ points: [(label: String, value: Int64)], title: String, format: (Int64) -> String) -> String {
        let width = 720, height = 200, left = 8, bottom = 24, top = 18
        let top_value = max(points.map(\.value).max() ?? 0, 1)
        let slot = Double(width - left * 2) / Double(max(points.count, 1))
        var svg = """
            <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(escape(title))" xmlns="http://www.w3.org/2000/svg">\
            <title>\(escape(title))</title>\
            <text x="\(left)" y="12" class="chart-axis">\(escape(format(top_value)))</text>\
            <line x1="\(left)" y1="\(top)" x2="\(width - left)" y2="\(top)" class="chart-grid"/>\
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - left)" y2="\(height - bottom)" class="chart-grid"/>
            """
        for (index, point) in points.enumerated() {
            let barHeight = Double(height - bottom - top) * Double(max(point.value, 0)) / Double(top_value)
            let x = Double(left) + slot * Double(index) + slot * 0.15
            svg += """
                <rect x="\(rounded(x))" y="\(rounded(Double(height - bottom) - barHeight))" width="\(rounded(slot * 0.7))" \
                height="\(rounded(barHeight))" class="chart-bar"><title>\(escape(point.label)): \(escape(format(point.value)))</title></rect>
                """
        }
        if let first = points.first, let last = points.last {
            svg += "<text x=\"\(left)\" y=\"\(height - 6)\" class=\"chart-axis\">\(escape(first.label))</text>"
            svg += "<text x=\"\(width - left)\" y=\"\(height - 6)\" class=\"chart-axis\" text-anchor=\"end\">\(escape(last.label))</text>"
        }
        return svg + "</svg>"
    }

    private static func rounded(_ value: Double) -> String { String(Double(Int(value * 10)) / 10) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
