public import DistrictModel
public import FeatureIO
import Foundation
import GeometryEngine
import GridSchema
import GridLookup
import Projections

/// How a re-partition treats the grids of the previous partition.
public enum RepartitionMode: String, Sendable, Hashable {
    /// Keep every grid that still fits; re-balance, with as few neighbours as needed, only the
    /// grids that something pushed out of their bounds.
    case rebalance
    /// Keep every grid exactly as it is (geometry and code); build the micro-grids inside each
    /// grid that has none, whose buildings changed, or whose micro-grids left their bounds.
    case keepGrids = "keep-grids"
}

/// A re-partition: the new partition and what changed since the previous one.
public struct Repartition: Sendable {
    public var partition: Partition
    public var report: RepartitionReport
    /// Fields of the previous `grids` that are not the partition's own (an office's, kept by
    /// `import-grids`), and their values by grid code: written again for every grid that keeps
    /// its code, null for new grids.
    public var carriedFields: [FieldDefinition] = []
    public var carriedValues: [String: [String: FieldValue]] = [:]

    /// The partition's layers, then `changes`, `moves` and `code_history` (`RepartitionReport.layers()`).
    public func layers() throws -> [Layer] {
        var layers = try partition.layers()
        if !carriedFields.isEmpty, let g = layers.firstIndex(where: { $0.name == PartitionSchema.Grids.layer }) {
            layers[g].fields += carriedFields
            for f in layers[g].features.indices {
                let values = layers[g].features[f][PartitionSchema.Grids.code].string.flatMap { carriedValues[$0] } ?? [:]
                for field in carriedFields { layers[g].features[f][field.name] = values[field.name] ?? .null }
            }
        }
        return layers + report.layers()
    }

    /// Writes the GeoPackage at `path`, atomically (see `GeoPackageWriter`), with the
    /// lookup index of its grids stored beside them (`GridIndex.storeIndex(inFile:)`), so that
    /// `locate` and `serve` read it instead of building it.
    public func write(to path: String) throws {
        try GeoPackageWriter.write(try layers(), to: path, finishing: { try GridIndex.storeIndex(inFile: $0) })
    }
}

