import FeatureIO
import Foundation
import GridLookup
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Projections
import ServiceLifecycle
import Synchronization

/// The event-intake HTTP server: answers point lookups against a grids file, and reloads the
/// file without dropping a request.
///
/// Routes (JSON in and out; every error is `{"error": "..."}` with a 4xx status):
/// - `GET /v1/locate?lon=..&lat=..[&datum=wgs84|gcj02|bd09][&id=..]` → one result;
/// - `POST /v1/locate` with `{"datum": .., "points": [{"id": .., "lon": .., "lat": ..}]}` →
///   `{"results": [..]}` in order;
/// - `GET /v1/grids/{code}` → the grid as a GeoJSON Feature in WGS 84;
/// - `POST /v1/reload` (or SIGHUP) → load the file again and swap it in (admin: needs the
///   token of `--admin-token-file`);
/// - `GET /healthz`, `GET /metrics` (Prometheus text; admin when a token is set).
///
/// A result has the columns of `gridweave locate`'s CSV (`id`, `grid_code`, `microgrid_code`,
/// `community_code`, `status`, `distance_m`) and the same answers: the same checks,
/// conversions and `GridIndex.locate`.
public final class IntakeServer: Sendable {
    /// How the server runs.
    public struct Configuration: Sendable {
        /// The grids GeoPackage, as `gridweave partition` writes it.
        public var gridsPath: String
        public var host: String
        /// 0 for any free port (`run`'s `onRunning` is told which).
        public var port: Int
        /// Metres within which a point outside every grid is `near` the nearest.
        public var tolerance: Double
        /// The datum of requests that name none.
        public var datum: Datum
        /// Most points in one `POST /v1/locate`; more is a 413.
        public var maxBatch: Int
        /// Most bytes in a request body; more is a 413.
        public var maxBodyBytes: Int
        /// Whether SIGTERM and SIGINT shut the server down gracefully and SIGHUP reloads (the
        /// command does; a server inside a test process leaves the signals alone).
        public var handlesSignals: Bool
        /// The token `POST /v1/reload` (and `/metrics`, unless `metricsOpen`) asks for; nil:
        /// reload over HTTP is off (SIGHUP still reloads) and `/metrics` is open.
        public var adminToken: AdminToken?
        /// Whether `/metrics` answers without the admin token.
        public var metricsOpen: Bool
        /// Timeouts of a connection and the most connections open at once.
        public var limits: ConnectionLimits
        /// Seconds a reload may take before it is answered as failed (the file goes on
        /// loading, and is served if it loads; a later reload waits for it).
        public var reloadTimeout: Double

