import FeatureIO
import Foundation
import Hummingbird
import Logging
import NIOHTTP1

/// Answers every request: routes it, turns every failure into a JSON error answer, counts it
/// and logs it (at debug level: at the rate the server answers, info would flood the log).
struct IntakeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: GridStore
    let metrics: ServerMetrics
    let settings: IntakeServer.Configuration
    let reloader: Reloader
    let logger: Logger

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let started = monotonicSeconds()
        let path = request.uri.path
        let (route, code) = Self.match(path)
        let method: MethodLabel = request.method == .get ? .get : request.method == .post ? .post : .other
        var lookups: ServerMetrics.LookupCounts?
        var response: Response
        do {
            response = try await answer(request, route: route, code: code, method: method, lookups: &lookups)
        } catch let error as IntakeServerError {
            response = Self.errorResponse(error)
        } catch let error as HTTPParserError {
            // A body the client framed wrongly (a malformed chunk size): its fault, not ours.
            response = Self.errorResponse(IntakeServerError(.badRequest, message: "malformed request body: \(error)"))
            response.headers[.connection] = "close"
        } catch {
            logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(Self.clip(path))", "error": "\(error)"])
            response = Self.errorResponse(IntakeServerError(.internalError, message: "the server failed to answer: \(error)"))
        }
        record(method: request.method, path: path, route: route, status: response.status.code, started: started, lookups: lookups)
        return response
    }

    /// Counts an answered request and logs it (at debug level).
    func record(method: HTTPRequest.Method, path: String, route: RoutePattern, status: Int, started: Double,
                lookups: ServerMetrics.LookupCounts?) {
        let seconds = monotonicSeconds() - started
        let label: MethodLabel = method == .get ? .get : method == .post ? .post : .other
        metrics.recordRequest(route: route, method: label, status: status, seconds: seconds, lookups: lookups)
        guard logger.logLevel <= .debug else { return }
        logger.debug("request", metadata: [
            "method": "\(method)", "path": "\(Self.clip(path))", "route": "\(route.label)", "status": "\(status)",
            "ms": "\(String(format: "%.3f", seconds * 1000))",
        ])
    }

    /// The route a path asks for, and the grid code of `/v1/grids/{code}`.
    static func match(_ path: String) -> (RoutePattern, code: Substring?) {
        switch path {
        case "/v1/locate": return (.locate, nil)
        case "/v1/reload": return (.reload, nil)
        case "/healthz": return (.healthz, nil)
        case "/metrics": return (.metrics, nil)
        default:
            let prefix = "/v1/grids/"
            guard path.hasPrefix(prefix) else { return (.unmatched, nil) }
            let code = path.dropFirst(prefix.count)
            guard !code.isEmpty, !code.contains("/") else { return (.unmatched, nil) }
            return (.grid, code)
        }
    }

    private func answer(_ request: Request, route: RoutePattern, code: Substring?, method: MethodLabel,
                        lookups: inout ServerMetrics.LookupCounts?) async throws -> Response {
        switch (route, method) {
        case (.locate, .get):
            let (body, counts) = try locateOne(query: (request.uri.query ?? "")[...])
            lookups = counts
            return Self.json(body)
        case (.locate, .post):
            var request = request
            let body = try await Self.collectBody(&request, limit: settings.maxBodyBytes)
            let (response, counts) = try locateBatch(body)
            lookups = counts
            return response
        case (.grid, .get):
            return try grid(code: code ?? "")
        case (.reload, .post):
            try authorize(request, route: .reload)
            return await reload()
        case (.healthz, .get):
            return Self.json(Self.statusBody("ok", store.current.info))
        case (.metrics, .get):
            if !settings.metricsOpen, settings.adminToken != nil { try authorize(request, route: .metrics) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = metrics.render(serving: store.current.info)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        case (.unmatched, _):
            throw IntakeServerError(.notFound, message: "no route \(Self.clip(request.uri.path)): the routes are GET /v1/locate, "
                                        + "POST /v1/locate, GET /v1/grids/{code}, POST /v1/reload, GET /healthz, GET /metrics")
        default:
            let allowed = route == .locate ? "GET, POST" : route == .reload ? "POST" : "GET"
            var response = Self.errorResponse(IntakeServerError(
                .methodNotAllowed, field: route.label, message: "\(request.method) is not answered here; use \(allowed)"))
            response.headers[.allow] = allowed
            return response
        }
    }

    // MARK: - Routes

    /// Lets an admin request through when it carries the admin token.
    /// - Throws: `IntakeServerError`: 403 when no token is set (reload over HTTP is off),
    ///   401 when the request carries no token or the wrong one.
    private func authorize(_ request: Request, route: RoutePattern) throws(IntakeServerError) {
        guard let token = settings.adminToken else {
            throw IntakeServerError(.forbidden, field: route.label, message: "reload over HTTP is off: send SIGHUP to the server "
                                        + "(kill -HUP <pid>), or start it with --admin-token-file FILE and send "
                                        + "Authorization: Bearer <the file's token>")
        }
        let authorization = request.headers[.authorization]
        guard token.isCarried(by: authorization) else {
            let problem = authorization == nil ? "no Authorization header" : "a wrong token"
            throw IntakeServerError(.unauthorized, field: route.label,
                                    message: "\(problem): send Authorization: Bearer <the token of --admin-token-file>")
        }
    }

    private func reload() async -> Response {
        switch await reloader.reload(trigger: "request") {
        case .success(let info):
            return Self.json(Self.statusBody("reloaded", info))
        case .failure(let error):
            return Self.errorResponse(IntakeServerError(.reloadFailed, message: "\(error); still serving generation \(store.current.info.generation)"))
        }
    }

    private func grid(code rawCode: Substring) throws -> Response {
        let code = rawCode.contains("%") ? (String(rawCode).removingPercentEncoding ?? String(rawCode)) : String(rawCode)
        let snapshot = store.current
        guard let feature = snapshot.gridFeatures[code] else {
            throw IntakeServerError(.notFound, field: "code", message: "no grid \(Self.clip(code)) in \(snapshot.info.file)")
        }
        var writer = JSONWriter(capacity: 4096)
        writer.raw("{\"type\":\"Feature\",\"id\":")
        writer.string(code)
        writer.raw(",\"geometry\":")
        if let geometry = feature.geometry, geometry.coordinates.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) {
            writer.raw(GeoJSON.encode(geometry))
        } else {
            writer.raw("null")
        }
        writer.raw(",\"properties\":{")
        for (offset, name) in snapshot.gridFields.enumerated() {
            if offset > 0 { writer.raw(",") }
            writer.string(name)
            writer.raw(":")
            switch feature[name] {
            case .integer(let value): writer.raw(String(value))
            case .real(let value): writer.number(value)
            case .text(let value): writer.string(value)
            case .null, .blob: writer.raw("null")
            }
        }
        writer.raw("}}\n")
        return Self.json(writer.bytes, contentType: "application/geo+json")
    }

    // MARK: - Answers

    /// `{"status": .., "file": .., "generation": .., ...}`: `/healthz` and a reload's answer.
    static func statusBody(_ status: String, _ info: GridSnapshot.Info) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw("{\"status\":")
        writer.string(status)
        writer.raw(",\"file\":")
        writer.string(info.file)
        writer.raw(",\"generation\":")
        writer.number(info.generation)
        writer.raw(",\"grids\":")
        writer.number(info.grids)
        writer.raw(",\"microgrids\":")
        writer.number(info.microGrids)
        writer.raw(",\"epsg\":")
        writer.number(info.epsg)
        writer.raw(",\"extent\":")
        if let extent = info.extent {
            writer.raw("[")
            for (n, value) in [extent.minX, extent.minY, extent.maxX, extent.maxY].enumerated() {
                if n > 0 { writer.raw(",") }
                writer.raw("\(value)")
            }
            writer.raw("]")
        } else {
            writer.raw("null")
        }
        writer.raw(",\"loaded_at\":")
        writer.string(Date(timeIntervalSince1970: info.loadedAt).formatted(.iso8601))
        writer.raw(",\"load_seconds\":")
        writer.raw(String(format: "%.3f", info.loadSeconds))
        writer.raw(",\"index_source\":")
        writer.string(info.indexSource)
        writer.raw(",\"index_seconds\":")
        writer.raw(String(format: "%.3f", info.indexSeconds))
        writer.raw("}\n")
        return writer.bytes
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorResponse(_ error: IntakeServerError) -> Response {
        var response = json(JSONWriter.errorBody(error), status: error.kind.status)
        if error.kind == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"gridweave\"" }
        return response
    }

    /// The body, refused with 413 as soon as it is known to be longer than `limit`: from its
    /// Content-Length before reading any of it, or while reading a chunked one.
    static func collectBody(_ request: inout Request, limit: Int) async throws -> [UInt8] {
        let tooLarge = IntakeServerError(.payloadTooLarge, message: "the body is longer than the limit of \(limit) bytes (--max-body)")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge
        }
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= limit else { throw tooLarge }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    /// A client's text for a message or a log, cut to 100 characters.
    static func clip(_ text: some StringProtocol) -> String {
        PointInput.clip(text, limit: 100)
    }
}
