import KopilkaCore
import KopilkaStore
import KopilkaWords

/// The web cashier's receipt lines as its form carries them (`line1sku`, `line1name`, `line1category`,
/// `line1quantity`, `line1price`, …): items picked from the catalogue or typed, kept as typed until the receipt is
/// committed. Rows are added as the cashier needs them; the form renumbers them every time it is drawn.
struct CashierRows {
    struct Row: Equatable {
        /// The catalogue's code for an item picked from it; empty for a row the cashier typed.
        var sku = "", name = "", category = "", quantity = "", price = ""
        var isEmpty: Bool { [sku, name, category, quantity, price].allSatisfy(\.isEmpty) }
    }

    /// The SKU of a line the cashier typed without a name, and of a total-only sale: never offered back as an item.
    static let untitledSKU = "web-cashier"
    /// At most this many rows on one receipt.
    static let limit = 40

    var rows: [Row]

    init(rows: [Row] = []) { self.rows = rows }

    /// The rows the form sent, blank ones dropped.
    init(form: [String: String]) {
        rows = (1...Self.limit).compactMap { number in
            func field(_ part: String) -> String { (form["line\(number)\(part)"] ?? "").trimmingCharacters(in: .whitespaces) }
            let row = Row(sku: field("sku"), name: field("name"), category: field("category"), quantity: field("quantity"), price: field("price"))
            return row.isEmpty ? nil : row
        }
    }

    /// One more of a catalogue item: its row's quantity goes up by one, or a new row at its price.
    mutating func add(_ item: CatalogueItem, _ format: Formatting) {
        if let index = rows.firstIndex(where: { $0.sku == item.code }) {
            let quantity = parsePoints(rows[index].quantity.isEmpty ? "1" : rows[index].quantity) ?? 100
            rows[index].quantity = format.plain(quantity + 100)
            return
        }
        guard rows.count < Self.limit else { return }
        rows.append(Row(
            sku: item.code, name: item.shownName, category: item.category ?? "", quantity: "1", price: item.offeredPrice.map(format.plain) ?? ""))
    }

    /// Removes the row numbered `number` (from 1), as the form showed it.
    mutating func remove(_ number: Int) {
        if rows.indices.contains(number - 1) { rows.remove(at: number - 1) }
    }

    /// The form's fields for the rows, numbered from 1.
    var fields: [String: String] {
        var fields: [String: String] = [:]
        for (index, row) in rows.enumerated() {
            let number = index + 1
            (fields["line\(number)sku"], fields["line\(number)name"], fields["line\(number)category"]) = (row.sku, row.name, row.category)
            (fields["line\(number)quantity"], fields["line\(number)price"]) = (row.quantity, row.price)
        }
        return fields
    }

    /// The receipt's lines, and the rows at fault by number (a row needs a price; a quantity is to a hundredth, so
    /// kilograms read 0,35), in the words `t` gives. A typed row's SKU is its name, so the catalogue learns what the cashier sells.
    func lines(_ t: (String) -> String) -> (lines: [ReceiptLine], errors: [Int: String]) {
        var lines: [ReceiptLine] = [], errors: [Int: String] = [:]
        for (index, row) in rows.enumerated() {
            let number = index + 1
            if row.isEmpty { continue }
            guard !row.price.isEmpty else {
                errors[number] = t("cashier.linePriceRequired")
                continue
            }
            guard let price = parseMoney(row.price), price > 0 else {
                errors[number] = t("cashier.linePriceInvalid")
                continue
            }
            guard let quantity = row.quantity.isEmpty ? 100 : parsePoints(row.quantity), quantity > 0, quantity <= 1_000_000 else {
                errors[number] = t("cashier.lineQuantityInvalid")
                continue
            }
            let name = String(row.name.prefix(200))
            let sku = !row.sku.isEmpty ? row.sku : name.isEmpty ? Self.untitledSKU : String(name.prefix(64))
            lines.append(ReceiptLine(
                sku: sku, name: name.isEmpty ? t("cashier.lineName") : name, category: row.category.isEmpty ? nil : String(row.category.prefix(100)),
                quantity: quantity * 10, price: price))
        }
        return (lines, errors)
    }

    /// The item the cashier typed or picked in the search box: by its code, else by the name shown for it, ignoring case.
    static func find(_ text: String, in catalogue: [CatalogueItem]) -> CatalogueItem? {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return nil }
        let skus = catalogue.filter { $0.kind == .sku && $0.code != untitledSKU }
        return skus.first { $0.code == wanted } ?? skus.first { $0.shownName.lowercased() == wanted.lowercased() }
    }
}
