import Foundation

/// The stages of a partition, in the order they run (see docs/architecture.md).
public enum PartitionStage: String, CaseIterable, Sendable, Comparable {
    /// Reading the district and repairing its geometry (timed by the caller that reads).
    case read
    /// Choosing the metric working CRS and projecting the district into it; the survey of
    /// which community holds each building; each community's input.
    case workingCRS = "working_crs"
    /// Street blocks: the community polygonized with the roads that cut it and its dedicated sites.
    case blocks
    /// Building cells: each block tessellated among its buildings, big buildings sliced by unit.
    case cells
    /// The cell graph: pieces (cells with their buildings' households) and their adjacency.
    case cellGraph = "cell_graph"
    /// Grids: regions of pieces balanced within the grid bounds, compared several ways.
    case grids
    /// Micro-grids: each grid's pieces balanced within the micro-grid bounds; their outlines.
    case microGrids = "micro_grids"
    /// Codes, assignments, findings; outlines back in the district's CRS.
    case codes
    /// Shops and roads given to the grids whose service area they are in.
    case serviceArea = "service_area"
    /// Writing the GeoPackage (timed by the caller that writes).
    case write

    public static func < (a: PartitionStage, b: PartitionStage) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One community's time from blocks to codes, for the list of the slowest.
public struct CommunityTiming: Sendable, Hashable {
    public var code: String
    public var buildings: Int
    public var seconds: Double
}

/// Seconds spent in each stage. Stages that run per community add up the time of every
/// community, on whatever thread it ran: with several threads their sum can exceed the wall
/// time of the partition. With `measuresPeaks`, also the process's peak resident memory
/// during each stage that runs alone, and during the communities' stages as a whole.
public struct StageTimings: Sendable, Hashable {
    public private(set) var seconds: [PartitionStage: Double] = [:]
    /// Peak resident memory of the process, in bytes, while each stage measured with
    /// `measurePeak` ran (the highest of its runs).
    public private(set) var peakBytes: [PartitionStage: Int] = [:]
    /// Peak resident memory while the communities ran (blocks to codes, on every thread at once).
    public var communitiesPeakBytes: Int?
    /// The slowest communities, slowest first, at most `slowestKept`.
    public private(set) var slowest: [CommunityTiming] = []
    /// Whether `measurePeak` resets and reads the process's high-water mark. Resetting it
    /// also lowers what the kernel reports for the whole process (`/usr/bin/time`'s `%M`), so
    /// only when a person asked for the figures.
    public var measuresPeaks = false

    static let slowestKept = 5

    public init(measuresPeaks: Bool = false) { self.measuresPeaks = measuresPeaks }

    public mutating func add(_ stage: PartitionStage, seconds: Double) {
        self.seconds[stage, default: 0] += seconds
    }

    public mutating func add(_ other: StageTimings) {
        for (stage, value) in other.seconds { add(stage, seconds: value) }
        for (stage, bytes) in other.peakBytes { peakBytes[stage] = Swift.max(peakBytes[stage] ?? 0, bytes) }
        if let bytes = other.communitiesPeakBytes { communitiesPeakBytes = Swift.max(communitiesPeakBytes ?? 0, bytes) }
        for community in other.slowest { record(community) }
    }

    /// Keeps `community` among the slowest if it is one (ties to the one recorded first).
    public mutating func record(_ community: CommunityTiming) {
        let index = slowest.firstIndex { $0.seconds < community.seconds } ?? slowest.count
        slowest.insert(community, at: index)
        if slowest.count > Self.slowestKept { slowest.removeLast() }
    }

    /// Runs `body`, adding the time it took to `stage`.
    public mutating func measure<T>(_ stage: PartitionStage, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { add(stage, seconds: Self.seconds(since: start)) }
        return try body()
    }

    /// `measure`, and (with `measuresPeaks`) the process's peak memory while `body` ran: for
    /// a stage that runs alone, never inside the communities' parallel work.
    public mutating func measurePeak<T>(_ stage: PartitionStage, _ body: () throws -> T) rethrows -> T {
        guard measuresPeaks else { return try measure(stage, body) }
        PeakMemory.reset()
        defer { PeakMemory.keep(in: &peakBytes[stage]) }
        return try measure(stage, body)
    }

    /// Runs the communities' stages (`body`), and (with `measuresPeaks`) keeps the process's
    /// peak memory while they ran, every thread together, in `communitiesPeakBytes`.
    mutating func measureCommunities<T>(_ body: () throws -> T) rethrows -> T {
        guard measuresPeaks else { return try body() }
        PeakMemory.reset()
        defer { PeakMemory.keep(in: &communitiesPeakBytes) }
        return try body()
    }

    /// The highest peak recorded, of any stage or of the communities.
    public var overallPeakBytes: Int? { (Array(peakBytes.values) + [communitiesPeakBytes].compactMap { $0 }).max() }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// The process's peak resident memory, as Linux keeps it: `VmHWM` in `/proc/self/status`,
/// started again from the present by writing 5 to `/proc/self/clear_refs`. Elsewhere nil.
enum PeakMemory {
    /// Bytes, or nil where `/proc` does not say.
    static func bytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return nil }
        return kB * 1024
    }

    /// Raises `slot` to the peak now, if `/proc` says.
    static func keep(in slot: inout Int?) {
        if let bytes = bytes() { slot = Swift.max(slot ?? 0, bytes) }
    }

    /// Starts a new high-water mark from the memory in use now (does nothing where not allowed).
    static func reset() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        try? handle.write(contentsOf: Data("5".utf8))
        try? handle.close()
    }
}
