import ArgumentParser
import Foundation
import GridLookup
import IntakeServer
import Logging
import Projections

/// `gridweave serve --grids OUT.gpkg [--host 127.0.0.1] [--port 8080]`: the event-intake HTTP
/// server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer point lookups over HTTP: the grid, micro-grid and community of GPS points, for event intake.",
        discussion: """
            Routes (JSON in and out):
              GET  /v1/locate?lon=..&lat=..[&datum=..][&id=..]   one point
              POST /v1/locate   {"datum": "wgs84", "points": [{"id": "e1", "lon": 121.47, "lat": 31.23}]}
              GET  /v1/grids/{code}   the grid as a GeoJSON Feature (WGS 84)
              POST /v1/reload   load the grids file again and swap it in (also on SIGHUP)
              GET  /healthz, GET /metrics (Prometheus text)

            A result has the columns of `gridweave locate`: id, grid_code, microgrid_code, \
            community_code, status (inside, near, outside, invalid) and distance_m, with the same \
            answers. Bad input is answered 4xx with {"error": "..."}: 400 for malformed JSON, a \
            missing, non-numeric, non-finite or out-of-range coordinate or an unknown datum; 404 \
            for an unknown route or grid code; 405 for a wrong method; 413 for a batch over \
            --max-batch points or a body over --max-body bytes. In a batch, a point with a bad \
            coordinate is answered `invalid` with its `reason` and the others are located.

            Admin routes: POST /v1/reload answers only with --admin-token-file FILE, to requests \
            that carry `Authorization: Bearer <the file's token>` (401 otherwise); without the \
            flag it is off (403) and SIGHUP is the way to reload. The file must be readable by \
            its owner alone (chmod 600), as ssh asks of a key. /metrics asks for the same token \
            when one is set, unless --open-metrics.

            Slow and idle clients are held off: a request's head must arrive within \
            --header-timeout seconds of its first byte and its body within --body-timeout of \
            its head, a connection with no request under way is closed after --idle-timeout, \
            and past --max-connections open connections new ones wait (in the listen backlog) \
            until one closes. A client that pipelines requests without reading the answers is \
            not read from until it does.

            A reload builds the new index beside the old one and swaps it in whole: no request \
            is dropped or answered from a half-loaded file; a file that fails to load leaves the \
            old one serving, and the reload is answered 422 with the error. SIGTERM or SIGINT \
            finishes the requests under way and exits 0. Logs are logfmt lines on standard error \
            (every request at --log-level debug).

            Examples:
              gridweave serve --grids shanghai-grids.gpkg --port 8080
              curl 'http://127.0.0.1:8080/v1/locate?lon=121.4737&lat=31.2304'
              openssl rand -hex 32 > admin.token && chmod 600 admin.token
              gridweave serve --grids grids.gpkg --admin-token-file admin.token
              curl -X POST -H "Authorization: Bearer $(cat admin.token)" http://127.0.0.1:8080/v1/reload
              kill -HUP <pid>     # reloads too, with or without a token
            """
    )

    @Option(help: ArgumentHelp("A partition GeoPackage (layers grids and microgrids), as `gridweave partition` writes, or the PostGIS database it wrote: PG:\"host=... dbname=... user=...\"; a reload reads its newest tables.",
                               valueName: "grids.gpkg"))
    var grids: String

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0 for any free port).", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp("Metres within which a point outside every grid is `near` the nearest grid.", valueName: "m"))
    var tolerance = GridIndex.defaultTolerance

    @Option(help: ArgumentHelp("Datum of requests that name none: wgs84 (GPS), gcj02 (Gaode/AMap, Tencent) or bd09 (Baidu).",
                               valueName: "datum"))
    var datum: Datum = .wgs84

    @Option(name: .customLong("max-batch"), help: ArgumentHelp("Most points in one POST /v1/locate.", valueName: "n"))
    var maxBatch = 10_000

    @Option(name: .customLong("max-body"),
            help: ArgumentHelp("Most bytes in a request body: a number, or with K, M (binary: KiB, MiB) after it.", valueName: "bytes"))
    var maxBody = "4MiB"

    @Option(name: .customLong("log-level"),
            help: ArgumentHelp("trace, debug (every request), info, notice, warning, error or critical.", valueName: "level"))
    var logLevel = "info"

    @Option(name: .customLong("admin-token-file"),
            help: ArgumentHelp("A file (mode 600) holding the token POST /v1/reload asks for; without it reload over HTTP is off.",
                               valueName: "file"))
    var adminTokenFile: String?

    @Flag(name: .customLong("open-metrics"), help: "Answer /metrics without the admin token.")
    var openMetrics = false

    @Option(name: .customLong("header-timeout"), help: ArgumentHelp("Seconds from a request's first byte to the end of its headers.",
                                                                    valueName: "s"))
    var headerTimeout = 10.0

    @Option(name: .customLong("body-timeout"), help: ArgumentHelp("Seconds from a request's headers to the end of its body.",
                                                                  valueName: "s"))
    var bodyTimeout = 30.0

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds a keep-alive connection may wait for its next request.",
                                                                  valueName: "s"))
    var idleTimeout = 60.0

    @Option(name: .customLong("max-connections"),
            help: ArgumentHelp("Connections open at once (at most the process's descriptor limit less 64).", valueName: "n"))
    var maxConnections = 10_000

    @Option(name: .customLong("reload-timeout"),
            help: ArgumentHelp("Seconds after which a reload still loading is answered as failed.", valueName: "s"))
    var reloadTimeout = 120.0

    func validate() throws {
        for (name, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
                              ("--reload-timeout", reloadTimeout)] {
            guard value.isFinite, value > 0, value <= 86_400 else { throw ValidationError("\(name) must be a number of seconds, above 0") }
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be 1 or more") }
        guard tolerance.isFinite, tolerance >= 0 else { throw ValidationError("--tolerance must be a number of metres, 0 or more") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be 1 or more") }
        guard Self.bytes(maxBody) != nil else { throw ValidationError("--max-body must be a number of bytes such as 4194304, 512K or 4MiB") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        // A client that goes away is an error on its connection, not a signal to die of; SIGHUP
        // reloads (ignored until the server installs its handler, so it never ends the process).
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
        var logger = Logger(label: "gridweave.serve")
        logger.logLevel = level

        do {
            let token = try adminTokenFile.map { path throws(IntakeServerError) in try AdminToken(contentsOf: path) }
            let limits = ConnectionLimits(headerTimeout: headerTimeout, bodyTimeout: bodyTimeout, idleTimeout: idleTimeout,
                                          maxConnections: Self.connectionCap(maxConnections, logger: logger))
            let configuration = IntakeServer.Configuration(
                gridsPath: grids, host: host, port: port, tolerance: tolerance, datum: datum, maxBatch: maxBatch,
                maxBodyBytes: Self.bytes(maxBody) ?? 4 << 20, handlesSignals: true, adminToken: token, metricsOpen: openMetrics,
                limits: limits, reloadTimeout: reloadTimeout)
            let server = try IntakeServer(configuration: configuration, logger: logger)
            try await server.run()
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The connections the server may hold: `wanted`, within the process's descriptor limit
    /// (raised to its hard limit first) less 64 for files and the listening socket, so that
    /// connections never take the last descriptors a reload needs.
    static func connectionCap(_ wanted: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let available = Int(clamping: limit.rlim_cur) - 64
        guard wanted > available else { return wanted }
        let cap = max(1, available)
        logger.warning("--max-connections lowered to the descriptor limit", metadata: [
            "asked": "\(wanted)", "max_connections": "\(cap)", "nofile": "\(limit.rlim_cur)"])
        return cap
    }

    /// `4194304`, `512K`, `4M`, `4MiB`, `4MB` as bytes (K and M binary), nil when not such a size.
    static func bytes(_ text: String) -> Int? {
        let units: [(suffix: String, factor: Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("KB", 1 << 10), ("MB", 1 << 20),
                                                      ("K", 1 << 10), ("M", 1 << 20), ("", 1)]
        for (suffix, factor) in units where text.uppercased().hasSuffix(suffix.uppercased()) {
            guard let number = Int(text.dropLast(suffix.count)), number > 0, number <= Int.max / factor else { continue }
            return number * factor
        }
        return nil
    }
}
