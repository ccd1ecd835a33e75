import Foundation

/// What `Browser.overflowingElements()` found: whether the page scrolls sideways and which elements stick out.
struct OverflowReport: Sendable, CustomStringConvertible {
    /// `document.documentElement.clientWidth`: the layout viewport (390 on the phone).
    let clientWidth: Int
    /// `document.documentElement.scrollWidth`: wider than `clientWidth` when the page scrolls sideways.
    let scrollWidth: Int
    /// The outermost elements (or their own text) whose right edge passes `clientWidth`, not counting what a
    /// scrolling or clipping box (overflow-x other than visible) keeps inside itself.
    let elements: [(selector: String, text: String, right: Double)]

    var scrollsHorizontally: Bool { scrollWidth > clientWidth }

    var description: String {
        let lines = elements.map { "  \($0.selector) (right edge \(Int($0.right.rounded(.up)))): \($0.text)" }
        return (["page \(scrollWidth) px wide in a \(clientWidth) px viewport"] + lines).joined(separator: "\n")
    }
}

extension Browser {
    /// Runs axe-core on the current page for WCAG 2 A and AA rules (by default) and returns its violations, each
    /// with the number of elements affected. `axeScript` is axe.min.js's source (`AXE_JS` from
    /// scripts/setup-browser); it is injected once per page.
    func axeViolations(axeScript: String, tags: [String] = ["wcag2a", "wcag2aa"]) async throws
        -> [(id: String, impact: String, nodes: Int, help: String)]
    {
        if try await execute("return typeof window.axe === 'undefined'") as? Bool ?? true {
            try await execute(axeScript)
        }
        let script = """
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact || '', nodes: v.nodes.length, help: v.help}))))
              .catch(e => done({error: String(e && e.stack || e)}));
            """
        let result = try await executeAsync(script, [tags])
        if let failure = (result as? [String: Any])?["error"] { throw BrowserError("axe.run failed: \(failure)") }
        guard let violations = result as? [[String: Any]] else { throw BrowserError("axe.run returned \(String(describing: result))") }
        return violations.map {
            (id: $0["id"] as? String ?? "?", impact: $0["impact"] as? String ?? "", nodes: ($0["nodes"] as? NSNumber)?.intValue ?? 0,
             help: $0["help"] as? String ?? "")
        }
    }

    /// Finds what sticks out to the right of the viewport (text that does not fit at phone width, a table too wide):
    /// the outermost visible elements whose box or own text ends past `clientWidth`, and whether the page scrolls.
    /// The boxes that scroll sideways (a wide table in its `.scroll` box) and must be scrolled to be read whole: at a
    /// desktop's width, none should.
    func sidewaysScrollers() async throws -> [String] {
        let script = """
            return [...document.querySelectorAll('*')].filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
              && el.scrollWidth > el.clientWidth + 1).map(el => (el.id ? '#' + el.id : el.localName + '.' + [...el.classList].join('.'))
              + ' ' + el.clientWidth + '/' + el.scrollWidth + ' ' + (el.querySelector('table') || {}).id);
            """
        return try await execute(script) as? [String] ?? []
    }

    func overflowingElements() async throws -> OverflowReport {
        let script = """
            const root = document.documentElement, limit = root.clientWidth + 0.5;
            const clipped = el => { for (let a = el.parentElement; a && a !== root && a !== document.body; a = a.parentElement)
                if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
            const right = el => { let r = el.getBoundingClientRect().right + scrollX;
              for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) {
                const range = document.createRange(); range.selectNodeContents(n); r = Math.max(r, range.getBoundingClientRect().right + scrollX); }
              return r; };
            const name = el => { if (el.id) return '#' + CSS.escape(el.id);
              let s = el.localName + [...el.classList].map(c => '.' + CSS.escape(c)).join('');
              const p = el.parentElement; if (p && [...p.children].filter(c => c.localName === el.localName).length > 1)
                s += ':nth-of-type(' + ([...p.children].filter(c => c.localName === el.localName).indexOf(el) + 1) + ')';
              return s; };
            const path = el => { const parts = []; for (; el && el !== root; el = el.parentElement) { parts.unshift(name(el)); if (el.id) break; }
              return parts.join(' > '); };
            const over = new Set(), found = [];
            for (const el of document.body.querySelectorAll('*')) {
              const box = el.getBoundingClientRect(), style = getComputedStyle(el);
              if (box.width === 0 && box.height === 0 || style.visibility === 'hidden' || style.display === 'contents') continue;
              const r = right(el); if (r <= limit || clipped(el)) continue;
              over.add(el); if (over.has(el.parentElement)) continue;
              found.push({selector: path(el), text: (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80), right: r});
            }
            return {clientWidth: root.clientWidth, scrollWidth: root.scrollWidth, elements: found};
            """
        guard let result = try await execute(script) as? [String: Any] else { throw BrowserError("overflow script returned nothing") }
        let elements = (result["elements"] as? [[String: Any]] ?? []).map {
            (selector: $0["selector"] as? String ?? "?", text: $0["text"] as? String ?? "", right: ($0["right"] as? NSNumber)?.doubleValue ?? 0)
        }
        return OverflowReport(
            clientWidth: (result["clientWidth"] as? NSNumber)?.intValue ?? 0, scrollWidth: (result["scrollWidth"] as? NSNumber)?.intValue ?? 0,
            elements: elements)
    }
}
