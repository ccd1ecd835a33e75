import KopilkaStore

/// The controls of a settings form as the `form-field` partial draws them, labelled from `<prefix>.<name>`. Every key of
/// a control is set, since Mustache looks a missing one up in the enclosing contexts.
struct FormControls {
    let visit: Visit
    /// What the form shows, by field name.
    let fields: [String: String]
    let errors: [String: String]
    /// Where the labels are in the strings (`program`, `stamps`).
    let prefix: String
    /// What the tills have sent, for the catalogue pickers.
    var catalogue: [CatalogueItem] = []

    /// A text box (`mode`: the keyboard phones show, `decimal`, `numeric` or `text`).
    func input(_ name: String, _ mode: String = "decimal", label: String? = nil) -> [String: Any] {
        var control: [String: Any] = ["input": true, "name": name, "label": label ?? visit.t("\(prefix).\(name)"), "mode": mode, "value": fields[name] ?? ""]
        if let error = errors[name] { control["error"] = error }
        return control
    }

    /// A checkbox, ticked when the field is `on` (Mustache would tick it for any string, "" included).
    func checkbox(_ name: String) -> [String: Any] {
        ["checkbox": true, "name": name, "label": visit.t("\(prefix).\(name)"), "checked": fields[name] == "on"]
    }

    /// A choice of `options` (value, label).
    func select(_ name: String, _ options: [(value: String, label: String)]) -> [String: Any] {
        ["select": true, "name": name, "label": visit.t("\(prefix).\(name)"),
         "options": options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == fields[name]] }]
    }

    /// Several boxes under one legend (`options`: field name, label).
    func choices(_ label: String, _ options: [(name: String, label: String)]) -> [String: Any] {
        ["choices": true, "label": label, "options": options.map { ["name": $0.name, "label": $0.label, "checked": fields[$0.name] == "on"] }]
    }

    /// Catalogue items to choose, all under one name (the form reads the boxes ticked and the codes typed as one list):
    /// every category the tills have sent, or for SKUs the ones chosen, the rest suggested as a code is typed. A chosen
    /// code no till has sent is marked: a rule on it never applies.
    func picker(_ name: String, _ kind: CatalogueItem.Kind, label: String? = nil) -> [String: Any] {
        let chosen = WebConsole.list(fields[name])
        let known = catalogue.filter { $0.kind == kind }
        let knownCodes = Set(known.map(\.code))
        let offered = kind == .category ? known : known.filter { chosen.contains($0.code) }
        func option(_ code: String, _ item: CatalogueItem?) -> [String: Any] {
            let shown = item?.shownName ?? code
            return ["value": code, "optionLabel": shown, "showCode": shown != code, "checked": chosen.contains(code),
                    "unknown": !known.isEmpty && !knownCodes.contains(code)]
        }
        let options = offered.map { option($0.code, $0) } + chosen.filter { code in !offered.contains { $0.code == code } }.map { option($0, nil) }
        var control: [String: Any] = [
            "picker": true, "name": name, "label": label ?? visit.t("\(prefix).\(name)"), "options": options, "hasOptions": !options.isEmpty,
            "otherLabel": visit.t(kind == .category ? "picker.otherCategories" : "picker.otherSkus"), "unknownText": visit.t("picker.unknown"),
            "suggestions": kind == .sku ? known.filter { !chosen.contains($0.code) }.map { ["value": $0.code, "optionLabel": $0.shownName] } : [],
            "hasSuggestions": kind == .sku && !known.isEmpty,
        ]
        if let error = errors[name] { control["error"] = error }
        return control
    }
}
