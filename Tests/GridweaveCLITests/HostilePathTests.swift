import FeatureIO
import Foundation
import Testing
import TestSupport

/// Paths that are not regular files, as an attacker-minded tester names them (issue 24 §6):
/// every output refuses a FIFO, a socket or a directory and writes through a symbolic link;
/// every input refuses a FIFO instead of waiting forever on it. Every run has a timeout, so a
/// command that blocks on a FIFO fails its test instead of hanging the suite; no test opens a
/// FIFO (the checks look with lstat), and /dev/null is never touched.
@Suite struct HostilePathTests {
    /// Seconds a command may take here: each is small, so this is only ever hit by a hang.
    static let timeout: TimeInterval = 120

    static func makeFIFO(_ path: String) throws {
        // Returns 0, or -1 with errno.
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// A Unix socket bound at `path`; its descriptor stays open until the test ends.
    static func makeSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return fd
    }

    static func kind(_ path: String) -> FileCheck.Kind? { FileCheck.kind(of: path, followingLinks: false) }

    /// The command was refused with one `error:` line naming `path` and saying what is there.
    static func expectRefused(_ result: CommandResult, naming path: String, saying what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.timedOut, "timed out: the command blocked", sourceLocation: sourceLocation)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(path), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(what), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    /// Files whose names start with a dot: temporary files left behind.
    static func leftovers(_ directory: TemporaryDirectory) throws -> [String] {
        try directory.contents().filter { $0.hasPrefix(".") }
    }

    static let points = Data("id,lon,lat\ne1,121.4012,31.2012\n".utf8)

    // MARK: - Outputs

    @Test(.timeLimit(.minutes(10)))
    func everyOutputRefusesAFIFOAndLeavesIt() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try LocateCommandTests.writeGrids(to: grids)
        try DistrictFixture.twoCommunities().write(to: directory.url("district"))
        let fifo = directory.path("out.fifo")
        try Self.makeFIFO(fifo)
        let report = directory.path("report")
        try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        let reportPage = (report as NSString).appendingPathComponent("index.html")
        try Self.makeFIFO(reportPage)

        let svgFIFO = directory.path("map.svg")
        try Self.makeFIFO(svgFIFO)

