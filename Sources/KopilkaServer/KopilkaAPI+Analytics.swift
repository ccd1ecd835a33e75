import Hummingbird
import KopilkaCore
import KopilkaStore

extension KopilkaAPI {
    /// `GET /v1/analytics/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD`: the dashboard's figures (admin keys only).
    func dashboard(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let (from, to) = try Self.period(request.uri.queryParameters.get("from"), request.uri.queryParameters.get("to"))
        return JSONBody.response(.ok, try await store.dashboard(merchantId: principal.merchantId, from: from, to: to, now: clock()))
    }

    /// A period from its two optional days: both valid dates, `from` not after `to`, at most 366 days.
    static func period(_ fromText: String?, _ toText: String?) throws -> (LocalDate?, LocalDate?) {
        func date(_ text: String?, _ field: String) throws -> LocalDate? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = LocalDate(text) else { throw Problem.invalid(field, "must be \(LocalDate.textFormat)") }
            return date
        }
        let from = try date(fromText, "from"), to = try date(toText, "to")
        if let from, let to {
            guard from <= to else { throw Problem.invalid("from", "must not be after to") }
            guard to.day - from.day < 366 else { throw Problem.invalid("to", "the period is at most 366 days") }
        } else if from != nil {
            throw Problem.invalid("to", "is required with from")
        }
        return (from, to)
    }
}
