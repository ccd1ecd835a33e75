/// The controls of a settings form as the `form-field` partial draws them, labelled from `<prefix>.<name>`. Every key of
/// a control is set, since Mustache looks a missing one up in the enclosing contexts.
struct FormControls {
    let visit: Visit
    /// What the form shows, by field name.
    let fields: [String: String]
    let errors: [String: String]
    /// Where the labels are in the strings (`program`, `stamps`).
    let prefix: String

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
}
