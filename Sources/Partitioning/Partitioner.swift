public import DistrictModel
import Foundation
import GeometryEngine
import Projections
import Synchronization

/// The partition engine: cuts every community of a district into grids of about 200
/// households and every grid into micro-grids of 50-80 (`data.md`, "Output: a partition").
///
/// Communities are independent, so they are partitioned in parallel, each task with its own
/// GEOS context; results are put back in community-code order, so that the output does not
/// depend on the threads. Work is done in the district's metric working CRS and the
/// geometries are transformed back to the district's CRS.
/// Stage "working CRS": the district in its metric working CRS, the survey of which community
/// holds each building, and each community's input, in community-code order.
struct WorkingDistrict {
    /// The EPSG code of the working CRS.
    let epsg: Int
    let metric: District
    let survey: DistrictSurvey
    let inputs: [CommunityInput]

    /// Every coordinate of the district in the working CRS is a multiple of this (metres; see
    /// `District.snapped(toGrid:)`): the partition's decisions never see float noise.
    ///
    /// 2⁻¹⁰ m (0.98 mm), not 1 mm: data drawn in decimal metres (millimetres, and the
    /// half-millimetres of midpoints between them) would sit exactly on a decimal grid's
    /// rounding boundaries, where a micrometre of noise rounds them either way; on a binary
    /// grid no decimal value is on a boundary (a millimetre value is at least 3.9 µm from one).
    static let precision = 1.0 / 1024

    init(_ district: District) throws {
        epsg = try district.workingEPSG()
        let projected = try district.projected(to: epsg)
        metric = try projected.snapped(toGrid: Self.precision)
        survey = try DistrictSurvey(metric)
        inputs = try Partitioner.communityInputs(metric, survey: survey)
    }
}

