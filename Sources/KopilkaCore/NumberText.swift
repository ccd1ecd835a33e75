/// Formats amounts in hundredths for English machine text (problem details, level names): `12990` → `129.90`.
public func formatHundredths(_ value: Int64) -> String {
    let sign = value < 0 ? "-" : ""
    let magnitude = value.magnitude
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// Formats basis points: `3000` → `30 %`, `550` → `5.5 %`.
public func formatPercent(_ bp: BasisPoints) -> String {
    guard bp % 100 != 0 else { return "\(bp / 100) %" }
    let text = formatHundredths(bp)
    // "5.50 %" reads better as "5.5 %".
    return (text.hasSuffix("0") ? String(text.dropLast()) : text) + " %"
}
