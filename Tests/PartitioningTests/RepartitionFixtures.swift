import DistrictModel
import DistrictSynthesis
import FeatureIO
import Foundation
import GeometryEngine
import Partitioning
import Testing
import TestSupport

/// Districts, edits and checks shared by the re-partition tests.
enum RepartitionFixture {
    /// A generated district of a few communities, and its partition.
    static let base = SyntheticCity.generateWithReport(SyntheticCity.Options(seed: 21, households: 7_000))
    static let basePartition = Result { try Partitioner.partition(base.district, options: PartitionOptions(threads: 2)) }

    /// The community of each building in `partition` (by its first row).
    static func communityOfBuilding(_ partition: Partition) -> [String: String] {
        var result: [String: String] = [:]
        for row in partition.assignments where result[row.buildingID] == nil { result[row.buildingID] = String(row.gridCode.prefix(12)) }
        return result
    }

    /// The two urban communities with the most buildings, in code order.
    static func editedCommunities(_ partition: Partition) -> [String] {
        var counts: [String: Int] = [:]
        for (_, community) in communityOfBuilding(partition) { counts[community, default: 0] += 1 }
        let residential = Set(partition.grids.filter { $0.kind == .residential }.map(\.communityCode))
        return counts.filter { residential.contains($0.key) }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map(\.key).sorted()
    }

    /// `district` with the households of `share` of the buildings of `communities` changed by
    /// ±5 % (at least one household), and `demolished` of their buildings removed; seeded.
    static func edited(_ district: District, partition: Partition, communities: [String], seed: UInt64,
                       share: Double = 0.1, demolished: Int = 1) -> District {
        var random = SplitMix64(seed: seed)
        let community = communityOfBuilding(partition)
        let wanted = Set(communities)
        var result = district
        let candidates = district.buildings.indices.filter { i in
            community[district.buildings[i].id].map(wanted.contains) ?? false && district.buildings[i].households > 0
        }
        var chosen = candidates
        for i in chosen.indices.reversed() {
            let j = Int(random.next() % UInt64(i + 1))
            chosen.swapAt(i, j)
        }
        let changed = Int((Double(candidates.count) * share).rounded())
        for index in chosen.prefix(changed) {
            let households = result.buildings[index].households
            let delta = max(1, Int((Double(households) * 0.05).rounded()))
            result.buildings[index].households = random.next() % 2 == 0 ? households + delta : max(0, households - delta)
        }
        let gone = Set(chosen.dropFirst(changed).prefix(demolished).map { district.buildings[$0].id })
        result.buildings.removeAll { gone.contains($0.id) }
        return result
    }

    /// Writes `partition` (or only the layers named) to a fresh file in `directory` and reads it back.
    static func written(_ partition: Partition, to directory: TemporaryDirectory, name: String, only: Set<String>? = nil,
                        requiresAssignments: Bool = true) throws -> PreviousPartition {
        let path = directory.path(name)
        let layers = try partition.layers().filter { only?.contains($0.name) ?? true }
        try GeoPackageWriter.write(layers, to: path)
        return try PreviousPartition.read(path, requiresAssignments: requiresAssignments)
    }

    /// Share of households now in buildings of `before` whose grid code is one they had before.
    static func shareKeepingGridCode(before: Partition, after: Partition) -> Double {
        var old: [String: Set<String>] = [:]
        for row in before.assignments { old[row.buildingID, default: []].insert(row.gridCode) }
        var compared = 0, kept = 0
        for row in after.assignments {
            guard let grids = old[row.buildingID] else { continue }
            compared += row.households
            if grids.contains(row.gridCode) { kept += row.households }
        }
        return compared == 0 ? 1 : Double(kept) / Double(compared)
    }

    /// The features of `layer` in the file at `path` whose `field` starts with one of `prefixes`,
    /// without their fid (which counts rows of the whole layer), keyed by `key`.
    static func features(_ path: String, layer: String, key: String, field: String, prefixes: Set<String>) throws -> [String: Feature] {
        var result: [String: Feature] = [:]
        for var feature in try GeoPackageReader(path: path).readLayer(layer).features {
            guard let value = feature[field].string, prefixes.contains(String(value.prefix(12))) else { continue }
            feature.fid = nil
            let k = (feature[key].string ?? "") + "/" + (feature["microgrid_code"].string ?? "")
            result[k] = withoutRoadMetres(feature)
        }
        return result
    }

    /// `feature` without what a re-partition measures anew on the kept grids as the file has
    /// them (the partition measured on its rounded working geometry, `WorkingDistrict.precision`):
    /// the grids' `road_m` (compared by `expectSameRoads`).
    static func withoutRoadMetres(_ feature: Feature) -> Feature {
        var feature = feature
        feature.properties["road_m"] = nil
        return feature
    }