        let runs: [(arguments: [String], path: String)] = [
            (["locate", "--grids", grids, "-", "-o", fifo], fifo),
            (["render", grids, "-o", svgFIFO], svgFIFO),
            (["partition", directory.path("district"), "-o", fifo], fifo),
            (["generate", "-o", fifo, "--households", "1000", "--no-mess"], fifo),
            (["coverage", "--grids", grids, "-o", fifo, "--allow-findings"], fifo),
            (["coverage", "--grids", grids, "-o", report, "--allow-findings"], reportPage),
        ]
        for run in runs {
            let result = try runGridweave(run.arguments, input: Self.points, timeout: Self.timeout)
            Self.expectRefused(result, naming: run.path, saying: "FIFO")
            #expect(Self.kind(run.path) == .fifo, "\(run.arguments[0]) replaced the FIFO")
        }
        #expect(try Self.leftovers(directory).isEmpty)
        // Nothing of the report was written beside the refused page.
        #expect(try FileManager.default.contentsOfDirectory(atPath: report) == ["index.html"])
    }

    @Test(.timeLimit(.minutes(10)))
    func anOutputRefusesASocketAndADirectory() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try LocateCommandTests.writeGrids(to: grids)
        let socketPath = directory.path("s.csv")
        let fd = try Self.makeSocket(socketPath)
        defer { close(fd) }
        let toSocket = try runGridweave(["locate", "--grids", grids, "-", "-o", socketPath], input: Self.points, timeout: Self.timeout)
        Self.expectRefused(toSocket, naming: socketPath, saying: "socket")
        #expect(Self.kind(socketPath) == .socket)

        let folder = directory.path("folder.svg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let toDirectory = try runGridweave(["render", grids, "-o", folder], timeout: Self.timeout)
        Self.expectRefused(toDirectory, naming: folder, saying: "directory")
        let locateToDirectory = try runGridweave(["locate", "--grids", grids, "-", "-o", folder], input: Self.points,
                                                 timeout: Self.timeout)
        Self.expectRefused(locateToDirectory, naming: folder, saying: "directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)

        // A report directory that is a file.
        let file = directory.path("report")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: file))
        let coverage = try runGridweave(["coverage", "--grids", grids, "-o", file, "--allow-findings"], timeout: Self.timeout)
        Self.expectRefused(coverage, naming: file, saying: "not a directory")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("keep".utf8))
        #expect(try Self.leftovers(directory).isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func aSymbolicLinkIsWrittenThroughToItsTarget() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try LocateCommandTests.writeGrids(to: grids)
        let targets = directory.path("targets")
        try FileManager.default.createDirectory(atPath: targets, withIntermediateDirectories: false)
        let manager = FileManager.default

        // locate -o link -> targets/located.csv (absolute), which exists.
        let located = (targets as NSString).appendingPathComponent("located.csv")
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: located))
        try manager.createSymbolicLink(atPath: directory.path("located.csv"), withDestinationPath: located)
        let locate = try runGridweave(["locate", "--grids", grids, "-", "-o", directory.path("located.csv")], input: Self.points,
                                      timeout: Self.timeout)
        #expect(locate.status == 0, "\(locate.stderr)")
        #expect(Self.kind(directory.path("located.csv")) == .symbolicLink)
        #expect(try String(contentsOfFile: located, encoding: .utf8).hasPrefix("id,grid_code,"))

        // render -o a chain of two relative links to a file not there yet: created at the end.
        try manager.createSymbolicLink(atPath: directory.path("map.svg"), withDestinationPath: "targets/link.svg")
        try manager.createSymbolicLink(atPath: (targets as NSString).appendingPathComponent("link.svg"), withDestinationPath: "map.svg")
        let render = try runGridweave(["render", grids, "-o", directory.path("map.svg")], timeout: Self.timeout)
        #expect(render.status == 0, "\(render.stderr)")
        #expect(Self.kind(directory.path("map.svg")) == .symbolicLink)
        #expect(Self.kind((targets as NSString).appendingPathComponent("link.svg")) == .symbolicLink)
        #expect(try String(contentsOfFile: (targets as NSString).appendingPathComponent("map.svg"), encoding: .utf8).hasPrefix("<?xml"))

        // A report page that is a link: the page it leads to is replaced, the link stays.
        let report = directory.path("report")
        try manager.createDirectory(atPath: report, withIntermediateDirectories: false)
        let page = (targets as NSString).appendingPathComponent("page.html")
        try manager.createSymbolicLink(atPath: (report as NSString).appendingPathComponent("index.html"), withDestinationPath: page)
        let coverage = try runGridweave(["coverage", "--grids", grids, "-o", report, "--allow-findings"], timeout: Self.timeout)
        #expect(coverage.status == 0, "\(coverage.stderr)")
        #expect(Self.kind((report as NSString).appendingPathComponent("index.html")) == .symbolicLink)
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("<html"))

        // A link that leads to a FIFO is refused like the FIFO, naming the link.
        let fifo = (targets as NSString).appendingPathComponent("pipe")
        try Self.makeFIFO(fifo)
        try manager.createSymbolicLink(atPath: directory.path("pipe.csv"), withDestinationPath: fifo)
        let toFIFO = try runGridweave(["locate", "--grids", grids, "-", "-o", directory.path("pipe.csv")], input: Self.points,
                                      timeout: Self.timeout)
        Self.expectRefused(toFIFO, naming: directory.path("pipe.csv"), saying: "FIFO")
        #expect(Self.kind(fifo) == .fifo)
        #expect(try Self.leftovers(directory).isEmpty)
        #expect(try manager.contentsOfDirectory(atPath: targets).filter { $0.hasPrefix(".") }.isEmpty)
    }

    // MARK: - Inputs

    @Test(.timeLimit(.minutes(10)))
    func aFIFOAsAnInputIsRefusedInsteadOfWaitedOn() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try LocateCommandTests.writeGrids(to: grids)
        let fifo = directory.path("in.fifo")
        try Self.makeFIFO(fifo)
        let output = directory.path("out.csv")

        let csv = try runGridweave(["locate", "--grids", grids, fifo, "-o", output], timeout: Self.timeout)
        Self.expectRefused(csv, naming: fifo, saying: "FIFO")
        #expect(csv.stderr.contains("`-`"), "the message says how to stream: \(csv.stderr)")
        let gridsFIFO = try runGridweave(["locate", "--grids", fifo, "-", "-o", output], input: Self.points, timeout: Self.timeout)
        Self.expectRefused(gridsFIFO, naming: fifo, saying: "FIFO")
        let district = try runGridweave(["inspect", fifo], timeout: Self.timeout)
        Self.expectRefused(district, naming: fifo, saying: "FIFO")
        let events = try runGridweave(["coverage", "--grids", grids, "--events", fifo, "-o", directory.path("report"), "--allow-findings"],
                                      timeout: Self.timeout)
        Self.expectRefused(events, naming: fifo, saying: "FIFO")
        let render = try runGridweave(["render", fifo, "-o", directory.path("map.svg")], timeout: Self.timeout)
        Self.expectRefused(render, naming: fifo, saying: "FIFO")

        // One layer of a GeoJSON folder.
        try DistrictFixture.twoCommunities().write(to: directory.url("district"))
        let layer = directory.path("district/communities.geojson")
        try FileManager.default.removeItem(atPath: layer)
        try Self.makeFIFO(layer)
        let folder = try runGridweave(["partition", directory.path("district"), "-o", directory.path("grids-out.gpkg")],
                                      timeout: Self.timeout)
        Self.expectRefused(folder, naming: layer, saying: "FIFO")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(!FileManager.default.fileExists(atPath: directory.path("grids-out.gpkg")))
    }
}
