import DistrictModel
import FeatureIO
import Foundation
import GeometryEngine
import GridSchema
@testable import Partitioning
import Projections
import Testing
import TestSupport

/// `GridImporter` on grids drawn over Shanghai the way an office draws them (straight cuts
/// through buildings, a grid grown into its neighbours, one shrunk away from them, one spilling
/// into the next community), checked with GEOS against the data contract's invariants.
@Suite(.timeLimit(.minutes(10))) struct GridImportTests {
    struct Imported: Sendable {
        let fixture: HandGridsFixture
        let district: District
        let result: GridImport
    }

    /// How the office drew: a square mesh (straight cuts through buildings everywhere) or
    /// along the lines of a partition (between buildings, as along streets).
    enum Drawing: String, CaseIterable, Sendable { case mesh, streets }

    /// Shanghai partitioned once for every test that draws along its lines.
    static let shanghaiPartition = Result { () throws -> (directory: TemporaryDirectory, path: String) in
        let directory = try TemporaryDirectory()
        let district = try DistrictReader.read(sampleDistrict("shanghai.gpkg").path).district
        try Partitioner.partition(district, options: PartitionOptions(threads: 1)).write(to: directory.path("partition.gpkg"))
        return (directory, directory.path("partition.gpkg"))
    }

    static func importShanghai(_ drawing: Drawing = .mesh, damage: HandGridsFixture.Damage = .init(),
                               options: GridImportOptions = .init()) throws -> Imported {
        let directory = try TemporaryDirectory()
        let district = try DistrictReader.read(sampleDistrict("shanghai.gpkg").path).district
        let fixture: HandGridsFixture
        switch drawing {
        case .mesh:
            fixture = try HandGridsFixture(district: sampleDistrict("shanghai.gpkg"), damage: damage)
        case .streets:
            let partition = try Self.shanghaiPartition.get()
            fixture = try HandGridsFixture(district: sampleDistrict("shanghai.gpkg"), partition: partition.path, damage: damage)
        }
        try fixture.write(to: directory.path("hand.gpkg"))
        let (hand, problems) = try HandDrawnGrids.read(directory.path("hand.gpkg"), epsg: district.epsg)
        let result = try GridImporter.importGrids(hand, problems: problems, into: district, options: options)
        return Imported(fixture: fixture, district: district, result: result)
    }

    @Test(arguments: Drawing.allCases)
    func repairedGridsTileEachCommunityAndKeepBuildingsWhole(drawing: Drawing) async throws {
        let imported = try await blocking { try Self.importShanghai(drawing) }
        #expect(imported.fixture.damaged.keys.sorted() == ["cut", "cut2", "gap", "overlap", "spill"])
        let (violations, split) = try await blocking { (try Self.coverageViolations(imported), try Self.buildingsSplit(imported)) }
        #expect(violations.isEmpty, "\(violations)")
        #expect(split.isEmpty, "\(split.prefix(10))")
    }

    /// How the grids of each community fail to tile it: parts outside or uncovered (beyond 10⁻⁹
    /// of its area), overlaps (beyond 10⁻⁶), grids in several parts.
    static func coverageViolations(_ imported: Imported) throws -> [String] {
        var violations: [String] = []
        for community in imported.district.communities {
            let grids = imported.result.grids.filter { $0.communityCode == community.code }
            guard !grids.isEmpty else { violations.append("community \(community.code) has no grid"); continue }
            let area = try community.geometry.area()
            let union = try Geometry.geometryCollection(grids.map(\.geometry)).unaryUnion()
            let outside = try union.difference(community.geometry).area(), missing = try community.geometry.difference(union).area()
            if outside > 1e-9 * area || missing > 1e-9 * area {
                violations.append("community \(community.code): \(outside / area) outside, \(missing / area) uncovered")
            }
            let overlap = try grids.reduce(0) { $0 + (try $1.geometry.area()) } - (try union.area())
            if overlap > 1e-6 * area { violations.append("community \(community.code): grids overlap by \(overlap / area) of its area") }
            for grid in grids where grid.geometry.polygons.count != 1 { violations.append("grid \(grid.code) is in \(grid.geometry.polygons.count) parts") }
        }
        return violations
    }

    /// The buildings inside a community that lie in more or fewer than one grid, to a centimetre.
    static func buildingsSplit(_ imported: Imported) throws -> [String] {
        let (result, district) = (imported.result, imported.district)
        let centimetre = 0.01 * HandGridsFixture.degreesPerMetre(latitude: 31.24).y
        var split: [String] = []
        for building in district.buildings {
            guard let community = try district.communities.first(where: { try $0.geometry.contains(building.geometry) }) else { continue }
            let core = try building.geometry.buffer(-centimetre)
            guard try core.area() > 0 else { continue }
            let holders = try result.grids.filter { grid in
                guard grid.communityCode == community.code else { return false }
                return try grid.geometry.intersection(core).area() > 0
            }
            if holders.count != 1 { split.append("\(building.id) in \(holders.count) grids") }
        }
        return split
    }

    @Test func officeFieldsCodesAndRepairsAreKept() async throws {
        let imported = try await blocking { try Self.importShanghai(.streets) }
        let result = imported.result
        let damaged = imported.fixture.damaged
        let drawn = Dictionary(uniqueKeysWithValues: imported.fixture.layer.features.map { ($0["网格编码"].string ?? "", $0) })
        // A part of a grid in a part of the community no other grid touches is a grid of its own, `<code>#2`.
        let detached = result.repairs.filter { $0.kind == .detachedPart }.count
        #expect(result.grids.count == drawn.count + detached)
        #expect(result.grids.filter { $0.officeCode.contains("#") }.count == detached)
        for grid in result.grids {
            let feature = try #require(drawn[String(grid.officeCode.split(separator: "#")[0])], "office code \(grid.officeCode)")
            for field in HandGridsFixture.fields { #expect(grid.officeProperties[field.name] == feature[field.name], "\(grid.officeCode) \(field.name)") }
            let code = try #require(GridCode(grid.code))
            #expect(code.community.description == grid.communityCode)
        }
        for community in Set(result.grids.map(\.communityCode)) {
            let sequences = result.grids.filter { $0.communityCode == community }.compactMap { GridCode($0.code)?.sequence }.sorted()
            #expect(sequences == Array(1...sequences.count))
        }
        let kinds = Set(result.repairs.map(\.kind))
        for kind in [GridRepair.Kind.gap, .overlap, .spill, .buildingMoved] { #expect(kinds.contains(kind), "no \(kind) repair") }
        #expect(result.repairs.contains { $0.kind == .spill && $0.officeCode == damaged["spill"] })
        #expect(result.repairs.contains { $0.kind == .overlap && ($0.officeCode == damaged["overlap"] || $0.otherOfficeCode == damaged["overlap"]) })
        #expect(result.repairs.allSatisfy { $0.areaSquareMetres > 0 && !$0.geometry.polygons.isEmpty && !$0.beyondTolerance })
        let (undamaged, kept) = try await blocking { try Self.keptShapes(imported) }
        #expect(undamaged >= 15 && Double(kept) >= 0.95 * Double(undamaged), "\(kept) of \(undamaged) kept")
        // No household lost: every household of a building standing in a community is in a grid.
        let inCommunities = try await blocking { try Self.householdsInCommunities(imported.district) }
        #expect(result.grids.reduce(0) { $0 + $1.households } == inCommunities)
        #expect(result.householdsIn - result.householdsNotPlaced == inCommunities)
    }

    /// The grids nobody damaged (not damaged on purpose, drawn in one part, no building across
    /// their lines), and how many of them keep their drawn area within 5 %.
    static func keptShapes(_ imported: Imported) throws -> (undamaged: Int, kept: Int) {
        let drawn = Dictionary(uniqueKeysWithValues: imported.fixture.layer.features.map { ($0["网格编码"].string ?? "", $0) })
        let damaged = Set(imported.fixture.damaged.values)
        let footprints = imported.district.buildings.map(\.geometry)
        let undamaged = try imported.result.grids.filter { grid in
            guard !damaged.contains(grid.officeCode), let feature = drawn[grid.officeCode],
                  let geometry = feature.geometry, geometry.polygons.count == 1, let envelope = geometry.envelope else { return false }
            return try !footprints.contains { footprint in
                guard let box = footprint.envelope, box.intersects(envelope), try geometry.intersects(footprint) else { return false }
                return try !geometry.contains(footprint) && (try geometry.intersection(footprint).area()) > 0
            }
        }
        return (undamaged.count, undamaged.filter { abs($0.squareMetres - $0.drawnSquareMetres) <= 0.05 * $0.drawnSquareMetres }.count)
    }

    /// Households of the buildings standing (by a point inside them) in a community.
    static func householdsInCommunities(_ district: District) throws -> Int {
        var households = 0
        for building in district.buildings {
            let point = try building.geometry.pointOnSurface()
            if try district.communities.contains(where: { try $0.geometry.intersects(point) }) { households += building.households }
        }
        return households
    }

    /// Locked grids keep their drawn lines: the grid grown into its neighbours keeps all of its
    /// drawn land in its community, the one shrunk from them takes no gap (only whole buildings
    /// its own line cuts); the rest still tiles each community with every building whole.
    @Test func lockedGridsKeepTheirDrawnLines() async throws {
        let plain = try await blocking { try Self.importShanghai() }
        let grown = try #require(plain.fixture.damaged["overlap"]), shrunk = try #require(plain.fixture.damaged["gap"])
        let imported = try await blocking { try Self.importShanghai(options: GridImportOptions(locked: [grown, shrunk])) }
        let (violations, split) = try await blocking { (try Self.coverageViolations(imported), try Self.buildingsSplit(imported)) }
        #expect(violations.isEmpty, "\(violations)")
        #expect(split.isEmpty, "\(split.prefix(10))")
        let drawn = Dictionary(uniqueKeysWithValues: imported.fixture.layer.features.map { ($0["网格编码"].string ?? "", $0.geometry) })
        let footprints = try Geometry.geometryCollection(imported.district.buildings.map(\.geometry)).unaryUnion()
        func grid(_ code: String) throws -> ImportedGrid { try #require(imported.result.grids.first { $0.officeCode == code }) }
        let grownGrid = try grid(grown), shrunkGrid = try grid(shrunk)
        let community = try #require(imported.district.communities.first { $0.code == grownGrid.communityCode })
        let grownDrawn = try #require(drawn[grown] ?? nil).intersection(community.geometry)
        // What it lost can only be building land the other locked grid's line also cut (that
        // building went whole to the lock holding more of it).
        let lostLand = try grownDrawn.difference(grownGrid.geometry)
        let lost = try lostLand.difference(try shrunkGrid.geometry.intersection(footprints)).area() / grownDrawn.area()
        let repairsOfGrown = imported.result.repairs.filter { $0.officeCode == grown || $0.otherOfficeCode == grown }.map(\.detail)
        #expect(lost <= 1e-9, "the locked grid \(grown) lost \(lost) of its land; repairs \(repairsOfGrown)")
        let shrunkDrawn = try #require(drawn[shrunk] ?? nil)
        let taken = try shrunkGrid.geometry.difference(shrunkDrawn).difference(footprints)
        #expect(try taken.area() <= 1e-9 * shrunkDrawn.area(), "the locked grid \(shrunk) took a gap")
        // Unlocked, the same grids do change: the test sees what the lock does.
        let plainGrown = try #require(plain.result.grids.first { $0.officeCode == grown })
        #expect(try grownDrawn.difference(plainGrown.geometry).area() > 1e-6 * grownDrawn.area())

        let error = await #expect(throws: GridImportError.self) {
            try await blocking { try Self.importShanghai(options: GridImportOptions(locked: ["不存在的网格"])) }
        }
        #expect(error?.problems.map(\.kind) == [.unknownLock])
    }

    /// A building pinned to the grid that lost it goes whole to that grid instead; a pin to a
    /// grid not drawn over the building is a problem, as is one naming no building.
    @Test func aPinnedBuildingGoesToItsGrid() async throws {
        let plain = try await blocking { try Self.importShanghai() }
        let moved = try #require(plain.result.repairs.first { $0.kind == .buildingMoved && $0.otherOfficeCode != nil && !$0.detail.contains("(and") })
        let words = moved.detail.split(separator: " ")
        let building = String(try #require(words.firstIndex(of: "building").map { words[$0 + 1] }))
        let loser = try #require(moved.otherOfficeCode)
        let pinned = try await blocking { try Self.importShanghai(options: GridImportOptions(pins: [building: loser])) }
        let (violations, split) = try await blocking { (try Self.coverageViolations(pinned), try Self.buildingsSplit(pinned)) }
        #expect(violations.isEmpty && split.isEmpty, "\(violations) \(split)")
        let footprint = try #require(pinned.district.buildings.first { $0.id == building }).geometry
        let holder = try pinned.result.grids.first { try $0.geometry.intersects(try footprint.pointOnSurface()) }
        #expect(holder?.officeCode == loser, "building \(building) is in \(holder?.officeCode ?? "no grid"), pinned to \(loser)")
        #expect(pinned.result.repairs.contains { $0.kind == .buildingMoved && $0.officeCode == loser && $0.detail.contains("pinned") })

        // A grid far from the building, and a building that does not exist: both problems, in one run.
        let far = try #require(plain.result.grids.max { a, b in
            try a.geometry.distance(to: footprint) < b.geometry.distance(to: footprint)
        }).officeCode
        let error = await #expect(throws: GridImportError.self) {
            try await blocking { try Self.importShanghai(options: GridImportOptions(pins: [building: far, "no-such-building": loser])) }
        }
        #expect(error?.problems.map(\.kind) == [.badPin, .badPin], "\(error?.problems.map(\.description) ?? [])")
    }

    /// A real district (New York's OpenStreetMap window, `Tests/Fixtures/real`) with grids
    /// drawn by a script along its streets, then damaged: repaired into an exact tiling with
    /// every building whole, no household lost, the undamaged grids kept.
    @Test func aRealDistrictWithGridsDrawnAlongItsStreets() async throws {
        let imported = try await blocking { () throws -> Imported in
            let directory = try TemporaryDirectory()
            let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/real/newyork.gpkg")
            let district = try DistrictReader.read(url.path).district
            let fixture = try HandGridsFixture(streetsOf: url, damage: .init(overlap: 1, gap: 1, spill: 20))
            try fixture.write(to: directory.path("hand.gpkg"))
            let (hand, problems) = try HandDrawnGrids.read(directory.path("hand.gpkg"), epsg: district.epsg)
            return Imported(fixture: fixture, district: district,
                            result: try GridImporter.importGrids(hand, problems: problems, into: district))
        }
        // Nine blocks in this window: one grown into its neighbours, one spilling out, two cut straight across buildings.
        #expect(imported.fixture.layer.features.count >= 8, "only \(imported.fixture.layer.features.count) blocks drawn")
        #expect(Set(imported.fixture.damaged.keys).isSuperset(of: ["overlap", "spill", "cut"]), "\(imported.fixture.damaged)")
        let (violations, split) = try await blocking { (try Self.coverageViolations(imported), try Self.buildingsSplit(imported)) }
        #expect(violations.isEmpty, "\(violations)")
        #expect(split.isEmpty, "\(split.prefix(10))")
        let (undamaged, kept) = try await blocking { try Self.keptShapes(imported) }
        #expect(undamaged >= 3 && Double(kept) >= 0.95 * Double(undamaged), "\(kept) of \(undamaged) kept")
        let inCommunities = try await blocking { try Self.householdsInCommunities(imported.district) }
        #expect(imported.result.grids.reduce(0) { $0 + $1.households } == inCommunities)
    }

    @Test func aWideGapIsAProblemUnlessRepairAll() async throws {
        let damage = HandGridsFixture.Damage(overlap: nil, gap: nil, spill: nil, hole: 40)
        let error = await #expect(throws: GridImportError.self) { try await blocking { try Self.importShanghai(damage: damage) } }
        #expect(error?.problems.map(\.kind) == [.largeGap])
        let repaired = try await blocking { try Self.importShanghai(damage: damage, options: GridImportOptions(repairsAll: true)) }
        let wide = repaired.result.repairs.filter { $0.kind == .unassignedArea }
        // The hole is 40 m tall and 40 m of latitude's degrees wide: 40 cos φ m.
        #expect(wide.count == 1 && wide.allSatisfy { $0.beyondTolerance && abs($0.areaSquareMetres - 1_600 * cos(31.24 * .pi / 180)) < 30 }, "\(wide.map(\.detail))")
    }

    @Test func aGridLeftOutIsFilledWithRepairAllAndItsHouseholdsCounted() async throws {
        let directory = try TemporaryDirectory()
        let (district, hand, problems, forgotten) = try await blocking {
            let district = try DistrictReader.read(sampleDistrict("shanghai.gpkg").path).district
            var fixture = try HandGridsFixture(district: sampleDistrict("shanghai.gpkg"), damage: .init(overlap: nil, gap: nil, spill: nil, straightCut: false))
            // The office forgot the grid with the most households.
            let households = try fixture.layer.features.map { feature in
                try district.buildings.reduce(0) { sum, building in
                    let inside = try feature.geometry?.intersects(try building.geometry.pointOnSurface()) ?? false
                    return sum + (inside ? building.households : 0)
                }
            }
            let forgotten = households.indices.max { households[$0] < households[$1] } ?? 0
            fixture.layer.features.remove(at: forgotten)
            try fixture.write(to: directory.path("hand.gpkg"))
            let (hand, problems) = try HandDrawnGrids.read(directory.path("hand.gpkg"), epsg: district.epsg)
            return (district, hand, problems, households[forgotten])
        }
        #expect(forgotten > 0)
        let error = await #expect(throws: GridImportError.self) { try await blocking { try GridImporter.importGrids(hand, into: district) } }
        #expect(error?.problems.contains { $0.kind == .largeGap } == true)
        let result = try await blocking { try GridImporter.importGrids(hand, problems: problems, into: district, options: .init(repairsAll: true)) }
        let filled = result.repairs.filter { $0.kind == .unassignedArea }
        #expect(!filled.isEmpty && filled.allSatisfy(\.beyondTolerance))
        #expect(filled.reduce(0) { $0 + $1.householdsMoved } == forgotten)
        #expect(result.householdsNotPlaced == 0)
    }

    /// The same grids in a projected CRS (UTM 51N) and as GeoJSON import as the same grids.
    @Test func anyCRSAndGeoJSONGiveTheSameGrids() async throws {
        let directory = try TemporaryDirectory()
        let (results, problems) = try await blocking {
            let district = try DistrictReader.read(sampleDistrict("shanghai.gpkg").path).district
            let fixture = try HandGridsFixture(district: sampleDistrict("shanghai.gpkg"))
            try fixture.write(to: directory.path("wgs84.gpkg"))
            var utm = fixture.layer
            let transformer = try CoordinateTransformer(from: 4326, to: 32651)
            for i in utm.features.indices { utm.features[i].geometry = try utm.features[i].geometry.map { .multiPolygon(try transformer.transform($0).polygons) } }
            let crs = try CRSInfo.lookup(epsg: 32651)
            utm.srs = SpatialReference.epsg(32651, name: crs.name, definition: crs.wkt)
            try GeoPackageWriter.write([utm], to: directory.path("utm.gpkg"))
            try GeoJSON.write(fixture.layer, to: directory.path("grids.geojson"))
            var results: [GridImport] = []
            var problems: [ImportProblem] = []
            for file in ["wgs84.gpkg", "utm.gpkg", "grids.geojson"] {
                let (hand, found) = try HandDrawnGrids.read(directory.path(file), epsg: district.epsg)
                problems += found
                results.append(try GridImporter.importGrids(hand, problems: found, into: district))
            }
            return (results, problems)
        }
        #expect(problems.isEmpty, "\(problems)")
        for result in results.dropFirst() {
            #expect(result.grids.map(\.code) == results[0].grids.map(\.code))
            #expect(result.grids.map(\.officeCode) == results[0].grids.map(\.officeCode))
            for (a, b) in zip(result.grids, results[0].grids) {
                #expect(abs(a.squareMetres - b.squareMetres) <= 1e-3 * b.squareMetres + 1, "\(a.officeCode): \(a.squareMetres) m², \(b.squareMetres) m²")
            }
        }
    }

    @Test func everyProblemOfABadFileIsReportedAtOnce() async throws {
        let directory = try TemporaryDirectory()
        var fixture = try await blocking { try HandGridsFixture(district: sampleDistrict("shanghai.gpkg"), damage: .init(overlap: nil, gap: nil, spill: nil)) }
        fixture.layer.features[1]["网格编码"] = fixture.layer.features[0]["网格编码"]
        fixture.layer.features[2]["网格编码"] = .text("")
        let ring = [XY(121.49, 31.23), XY(121.50, 31.24), XY(121.50, 31.23), XY(121.49, 31.24), XY(121.49, 31.23)]
        fixture.layer.features[3].geometry = .polygon(Polygon(exterior: ring))
        fixture.layer.features[4].geometry = nil
        try fixture.write(to: directory.path("bad.gpkg"))
        let (district, hand, problems) = try await blocking {
            let district = try DistrictReader.read(sampleDistrict("shanghai.gpkg").path).district
            let (hand, problems) = try HandDrawnGrids.read(directory.path("bad.gpkg"), epsg: district.epsg)
            return (district, hand, problems)
        }
        #expect(problems.map(\.kind) == [.duplicateCode, .missingCode, .invalidGeometry, .notPolygon])
        #expect(problems.map(\.featureID) == ["2", "3", "4", "5"])
        #expect(problems.allSatisfy { $0.file == directory.path("bad.gpkg") && $0.layer == "网格" })
        let error = await #expect(throws: GridImportError.self) {
            try await blocking { try GridImporter.importGrids(hand, problems: problems, into: district) }
        }
        // The grids missing from the file leave gaps, reported with the file's own problems.
        #expect(error.map { Array($0.problems.prefix(4)) } == problems)
        let (_, noCodeField) = try await blocking { try HandDrawnGrids.read(directory.path("bad.gpkg"), codeField: "编号", epsg: district.epsg) }
        #expect(noCodeField.first?.kind == .missingCodeField && noCodeField.first?.field == "编号")
    }
}
