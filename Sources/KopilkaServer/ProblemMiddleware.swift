import Hummingbird
import KopilkaStore
import Logging

/// Turns every error into problem+json, counts responses and logs each request at `info`, one line without personal
/// data: the method, the route's template (`/v1/customers/{id}`, never the query: phones and card numbers travel in
/// queries and bodies), the status, the time and the API key's kind and first characters (which register or admin).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: Metrics
    /// `UnsafeVariants.logsQueries`: the log line shows the query too.
    var logsQueries = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = try problem.response(from: request, context: context)
        } catch let error as KopilkaError {
            response = try Problem(error).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let allowed = error.status == .notFound ? KopilkaAPI.methods(allowedAt: request.uri.path) : []
            var problem: Problem
            if !allowed.isEmpty {
                problem = Problem(.methodNotAllowed, code: "method_not_allowed", detail: "\(request.method.rawValue) is not served here; allowed: \(allowed.joined(separator: ", "))")
                problem.headers[.allow] = allowed.joined(separator: ", ")
            } else if error.status == .notFound {
                problem = Problem(.notFound, code: "not_found", detail: "no such route: see /openapi.yaml")
            } else {
                problem = Problem(error.status, code: error.status == .contentTooLarge ? "body_too_large" : "http_error", detail: error.status.reasonPhrase)
            }
            response = try problem.response(from: request, context: context)
        } catch {
            // Only the error's type is logged: its text may quote request data.
            logger.error("unhandled error", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            response = try Problem(.internalServerError, code: "internal_error", detail: "something went wrong on our side; nothing was acknowledged")
                .response(from: request, context: context)
        }
        let status = response.status.code
        metrics.requests.add(1)
        if status >= 500 { metrics.serverErrors.add(1) } else if status >= 400 { metrics.clientErrors.add(1) }
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "route": "\(logsQueries ? request.uri.description : context.endpointPath ?? "unmatched")",
            "status": "\(status)",
            "ms": "\(elapsed.components.attoseconds / 1_000_000_000_000_000 + elapsed.components.seconds * 1000)",
        ]
        if let key = Self.keyPrefix(request) { metadata["key"] = "\(key)" }
        logger.info("request", metadata: metadata)
        return response
    }

    /// The key's kind (`kpk_reg_`, `kpk_adm_`) and its first four characters after it: enough to tell keys apart, far from
    /// the secret.
    static func keyPrefix(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer kpk_") else { return nil }
        return String(header.dropFirst("Bearer ".count).prefix("kpk_reg_".count + 4))
    }
}
