import FeatureIO
import Foundation
import GeometryEngine
import IntakeServer
import Logging
import Synchronization
import Testing
import TestSupport

/// A real server in this process, listening on a free loopback port, stopped by `stop()`.
final class TestServer: Sendable {
    let server: IntakeServer
    let port: Int
    private let task: Task<Void, any Error>

    private init(server: IntakeServer, port: Int, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.task = task
    }

    /// Starts a server on 127.0.0.1, port 0 (any free one), and waits until it listens.
    static func start(grids: String, maxBatch: Int = 10_000, maxBodyBytes: Int = 4 << 20, port: Int = 0,
                      adminToken: AdminToken? = AdminToken(secret: TestServer.adminSecret), limits: ConnectionLimits = ConnectionLimits()) async throws -> TestServer {
        let configuration = IntakeServer.Configuration(gridsPath: grids, host: "127.0.0.1", port: port, maxBatch: maxBatch,
                                                       maxBodyBytes: maxBodyBytes, adminToken: adminToken, limits: limits)
        let server = try IntakeServer(configuration: configuration, logger: quietLogger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw HTTPClientError(description: "the server stopped before listening")
        }
        return TestServer(server: server, port: bound, task: task)
    }

    /// A server on the hand-made grids (see `HandMadeGrids`), written in a fresh directory that
    /// lives as long as the returned value.
    static func startOnHandMadeGrids() async throws -> (server: TestServer, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        return (try await start(grids: grids), directory)
    }

    /// How long a stop may take before it counts as a hang. Generous: the test's own
    /// continuation resumes on cooperative threads that other tests' synchronous work can hold
    /// for a minute or more; a deadlocked stop never ends at all.
    static let stopLimit = Duration.seconds(120)

    /// Stops the server as SIGTERM does (never by cancelling its task: see
    /// `IntakeServer.shutdown`) and waits at most `stopLimit` for it.
    func stop() async {
        do {
            try await stop(within: TestServer.stopLimit)
        } catch {
            Issue.record(error)
        }
    }

    /// Stops the server and waits at most `limit` for it.
    /// - Throws: when it has not stopped by then, naming `cycle`.
    func stop(within limit: Duration, cycle: Int = 0) async throws {
        await server.shutdown()
        guard await Deadline.wait(for: task, within: limit) else {
            throw HTTPClientError(description: "the server did not stop within \(limit) (cycle \(cycle))")
        }
    }

    /// Stops the server the way that could deadlock: by cancelling the task that runs it
    /// (kept to reproduce issue 24; `stop` is the way to stop a server).
    func cancel(within limit: Duration, cycle: Int = 0) async throws {
        task.cancel()
        guard await Deadline.wait(for: task, within: limit) else {
            throw HTTPClientError(description: "the cancelled server did not stop within \(limit) (cycle \(cycle))")
        }
    }

    /// The admin token test servers start with; `get` and `post` send it.
    static let adminSecret = "gridweave-test-admin-token"

    func get(_ target: String) async throws -> HTTPAnswer {
        try await RawHTTPClient.request(port, "GET", target, headers: ["Authorization": "Bearer \(Self.adminSecret)"])
    }

    func post(_ target: String, body: String = "") async throws -> HTTPAnswer {
        try await RawHTTPClient.request(port, "POST", target, body: body, headers: ["Authorization": "Bearer \(Self.adminSecret)"])
    }
}

let quietLogger = Logger(label: "gridweave.serve.test") { _ in SwiftLogNoOpLogHandler() }

/// Hand-made grids files: 3 × 2 grids of 0.01° from (121.40, 31.20) in WGS 84, each cut into
/// 2 × 2 micro-grids (the layout of the locate command's tests).
enum HandMadeGrids {
    /// Grid (i, j) has code `<community><sequence>` with sequence `first + j * 3 + i` as three
    /// digits; its micro-grids add 01 (south-west), 02 (south-east), 03 (north-west), 04 (north-east).
    /// Files with different `community` or `first` answer the same points with other codes.
    static func write(to path: String, community: String = "310101001001", first: Int = 1) throws {
        let xs = (0...6).map { 121.40 + Double($0) * 0.005 }, ys = (0...4).map { 31.20 + Double($0) * 0.005 }
        func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
            .polygon(Polygon(exterior: [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]))
        }
        var grids: [Feature] = [], micro: [Feature] = []
        for j in 0..<2 {
            for i in 0..<3 {
                let code = community + String(format: "%03d", first + j * 3 + i)
                grids.append(Feature(geometry: square(xs[2 * i], ys[2 * j], xs[2 * i + 2], ys[2 * j + 2]),
                                     properties: ["code": .text(code), "community_code": .text(community), "kind": .text("residential"),
                                                  "households": .integer(Int64(200 + j * 3 + i))]))
                for (k, (di, dj)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                    micro.append(Feature(geometry: square(xs[2 * i + di], ys[2 * j + dj], xs[2 * i + di + 1], ys[2 * j + dj + 1]),
                                         properties: ["code": .text(code + "0\(k + 1)"), "grid_code": .text(code)]))
                }
            }
        }
        // Written beside and renamed over, as `gridweave partition` writes: a reload never sees half a file.
        let temporary = path + ".writing"
        try GeoPackageWriter.write([
            Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84,
                  fields: [FieldDefinition("code", .text), FieldDefinition("community_code", .text), FieldDefinition("kind", .text),
                           FieldDefinition("households", .integer)],
                  features: grids),
            Layer(name: "microgrids", geometryType: "POLYGON", srs: .wgs84,
                  fields: [FieldDefinition("code", .text), FieldDefinition("grid_code", .text)], features: micro),
        ], to: temporary)
        guard rename(temporary, path) == 0 else { throw HTTPClientError(description: "rename: \(String(cString: strerror(errno)))") }
    }

    /// The code of grid (i, j) in a file written with `community` and `first`.
    static func code(_ i: Int, _ j: Int, community: String = "310101001001", first: Int = 1) -> String {
        community + String(format: "%03d", first + j * 3 + i)
    }
}

/// Waiting for a task with a deadline, without waiting for the task to end when it does not.
enum Deadline {
    /// Whether `task` ended within `limit`. A task group would wait for a task that never ends;
    /// this returns at the deadline and leaves it behind.
    static func wait<T: Sendable>(for task: Task<T, any Error>, within limit: Duration) async -> Bool {
        let once = Once()
        return await withCheckedContinuation { continuation in
            Task {
                _ = try? await task.value
                if once.claim() { continuation.resume(returning: true) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if once.claim() { continuation.resume(returning: false) }
            }
        }
    }
}

/// True for the first caller of `claim()` only.
final class Once: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
