public import DistrictModel
import Foundation
import GeometryEngine
import Projections

/// The partition engine: cuts every community of a district into grids of about 200
/// households and every grid into micro-grids of 50-80 (`data.md`, "Output: a partition").
///
/// Communities are independent, so they are partitioned in parallel, each task with its own
/// GEOS context; results are put back in community-code order, so that the output does not
/// depend on the threads. Work is done in the district's metric working CRS and the
/// geometries are transformed back to the district's CRS.
public enum Partitioner {
    /// Partitions `district`.
    /// - Parameter progress: called after each community with (done, total), from any thread.
    /// - Throws: `GeometryError` or `ProjectionError` when GEOS or PROJ fail on the data.
    public static func partition(_ district: District, options: PartitionOptions = PartitionOptions(),
                                 progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Partition {
        let working = try district.workingEPSG()
        let metric = try district.projected(to: working)
        let survey = try DistrictSurvey(metric)
        let inputs = try communityInputs(metric, survey: survey)

        let results = ResultBox(count: inputs.count)
        let threads = max(1, min(options.threads ?? ProcessInfo.processInfo.activeProcessorCount, inputs.count))
        let back = district.epsg
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = results.next() {
                let result = Result<CommunityOutcome, any Error> {
                    var outcome = try CommunityPartitioner(input: inputs[index], options: options).run(context: GEOSContext())
                    if back != working {
                        let transformer = try CoordinateTransformer(from: working, to: back)
                        for g in outcome.grids.indices {
                            outcome.grids[g].geometry = try transformer.transform(outcome.grids[g].geometry)
                            for m in outcome.grids[g].microGrids.indices {
                                outcome.grids[g].microGrids[m].geometry = try transformer.transform(outcome.grids[g].microGrids[m].geometry)
                            }
                        }
                    }
                    return outcome
                }
                let done = results.store(result, at: index)
                progress?(done, inputs.count)
            }
        }

        var partition = Partition(epsg: district.epsg, grids: [], assignments: [], findings: [], statistics: PartitionStatistics())
        var polsbyPopper: [Double] = []
        for result in results.all() {
            let outcome = try result.get()
            partition.grids += outcome.grids
            partition.assignments += outcome.assignments
            partition.findings += outcome.findings
            polsbyPopper += outcome.polsbyPopper
            partition.statistics.add(outcome.statistics)
        }
        for (building, community) in zip(district.buildings, survey.buildingCommunity) where community == nil {
            partition.findings.append(PartitionFinding(.unassignedBuilding, featureID: building.id,
                                                       detail: "outside every community (\(building.households) households in no grid)"))
        }
        partition.statistics.meanPolsbyPopper = polsbyPopper.isEmpty ? 0 : polsbyPopper.reduce(0, +) / Double(polsbyPopper.count)
        return partition
    }

    /// Each community's buildings (by the survey), nearby roads and dedicated sites (each to the
    /// community holding most of it), in community-code order.
    static func communityInputs(_ district: District, survey: DistrictSurvey) throws -> [CommunityInput] {
        var inputs = district.communities.map { CommunityInput(community: $0, buildings: [], roads: [], sites: []) }
        for (index, building) in district.buildings.enumerated() {
            if let community = survey.buildingCommunity[index] { inputs[community].buildings.append((index, building)) }
        }
        let envelopes = district.communities.map { $0.geometry.envelope }
        for road in district.roads {
            guard let envelope = road.geometry.envelope else { continue }
            for (c, communityEnvelope) in envelopes.enumerated() where communityEnvelope?.intersects(envelope) == true {
                inputs[c].roads.append(road)
            }
        }
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

/// Results of the parallel tasks, and the next community to take; guarded by a lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<CommunityOutcome, any Error>?]
    private var cursor = 0
    private var done = 0

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.withLock {
            guard cursor < results.count else { return nil }
            cursor += 1
            return cursor - 1
        }
    }

    func store(_ result: Result<CommunityOutcome, any Error>, at index: Int) -> Int {
        lock.withLock {
            results[index] = result
            done += 1
            return done
        }
    }

    func all() -> [Result<CommunityOutcome, any Error>] {
        lock.withLock { results.map { $0! } }
    }
}