    /// The same stretches of road to the same grids in `old` and `new` (`road_assignments`),
    /// their lengths within 2 cm per road and grid: the pieces are cut anew on the kept grids,
    /// which stand a fraction of a millimetre from the rounded ones the partition cut on (the
    /// sharing of streets between grids decides on decimetres, so it does not flip there).
    static func expectSameRoads(_ old: Layer, _ new: Layer, sourceLocation: SourceLocation = #_sourceLocation) {
        func lengths(_ layer: Layer) -> [String: Double] {
            var total: [String: Double] = [:]
            for feature in layer.features {
                let key = (feature["road_id"].string ?? "") + "/" + (feature["grid_code"].string ?? "")
                total[key, default: 0] += feature["length_m"].double ?? 0
            }
            return total
        }
        let a = lengths(old), b = lengths(new)
        // A pair only one side has is a crumb where a road crosses a grid's corner: under 2 cm.
        let off = Set(a.keys).union(b.keys).filter { abs((a[$0] ?? 0) - (b[$0] ?? 0)) > 0.02 }.sorted()
        #expect(off.isEmpty, "road lengths differ: \(off.prefix(5).map { "\($0) \(a[$0] ?? 0) vs \(b[$0] ?? 0)" })",
                sourceLocation: sourceLocation)
    }

    /// The invariants of `data.md` on `partition` of `district`: grids tile each community,
    /// micro-grids each grid, one Polygon each, households counted once, codes unique and well formed.
    /// - Parameters:
    ///   - tolerance: gaps and overlaps allowed, relative to the area tiled (see `expectTiling`).
    ///   - checksValidity: whether every grid and micro-grid must be a valid polygon (GEOS).
    static func expectInvariants(_ partition: Partition, of district: District, outside: Set<String>, tolerance: Double = 1e-9,
                                 checksValidity: Bool = true) throws {
        var seen: Set<String> = []
        for grid in partition.grids {
            #expect(grid.code.count == 15 && grid.code.allSatisfy(\.isNumber) && grid.code.hasPrefix(grid.communityCode), "grid code \(grid.code)")
            #expect(seen.insert(grid.code).inserted, "grid code \(grid.code) twice")
            guard case .polygon = grid.geometry else { Issue.record("grid \(grid.code) is \(grid.geometry.typeName)"); continue }
            if checksValidity, try !grid.geometry.isValid() { Issue.record("grid \(grid.code) invalid: \(try grid.geometry.validityReason())") }
            #expect(grid.microGrids.reduce(0) { $0 + $1.households } == grid.households, "micro-grids of \(grid.code)")
            for micro in grid.microGrids {
                #expect(micro.code.count == 17 && micro.code.hasPrefix(grid.code) && micro.code.allSatisfy(\.isNumber), "micro code \(micro.code)")
                #expect(seen.insert(micro.code).inserted, "micro-grid code \(micro.code) twice")
                guard case .polygon = micro.geometry else { Issue.record("micro-grid \(micro.code) is \(micro.geometry.typeName)"); continue }
                if checksValidity, try !micro.geometry.isValid() {
                    Issue.record("micro-grid \(micro.code) invalid: \(try micro.geometry.validityReason())")
                }
            }
            try expectTiling(grid.microGrids.map(\.geometry), of: grid.geometry, name: grid.code, tolerance: tolerance)
        }
        for community in district.communities {
            let grids = partition.grids.filter { $0.communityCode == community.code }
            #expect(!grids.isEmpty, "community \(community.code) has no grid")
            let target = try community.geometry.isValid() ? community.geometry : community.geometry.makeValid()
            try expectTiling(grids.map(\.geometry), of: target, name: community.code, tolerance: tolerance)
        }
        var households: [String: Int] = [:]
        for row in partition.assignments { households[row.buildingID, default: 0] += row.households }
        for building in district.buildings where !outside.contains(building.id) {
            #expect(households[building.id] == building.households, "households of \(building.id)")
        }
        let assigned = district.buildings.filter { !outside.contains($0.id) }.reduce(0) { $0 + $1.households }
        #expect(partition.grids.reduce(0) { $0 + $1.households } == assigned)
    }

    /// Pieces tile `whole`: areas add up, no two overlap, their union is `whole`. Tolerances are
    /// relative to the area of `whole`, so that they mean the same in square metres and in
    /// square degrees: by default 1e-9 of the area for the areas and the union, a thousandth of
    /// that for any overlap (a millionth of a square metre in a square kilometre).
    static func expectTiling(_ pieces: [Geometry], of whole: Geometry, name: String, tolerance: Double = 1e-9) throws {
        let wholeArea = try whole.area()
        let sum = try pieces.reduce(0) { $0 + (try $1.area()) }
        #expect(abs(sum - wholeArea) <= tolerance * wholeArea, "areas of \(name): \(sum) vs \(wholeArea)")
        for i in pieces.indices {
            for j in pieces.indices where j > i {
                guard let a = pieces[i].envelope, let b = pieces[j].envelope, a.intersects(b) else { continue }
                let overlap = try pieces[i].intersection(pieces[j]).area()
                #expect(overlap <= tolerance * 1e-3 * wholeArea, "pieces \(i) and \(j) of \(name) overlap by \(overlap)")
            }
        }
        let union = try Geometry.multiPolygon(pieces.flatMap(\.polygons)).unaryUnion()
        let gap = try union.difference(whole).area() + whole.difference(union).area()
        #expect(gap <= tolerance * wholeArea, "union of \(name) differs from it by \(gap)")
    }
}