public enum Partitioner {
    /// Partitions `district`.
    /// - Parameter progress: called after each community with (done, total), from any thread.
    /// - Throws: `GeometryError` or `ProjectionError` when GEOS or PROJ fail on the data.
    public static func partition(_ district: District, options: PartitionOptions = PartitionOptions(),
                                 progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Partition {
        var timings = StageTimings(measuresPeaks: options.measuresPeakMemory)
        let work = try timings.measurePeak(.workingCRS) { try WorkingDistrict(district) }
        let outcomes = try timings.measureCommunities { try partitionCommunities(work.inputs, options: options, progress: progress) }
        var partition = try assemble(outcomes, district: district, metric: work.metric, survey: work.survey, working: work.epsg,
                                     timings: timings)
        timings = partition.timings
        try timings.measurePeak(.codes) {
            try partition.reportInvalidGeometry(threads: options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        }
        partition.timings = timings
        return partition
    }

    /// Partitions each community of `inputs` (in the working CRS), on every core the options
    /// allow, each task with its own GEOS context; the outcomes come back in the order of `inputs`.
    static func partitionCommunities(_ inputs: [CommunityInput], options: PartitionOptions,
                                     progress: (@Sendable (Int, Int) -> Void)?) throws -> [CommunityOutcome] {
        let results = ResultBox<CommunityOutcome>(count: inputs.count)
        let threads = max(1, min(options.threads ?? ProcessInfo.processInfo.activeProcessorCount, inputs.count))
        // The communities with the most buildings first, so that a big one does not start last
        // while the other cores have nothing left; the outcomes still come back in input order.
        let order = inputs.indices.sorted { (inputs[$0].buildings.count, $1) > (inputs[$1].buildings.count, $0) }
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let slot = results.next() {
                let index = order[slot]
                let result = Result<CommunityOutcome, any Error> {
                    try CommunityPartitioner(input: inputs[index], options: options).run(context: GEOSContext())
                }
                let done = results.store(result, at: index)
                progress?(done, inputs.count)
            }
        }
        return try results.all().map { try $0.get() }
    }

    /// Puts the communities' outcomes (in the working CRS `working`) together into the partition
    /// of `district`: shops and roads attached to grids (`ServiceArea`), buildings outside every
    /// community reported, and every geometry brought back to the district's CRS.
    /// - Parameters:
    ///   - metric: `district` in the working CRS; `survey` its survey.
    ///   - outlines: outlines whose vertices go back exactly where the input has them, before the
    ///     communities' (a re-partition's kept grids), in the working CRS and in the district's.
    static func assemble(_ outcomes: [CommunityOutcome], district: District, metric: District, survey: DistrictSurvey,
                         working: Int, outlines: (metric: [Geometry], original: [Geometry]) = ([], []),
                         timings: StageTimings = StageTimings()) throws -> Partition {
        var partition = Partition(epsg: working, grids: [], assignments: [], findings: [], statistics: PartitionStatistics())
        var timings = timings
        var polsbyPopper: [Double] = []
        var unplaced = district.droppedBuildings
        for outcome in outcomes {
            partition.grids += outcome.grids
            partition.assignments += outcome.assignments
            partition.findings += outcome.findings
            unplaced += outcome.unplaced
            polsbyPopper += outcome.polsbyPopper
            partition.statistics.add(outcome.statistics)
            timings.add(outcome.timings)
        }
        for (building, community) in zip(district.buildings, survey.buildingCommunity) where community == nil {
            unplaced.append(UnplacedBuilding(buildingID: building.id, households: building.households, reason: .outsideCommunities))
        }
        partition.account(for: district, unplaced: unplaced)
        partition.statistics.meanPolsbyPopper = polsbyPopper.isEmpty ? 0 : polsbyPopper.reduce(0, +) / Double(polsbyPopper.count)
        let threads = ProcessInfo.processInfo.activeProcessorCount
        partition.removeZeroWidthParts(width: Partition.noWidth)
        timings.measurePeak(.serviceArea) { ServiceArea.attachRoads(metric.roads, to: &partition, threads: threads) }
        let metricGrids = partition.grids
        try timings.measurePeak(.codes) {
            try backToDistrictCRS(&partition, district: district, metric: metric, working: working, outlines: outlines, threads: threads)
        }
        try timings.measurePeak(.serviceArea) {
            try ServiceArea.attachShops(district.shops, metricShops: metric.shops, to: &partition, metricGrids: metricGrids)
        }
        partition.timings = timings
        return partition
    }

    /// Brings every geometry of `partition` from the working CRS back to the district's, each
    /// vertex of a community's (or a kept grid's) outline exactly where the input has it.
    private static func backToDistrictCRS(_ partition: inout Partition, district: District, metric: District, working: Int,
                                          outlines: (metric: [Geometry], original: [Geometry]), threads: Int) throws {
        let anchors = BoundaryAnchors(metric: outlines.metric + metric.communities.map(\.geometry),
                                      original: outlines.original + district.communities.map(\.geometry))
        try partition.transform(to: district.epsg, threads: threads, anchors: anchors)
        // Two parts of a grid that meet within a rounding error of one point in metres can meet
        // at that point once brought back (a ring touching itself, invalid): joined by a square
        // of a fifth of a millimetre where they come within a millimetre.
        let micrometre = working != district.epsg ? try zeroWidth(metric: metric, working: working, epsg: district.epsg) : nil
        try partition.removeDust(joining: micrometre.map { (width: 100 * $0, reach: 1_000 * $0) })
    }

    /// Each community's buildings (by the survey), nearby roads and dedicated sites (each to the
    /// community holding most of it), in community-code order.
    static func communityInputs(_ district: District, survey: DistrictSurvey) throws -> [CommunityInput] {
        var inputs = district.communities.map { CommunityInput(community: $0, buildings: [], roads: [], sites: []) }
        for (index, building) in district.buildings.enumerated() {
            if let community = survey.buildingCommunity[index] { inputs[community].buildings.append((index, building)) }
        }
        let envelopes = district.communities.map { $0.geometry.envelope }
        // The communities whose envelope meets the line's.
        func near(_ line: Geometry) -> [Int] {
            guard let envelope = line.envelope else { return [] }
            return envelopes.indices.filter { envelopes[$0]?.intersects(envelope) == true }
        }
        for road in district.roads { for c in near(road.geometry) { inputs[c].roads.append(road) } }
        for barrier in district.barriers { for c in near(barrier.geometry) { inputs[c].barriers.append(barrier) } }
        let context = GEOSContext()
        let communities = try district.communities.map { community -> GEOSObject in
            let raw = try GEOSObject(community.geometry, context: context)
            return try raw.isValid() ? raw : raw.makeValid()
        }
        for site in district.dedicated {
            guard let envelope = site.geometry.envelope else { continue }
            let raw = try GEOSObject(site.geometry, context: context)
            let geometry = try raw.isValid() ? raw : raw.makeValid()
            var best: (community: Int, area: Double)?
            for (c, communityEnvelope) in envelopes.enumerated() where communityEnvelope?.intersects(envelope) == true {
                let area = try geometry.intersection(communities[c]).area()
                if area > 1, best == nil || area > best!.area { best = (c, area) }
            }
            if let best { inputs[best.community].sites.append(site) }
        }
        return inputs.sorted { $0.community.code < $1.community.code }
    }
}

extension Partition {
    /// Sets `unplaced` and the household figures so that every household of `district` is
    /// counted once: in `assignments`, or in `unplaced` with its reason. Households that the
    /// assignments miss and `unplaced` does not explain (an engine fault) are listed as
    /// `.unaccounted` rather than lost.
    mutating func account(for district: District, unplaced: [UnplacedBuilding]) {
        var assigned: [String: Int] = [:]
        for row in assignments { assigned[row.buildingID, default: 0] += row.households }
        var listed: [String: Int] = [:]
        for entry in unplaced { listed[entry.buildingID, default: 0] += entry.households }
        var all = unplaced
        for building in district.buildings {
            let missing = building.households - (assigned[building.id] ?? 0) - (listed[building.id] ?? 0)
            if missing > 0 { all.append(UnplacedBuilding(buildingID: building.id, households: missing, reason: .unaccounted)) }
        }
        self.unplaced = all.sorted { ($0.buildingID, $0.reason.code) < ($1.buildingID, $1.reason.code) }
        statistics.householdsIn = district.householdsIn
        statistics.buildingsIn = district.buildings.count + district.droppedBuildings.count
        statistics.householdsPlaced = assignments.reduce(0) { $0 + $1.households }
        statistics.householdsNotPlaced = self.unplaced.reduce(0) { $0 + $1.households }
    }
}

extension PartitionStatistics {
    mutating func add(_ other: PartitionStatistics) {
        communities += other.communities
        households += other.households
        buildings += other.buildings
        gridsOutOfBounds += other.gridsOutOfBounds
        microGridsOutOfBounds += other.microGridsOutOfBounds
        gridsOutOfBoundsByData += other.gridsOutOfBoundsByData
        microGridsOutOfBoundsByData += other.microGridsOutOfBoundsByData
        residentialGrids += other.residentialGrids
        residentialGridsInBounds += other.residentialGridsInBounds
        residentialMicroGrids += other.residentialMicroGrids
        residentialMicroGridsInBounds += other.residentialMicroGridsInBounds
        compoundsSplit += other.compoundsSplit
        buildingsSplit += other.buildingsSplit
        roadMetres += other.roadMetres
        roadMetresCrossed += other.roadMetresCrossed
        arterialMetresCrossed += other.arterialMetresCrossed
    }
}

/// Results of the parallel tasks, and the next item to take.
final class ResultBox<Value: Sendable>: Sendable {
    private struct State {
        var results: [Result<Value, any Error>?]
        var cursor = 0
        var done = 0
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count)))
    }

    /// The next item no task has taken, if any.
    func next() -> Int? {
        state.withLock { state in
            guard state.cursor < state.results.count else { return nil }
            state.cursor += 1
            return state.cursor - 1
        }
    }

    /// Stores the result of item `index`; returns how many items are done.
    func store(_ result: Result<Value, any Error>, at index: Int) -> Int {
        state.withLock { state in
            state.results[index] = result
            state.done += 1
            return state.done
        }
    }

    func all() -> [Result<Value, any Error>] {
        state.withLock { state in state.results.map { $0! } }
    }
}
