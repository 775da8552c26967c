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

/// Seconds spent in each stage. Stages that run per community add up the time of every
/// community, on whatever thread it ran: with several threads their sum can exceed the wall
/// time of the partition.
public struct StageTimings: Sendable, Hashable {
    public private(set) var seconds: [PartitionStage: Double] = [:]

    public init() {}

    public mutating func add(_ stage: PartitionStage, seconds: Double) {
        self.seconds[stage, default: 0] += seconds
    }

    public mutating func add(_ other: StageTimings) {
        for (stage, value) in other.seconds { add(stage, seconds: value) }
    }

    /// Runs `body`, adding the time it took to `stage`.
    public mutating func measure<T>(_ stage: PartitionStage, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { add(stage, seconds: Self.seconds(since: start)) }
        return try body()
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
