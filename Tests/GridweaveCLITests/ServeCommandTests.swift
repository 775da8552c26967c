import FeatureIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GeometryEngine
import Testing
import TestSupport

/// `gridweave serve` as an operator runs it: the built binary on a real port, SIGHUP reloads,
/// SIGTERM stops it cleanly, a bad start exits 1 with `error:`.
@Suite(.timeLimit(.minutes(10))) struct ServeCommandTests {
    /// One 0.01° grid at (121.40, 31.20) in WGS 84 with code `code`.
    static func writeGrids(to path: String, code: String = "310101001001001") throws {
        let square = Geometry.polygon(Polygon(exterior: [XY(121.40, 31.20), XY(121.41, 31.20), XY(121.41, 31.21),
                                                         XY(121.40, 31.21), XY(121.40, 31.20)]))
        try GeoPackageWriter.write([
            Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84, fields: [FieldDefinition("code", .text)],
                  features: [Feature(geometry: square, properties: ["code": .text(code)])]),
        ], to: path)
    }

    /// A port nothing listens on now (the kernel's choice for port 0, released at once).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                // Both return 0 on success, -1 with errno.
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(bound, "cannot find a free port: \(String(cString: strerror(errno)))")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The body of `GET http://127.0.0.1:port/path`, nil when nothing answers.
    static func get(_ port: Int, _ path: String) async -> (status: Int, body: String)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)"),
              let (data, response) = try? await URLSession.shared.data(from: url),
              let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Starts the built `gridweave serve --grids grids --port port`, its standard error to the
    /// file `logPath` (read once the server has exited: a pipe would need a reader thread).
    static func launchServe(grids: String, port: Int, logPath: String) throws -> (process: Process, log: FileHandle) {
        let process = Process()
        guard let executable = gridweaveExecutable() else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "gridweave is not built; run swift build first"])
        }
        process.executableURL = executable
        process.arguments = ["serve", "--grids", grids, "--port", "\(port)"]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logFile = try #require(FileHandle(forWritingAtPath: logPath))
        process.standardError = logFile
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, logFile)
    }

    /// Polls `condition` every 50 ms, up to `attempts` times; true as soon as it holds.
    static func eventually(attempts: Int = 400, _ condition: () async -> Bool) async -> Bool {
        for _ in 0..<attempts {
            if await condition() { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    @Test func servesReloadsOnHangupAndStopsOnTerminate() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        let port = try Self.freePort()
        let logPath = directory.path("serve.log")
        let (process, logFile) = try Self.launchServe(grids: grids, port: port, logPath: logPath)
        defer { if process.isRunning { process.terminate() } }

        let up = await Self.eventually { await Self.get(port, "/healthz")?.status == 200 }
        try #require(up, "the server did not come up")
        let first = await Self.get(port, "/v1/locate?lon=121.405&lat=31.205")
        #expect(first?.body.contains("\"grid_code\":\"310101001001001\"") == true)

        try Self.writeGrids(to: grids, code: "310101001001002")
        kill(process.processIdentifier, SIGHUP)
        let reloaded = await Self.eventually {
            await Self.get(port, "/metrics")?.body.contains("gridweave_reloads_total{outcome=\"success\"} 1\n") == true
        }
        #expect(reloaded, "SIGHUP did not reload")
        #expect(process.isRunning, "SIGHUP must not stop the server")
        let second = await Self.get(port, "/v1/locate?lon=121.405&lat=31.205")
        #expect(second?.body.contains("\"grid_code\":\"310101001001002\"") == true)

        kill(process.processIdentifier, SIGTERM)
        let exited = await Self.eventually { !process.isRunning }
        #expect(exited, "SIGTERM did not stop the server")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(process.terminationReason == .exit)
        try logFile.close()
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.contains("level=info msg=listening"), "\(log)")
        #expect(log.contains("msg=reloaded") && log.contains("trigger=SIGHUP"), "\(log)")
        #expect(!log.contains("level=error"), "\(log)")
    }

    @Test func aMissingGridsFileExitsOneWithAnError() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path("nowhere.gpkg")
        let result = try runGridweave(["serve", "--grids", missing, "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(result.stderr.contains(missing))
    }

    @Test func aPortInUseExitsOneWithAnError() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        // Hold a listening socket on a port, then ask the server for the same one.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(listening)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try runGridweave(["serve", "--grids", grids, "--port", "\(port)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot listen on 127.0.0.1:\(port)"), "\(result.stderr)")
    }

    @Test func badFlagsExitOne() throws {
        let result = try runGridweave(["serve", "--grids", "x.gpkg", "--max-body", "lots"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
    }
}