        public init(gridsPath: String, host: String = "127.0.0.1", port: Int = 8080, tolerance: Double = GridIndex.defaultTolerance,
                    datum: Datum = .wgs84, maxBatch: Int = 10_000, maxBodyBytes: Int = 4 << 20, handlesSignals: Bool = false,
                    adminToken: AdminToken? = nil, metricsOpen: Bool = false, limits: ConnectionLimits = ConnectionLimits(),
                    reloadTimeout: Double = 120) {
            self.gridsPath = gridsPath
            self.host = host
            self.port = port
            self.tolerance = tolerance
            self.datum = datum
            self.maxBatch = maxBatch
            self.maxBodyBytes = maxBodyBytes
            self.handlesSignals = handlesSignals
            self.adminToken = adminToken
            self.metricsOpen = metricsOpen
            self.limits = limits
            self.reloadTimeout = reloadTimeout
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    private let store: GridStore
    private let metrics = ServerMetrics()
    /// Where `run` is: not yet, serving (its service group), or asked to stop.
    private let lifecycle = Mutex(Lifecycle.notRunning)

    private enum Lifecycle {
        case notRunning
        case running(ServiceGroup)
        case stopRequested
    }

    /// Loads the grids file.
    /// - Throws: `IntakeServerError` of kind `.startup` naming the file (and layer, feature)
    ///   when it cannot be loaded, or when it is not a regular file (a FIFO would block).
    public init(configuration: Configuration, logger: Logger) throws(IntakeServerError) {
        self.configuration = configuration
        self.logger = logger
        if let problem = GridsFileCheck.problem(configuration.gridsPath) {
            throw IntakeServerError(.startup, message: problem)
        }
        do {
            store = try GridStore(path: configuration.gridsPath,
                                  preparedConverters: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            throw IntakeServerError(.startup, message: "\(error)")
        }
        let info = store.current.info
        logger.info("loaded", metadata: [
            "file": "\(info.file)", "grids": "\(info.grids)", "microgrids": "\(info.microGrids)", "epsg": "\(info.epsg)",
            "seconds": "\(String(format: "%.3f", info.loadSeconds))",
            "index_seconds": "\(String(format: "%.3f", info.indexSeconds))", "index_bytes": "\(info.indexBytes)",
            "index_source": "\(info.indexSource)", "index_note": "\(info.indexReason ?? "")",
        ])
    }

    /// Loads the grids file again and serves it if that succeeds (as `POST /v1/reload` does).
    /// - Throws: `IntakeServerError` of kind `.reloadFailed` when it cannot be loaded: the
    ///   previous file goes on serving.
    public func reload() async throws(IntakeServerError) {
        if case .failure(let error) = await reloader.reload(trigger: "call") {
            throw IntakeServerError(.reloadFailed, message: "\(error)")
        }
    }

    private var reloader: Reloader {
        Reloader(store: store, metrics: metrics, logger: logger, timeout: configuration.reloadTimeout)
    }

    /// Serves until `shutdown()` is called, the task is cancelled, or (with `handlesSignals`)
    /// SIGTERM or SIGINT arrives; then finishes the requests under way and returns.
    ///
    /// - Parameter onRunning: called once the server listens, with the port it listens on.
    /// - Throws: `IntakeServerError` of kind `.startup` when the address cannot be bound.
    public func run(onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws(IntakeServerError) {
        let responder = IntakeResponder(store: store, metrics: metrics, settings: configuration, reloader: reloader, logger: logger)
        let logger = self.logger, host = configuration.host, limits = configuration.limits
        let listening = Flag()
        let application = Application(
            responder: responder,
            // Single-point lookups are answered in the pipeline; everything else by `responder`.
            server: HTTPServerBuilder { respond in
                GuardedHTTP1Channel(
                    base: HTTP1Channel(responder: respond,
                                       configuration: .init(additionalChannelHandlers: [LocateChannelHandler(responder: responder)])),
                    limits: limits)
            },
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                _ = listening.set()
                logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)",
                                                    "max_connections": "\(limits.maxConnections)"])
                await onRunning(port)
            },
            logger: logger
        )
        var services: [any Service] = [application]
        if configuration.handlesSignals { services.append(HangupReloadService(reloader: reloader)) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: configuration.handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        let stopAlreadyRequested = lifecycle.withLock { state in
            if case .stopRequested = state { return true }
            state = .running(group)
            return false
        }
        if stopAlreadyRequested { await group.triggerGracefulShutdown() }
        defer { lifecycle.withLock { $0 = .notRunning } }
        do {
            if #available(macOS 15, *) {
                try await withTaskExecutorPreference(RequestExecutor.shared) { try await group.run() }
            } else {
                try await group.run()
            }
        } catch {
            if listening.isSet {
                throw IntakeServerError(.internalError, message: "the server stopped: \(error)")
            }
            throw IntakeServerError(.startup, message: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        logger.info("stopped")
    }

    /// Stops the server as SIGTERM does: it stops accepting connections, finishes the requests
    /// under way and `run` returns. Safe to call at any time, from any task, more than once.
    ///
    /// This is the way to stop an embedded server: cancelling the task that runs `run` cancels
    /// tasks waiting inside swift-async-algorithms' `merge`, whose lock can deadlock against
    /// the runtime's task lock (swift-async-algorithms issue 430).
    public func shutdown() async {
        let group: ServiceGroup? = lifecycle.withLock { state in
            switch state {
            case .running(let group): return group
            case .notRunning, .stopRequested:
                state = .stopRequested
                return nil
            }
        }
        await group?.triggerGracefulShutdown()
    }
}

/// Whether a path may be opened as a grids file: a regular file (after symlinks), checked
/// before any open, since opening a FIFO or a device would block or never end; or a database.
enum GridsFileCheck {
    /// Why `path` cannot be a grids file, nil when it can.
    static func problem(_ path: String) -> String? {
        // A database (`PG:...`) has no file to check; its reader reports what fails.
        guard !DatabaseConnection.isConnection(path) else { return nil }
        do {
            try FileCheck.inputFile(path, advice: "give the .gpkg that gridweave partition wrote")
            return nil
        } catch {
            return "\(error)"
        }
    }
}