extension Partitioner {
    /// Re-partitions `district` starting from `previous`, keeping what still works.
    ///
    /// Per community (in parallel, each with its own GEOS context; see `CommunityRepartitioner`):
    /// - nothing changed (same buildings and households, each building still on its grid, the
    ///   same area): grids, micro-grids and assignments are copied, codes and geometry bytes included;
    /// - otherwise a grid whose households changed but stay within the bounds (or come no
    ///   further out of them than before) keeps its geometry and code: no household moves. Its
    ///   micro-grids are rebuilt only when buildings came or went across parts of it or a
    ///   micro-grid left its bounds;
    /// - grids pushed out of their bounds are re-balanced together with as few neighbouring
    ///   grids as make their households divisible within the bounds; the new grids take over the
    ///   code of the old grid they share most households with, and the others get sequence
    ///   numbers above every code the community ever used (`code_history`): a retired code is
    ///   never given again.
    ///
    /// Kept grids and micro-grids get the previous file's geometry back after the round trip to
    /// the metric working CRS, so that "kept" is byte for byte; re-built neighbours are cut in the
    /// working CRS out of the same transformed polygons, so they tile with them up to PROJ's
    /// round-trip noise (about 1e-9 m).
    ///
    /// - Parameters:
    ///   - previous: the earlier partition of the same district (`PreviousPartition.read`), in its CRS.
    ///   - progress: called after each community with (done, total), from any thread.
    /// - Throws: `RepartitionError` when `previous` is in another CRS or a community runs out of
    ///   codes; `GeometryError`, `ProjectionError` as `partition` does.
    public static func repartition(_ district: District, previous: PreviousPartition, mode: RepartitionMode = .rebalance,
                                   options: PartitionOptions = PartitionOptions(),
                                   progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Repartition {
        try check(previous, against: district, mode: mode)
        var timings = StageTimings()
        let work = try timings.measure(.workingCRS) { try WorkingDistrict(district) }
        let (working, metric, survey, inputs) = (work.epsg, work.metric, work.survey, work.inputs)
        // Communities the previous file had and the district no longer has: their grids retire.
        let tasks = repartitioners(inputs, previous: previous, mode: mode, options: options, epsg: district.epsg, working: working)
        let outcomes = try repartitionCommunities(tasks, options: options, progress: progress)
        // Kept grids and micro-grids: the previous file's geometry, byte for byte; the vertices
        // re-built ones share with them go back onto the previous file's outlines.
        var oldGeometry: [String: Geometry] = [:]
        for grid in previous.grids {
            oldGeometry[grid.code] = grid.geometry
            for micro in grid.microGrids { oldGeometry[micro.code] = micro.geometry }
        }
        let kept = outcomes.reduce(into: Set<String>()) { $0.formUnion($1.keptGeometry) }
        var partition = try assemble(outcomes.map(\.outcome), district: district, metric: metric, survey: survey, working: working,
                                     outlines: keptOutlines(outcomes, kept: kept, oldGeometry: oldGeometry), timings: timings)
        putBack(oldGeometry, of: kept, in: &partition)
        if working != district.epsg {
            try snapRebuilt(&partition, kept: kept, oldGeometry: oldGeometry, metric: metric, working: working)
            // Snapping can bring both sides of a narrow spike onto one outline (no width left),
            // or two vertices within a rounding error of each other; a ring touching itself
            // round a hole becomes a polygon with a hole touching its shell.
            let micrometre = try zeroWidth(metric: metric, working: working, epsg: district.epsg)
            partition.removeZeroWidthParts(width: micrometre, except: kept, mergesNearPoints: true)
            // Parts the snapping left touching at a point, or crossing by a hair, joined by a
            // millimetre square where the gap between them is under 10 cm (the snapping's reach).
            try partition.removeDust(except: kept, joining: (width: 1_000 * micrometre, reach: 100_000 * micrometre))
        }
        try partition.reportInvalidGeometry(threads: options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let report = RepartitionReport(previous: previous, partition: partition, mode: mode,
                                       rebuiltMicroGrids: outcomes.reduce(into: Set<String>()) { $0.formUnion($1.rebuiltMicroGrids) })
        var result = Repartition(partition: partition, report: report)
        result.carriedFields = previous.carriedFields
        if !previous.carriedFields.isEmpty {
            result.carriedValues = Dictionary(previous.grids.map { ($0.code, $0.carried) }, uniquingKeysWith: { first, _ in first })
        }
        return result
    }

    /// Throws when `previous` cannot be re-partitioned into `district`: another CRS, or (to
    /// re-balance) without micro-grids or assignments.
    private static func check(_ previous: PreviousPartition, against district: District, mode: RepartitionMode) throws {
        guard previous.epsg == district.epsg else {
            throw RepartitionError("the grids are in EPSG:\(previous.epsg), the district in EPSG:\(district.epsg): re-partition the district in the CRS it was partitioned in",
                                   file: previous.path, layer: PartitionSchema.Grids.layer)
        }
        if mode == .rebalance && !(previous.hasMicroGrids && previous.hasAssignments) {
            throw RepartitionError("a re-partition that re-balances needs the layers microgrids and building_assignments (--keep-grids works from grids alone)",
                                   file: previous.path,
                                   layer: previous.hasMicroGrids ? PartitionSchema.BuildingAssignments.layer : PartitionSchema.MicroGrids.layer)
        }
    }

    /// One re-partitioner per community of `inputs`, with its grids, rows and codes in `previous`.
    private static func repartitioners(_ inputs: [CommunityInput], previous: PreviousPartition, mode: RepartitionMode,
                                       options: PartitionOptions, epsg: Int, working: Int) -> [CommunityRepartitioner] {
        var gridsOfCommunity: [String: [PreviousPartition.OldGrid]] = [:]
        for grid in previous.grids { gridsOfCommunity[grid.communityCode, default: []].append(grid) }
        var communityOfGrid: [String: String] = [:]
        for grid in previous.grids { communityOfGrid[grid.code] = grid.communityCode }
        var rowsOfCommunity: [String: [BuildingAssignment]] = [:]
        for row in previous.assignments {
            if let community = communityOfGrid[row.gridCode] { rowsOfCommunity[community, default: []].append(row) }
        }
        var codesOfCommunity: [String: Set<String>] = [:]
        for record in previous.codeHistory {
            guard let community = GridCode(record.code)?.community ?? MicroGridCode(record.code)?.grid.community else { continue }
            codesOfCommunity[community.description, default: []].insert(record.code)
        }
        return inputs.map { input in
            CommunityRepartitioner(input: input, oldGrids: gridsOfCommunity[input.community.code] ?? [],
                                   oldRows: rowsOfCommunity[input.community.code] ?? [],
                                   usedCodes: codesOfCommunity[input.community.code] ?? [],
                                   mode: mode, options: options, districtEPSG: epsg, workingEPSG: working,
                                   placesByLocation: !previous.hasAssignments)
        }
    }

    /// Runs `tasks` on every core the options allow, each with its own GEOS context; the results
    /// come back in the order of `tasks`.
    private static func repartitionCommunities(_ tasks: [CommunityRepartitioner], options: PartitionOptions,
                                               progress: (@Sendable (Int, Int) -> Void)?) throws -> [CommunityRepartitioner.Result] {
        let results = ResultBox<CommunityRepartitioner.Result>(count: tasks.count)
        let threads = max(1, min(options.threads ?? ProcessInfo.processInfo.activeProcessorCount, tasks.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = results.next() {
                let result = Swift.Result<CommunityRepartitioner.Result, any Error> { try tasks[index].run(context: GEOSContext()) }
                let done = results.store(result, at: index)
                progress?(done, tasks.count)
            }
        }
        return try results.all().map { try $0.get() }
    }

    /// The outlines of the grids and micro-grids `kept`: as the communities' outcomes have them
    /// (working CRS) and as the previous file has them, so that `assemble` brings their
    /// vertices back exactly.
    private static func keptOutlines(_ outcomes: [CommunityRepartitioner.Result], kept: Set<String>,
                                     oldGeometry: [String: Geometry]) -> (metric: [Geometry], original: [Geometry]) {
        var outlines: (metric: [Geometry], original: [Geometry]) = ([], [])
        for grid in outcomes.flatMap(\.outcome.grids) {
            for (code, geometry) in [(grid.code, grid.geometry)] + grid.microGrids.map({ ($0.code, $0.geometry) }) where kept.contains(code) {
                guard let original = oldGeometry[code] else { continue }
                outlines.metric.append(geometry)
                outlines.original.append(original)
            }
        }
        return outlines
    }

    /// Gives each grid and micro-grid `kept` its previous file's geometry.
    private static func putBack(_ oldGeometry: [String: Geometry], of kept: Set<String>, in partition: inout Partition) {
        for g in partition.grids.indices {
            if kept.contains(partition.grids[g].code), let geometry = oldGeometry[partition.grids[g].code] { partition.grids[g].geometry = geometry }
            for m in partition.grids[g].microGrids.indices {
                let code = partition.grids[g].microGrids[m].code
                if kept.contains(code), let geometry = oldGeometry[code] { partition.grids[g].microGrids[m].geometry = geometry }
            }
        }
    }

    /// `Partition.noWidth` in the units of `epsg`, at the district's centre (the smaller of the
    /// two axes' scales, for degrees).
    static func zeroWidth(metric: District, working: Int, epsg: Int) throws -> Double {
        guard let (east, north) = try steps(of: 1, metric: metric, working: working, epsg: epsg) else { return Partition.noWidth }
        let scale = min((east.x * east.x + east.y * east.y).squareRoot(), (north.x * north.x + north.y * north.y).squareRoot())
        return scale > 0 ? Partition.noWidth * scale : Partition.noWidth
    }

    /// A step of `metres` east and one north from the district's centre, as moves in `epsg`
    /// (nil for a district without an extent).
    private static func steps(of metres: Double, metric: District, working: Int, epsg: Int) throws -> (east: XY, north: XY)? {
        guard let center = metric.envelope?.center else { return nil }
        let back = try CoordinateTransformer(from: working, to: epsg)
        let origin = try back.transform(center)
        let east = try back.transform(XY(center.x + metres, center.y)), north = try back.transform(XY(center.x, center.y + metres))
        return (XY(east.x - origin.x, east.y - origin.y), XY(north.x - origin.x, north.y - origin.y))
    }

    /// Re-built grids and micro-grids of each community snapped onto the outlines of its kept
    /// grids, within 10 cm (see `BoundarySnapper`): far below the size of any cell, far above the
    /// curvature a working-CRS edge has in degrees.
    private static func snapRebuilt(_ partition: inout Partition, kept: Set<String>, oldGeometry: [String: Geometry],
                                    metric: District, working: Int) throws {
        guard let (east, north) = try steps(of: 0.1, metric: metric, working: working, epsg: partition.epsg) else { return }
        let tolerance = max(abs(east.x) + abs(east.y), abs(north.x) + abs(north.y))
        guard tolerance > 0 else { return }
        var indices: [String: [Int]] = [:]
        for (g, grid) in partition.grids.enumerated() { indices[grid.communityCode, default: []].append(g) }
        for community in indices.keys.sorted() {
            let members = indices[community] ?? []
            let outlines = members.filter { kept.contains(partition.grids[$0].code) }.compactMap { oldGeometry[partition.grids[$0].code] }
            let snapper = BoundarySnapper(outlines: outlines, tolerance: tolerance)
            guard !snapper.isEmpty else { continue }
            for g in members {
                if !kept.contains(partition.grids[g].code) { partition.grids[g].geometry = snapper.snapped(partition.grids[g].geometry) }
                for m in partition.grids[g].microGrids.indices where !kept.contains(partition.grids[g].microGrids[m].code) {
                    partition.grids[g].microGrids[m].geometry = snapper.snapped(partition.grids[g].microGrids[m].geometry)
                }
            }
        }
    }
}
