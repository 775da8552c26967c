import DistrictModel
import DistrictSynthesis
import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
@testable import Partitioning
import Projections
import Testing
import TestSupport

/// Shops and roads given to grids (`data.md`: "Every shop has exactly one grid; every metre of
/// road inside the district is assigned to exactly one grid"), on the sample districts and on
/// generated ones, checked against GEOS and against the lookup index on the written file.
@Suite(.timeLimit(.minutes(10))) struct ServiceAreaTests {
    /// A generated district, with a shop and a road reaching outside every community added.
    static let generated: District = {
        var district = SyntheticCity.generate(SyntheticCity.Options(seed: 11, households: 9_000))
        guard let envelope = district.envelope else { return district }
        let far = XY(envelope.maxX + 500, envelope.maxY + 500)
        district.shops.append(Shop(id: "shop-outside", geometry: .point(far)))
        let inside = envelope.center
        district.roads.append(Road(id: "road-leaving", geometry: .lineString([inside, XY(envelope.maxX + 300, inside.y)])))
        return district
    }()

    static let generatedPartition = Result { try Partitioner.partition(generated) }

    /// Each district of the tests and its partition, made once.
    static let cases: [String: Result<(District, Partition), any Error>] = {
        var cases: [String: Result<(District, Partition), any Error>] = [:]
        for name in ["helsinki.gpkg", "shanghai.gpkg", "bubenec.gpkg"] {
            cases[name] = Result {
                let district = try DistrictReader.read(sampleDistrict(name).path).district
                return (district, try Partitioner.partition(district))
            }
        }
        cases["generated"] = generatedPartition.map { (generated, $0) }
        return cases
    }()

    static func district(_ name: String) throws -> (District, Partition) {
        try #require(cases[name]).get()
    }

    @Test(arguments: ["helsinki.gpkg", "shanghai.gpkg", "bubenec.gpkg", "generated"])
    func everyShopHasOneGridThatHoldsIt(_ name: String) throws {
        let (district, partition) = try Self.district(name)
        let metric = try Metric(district: district, partition: partition)

        var rows: [String: [ShopAssignment]] = [:]
        for row in partition.shopAssignments { rows[row.shopID, default: []].append(row) }
        let outside = Set(partition.findings.filter { $0.kind == .unassignedShop }.map(\.featureID))
        let grids = Dictionary(uniqueKeysWithValues: partition.grids.enumerated().map { ($1.code, $0) })
        var checked = 0
        for (s, shop) in district.shops.enumerated() {
            let metricShop = metric.shops[s]
            let distanceToDistrict = try metricShop.distance(to: metric.communities)
            if distanceToDistrict > 0.01 {
                #expect(rows[shop.id] == nil, "shop \(shop.id) outside the district was given a grid")
                #expect(outside.contains(shop.id), "shop \(shop.id) outside the district is not reported")
                continue
            }
            if distanceToDistrict > 1e-6 {
                // On the district's edge in the input's CRS, a hair off it in metres (a straight
                // edge of one CRS is curved in the other): either answer, but exactly one.
                #expect((rows[shop.id]?.count ?? 0) + (outside.contains(shop.id) ? 1 : 0) == 1, "shop \(shop.id) on the edge")
                continue
            }
            if case .point = shop.geometry {} else if try metricShop.intersection(metric.communities).area() <= 0 {
                continue // a polygon shop touching the district only along its edge
            }
            let given = rows[shop.id] ?? []
            try #require(given.count == 1, "shop \(shop.id) has \(given.count) grids")
            let row = given[0]
            let g = try #require(grids[row.gridCode], "shop \(shop.id): unknown grid \(row.gridCode)")
            #expect(try metricShop.distance(to: metric.grids[g]) <= 1e-6, "shop \(shop.id) is not in (or on) grid \(row.gridCode)")
            let micro = try #require(partition.grids[g].microGrids.firstIndex { $0.code == row.microGridCode },
                                     "shop \(shop.id): micro-grid \(row.microGridCode) is not in grid \(row.gridCode)")
            #expect(try metricShop.distance(to: metric.microGrids[g][micro]) <= 1e-6, "shop \(shop.id) is not in its micro-grid")
            checked += 1
        }
        #expect(partition.grids.reduce(0) { $0 + $1.shops } == partition.shopAssignments.count)
        if name == "generated" {
            #expect(checked > 100)
            #expect(outside == ["shop-outside"])
        }
    }

    @Test(arguments: ["helsinki.gpkg", "shanghai.gpkg", "bubenec.gpkg", "generated"])
    func everyMetreOfRoadInsideTheDistrictHasOneGrid(_ name: String) throws {
        let (district, partition) = try Self.district(name)
        let metric = try Metric(district: district, partition: partition)

        // The oracle: GEOS's length of the roads inside the union of the communities.
        var inside = 0.0
        for road in metric.roads { inside += try road.intersection(metric.communities).length() }
        let assigned = partition.roadAssignments.reduce(0) { $0 + $1.lengthMetres }
        #expect(inside > 0)
        #expect(abs(assigned - inside) <= 0.001 * inside, "assigned \(assigned) m of \(inside) m inside the district")

        let grids = Dictionary(uniqueKeysWithValues: partition.grids.enumerated().map { ($1.code, $0) })
        var byGrid = [Double](repeating: 0, count: partition.grids.count)
        for (r, row) in partition.roadAssignments.enumerated() {
            let g = try #require(grids[row.gridCode])
            byGrid[g] += row.lengthMetres
            let piece = metric.roadPieces[r]
            #expect(abs(try piece.length() - row.lengthMetres) <= 0.01 + 1e-6 * row.lengthMetres, "length of piece \(r)")
            let envelopeGap = piece.envelope.flatMap { a in metric.grids[g].envelope.map { b in
                max(0, max(a.minX - b.maxX, b.minX - a.maxX, a.minY - b.maxY, b.minY - a.maxY)) } } ?? 0
            #expect(envelopeGap <= 1, "piece \(r) of road \(row.roadID) is far from grid \(row.gridCode)")
            if envelopeGap <= 1 {
                #expect(try piece.distance(to: metric.grids[g]) <= 1, "piece \(r) of road \(row.roadID) is more than 1 m from grid \(row.gridCode)")
            }
        }
        for (g, grid) in partition.grids.enumerated() {
            #expect(abs(grid.roadMetres - byGrid[g]) <= 0.01 * Double(1 + partition.roadAssignments.count), "road_m of \(grid.code)")
        }
        if name == "generated" {
            #expect(partition.findings.contains { $0.kind == .unassignedRoad && $0.featureID == "road-leaving" })
            #expect(partition.statistics.roadMetresShared > 0, "no street along a boundary two grids share")
        }
    }

    /// A point shop goes where `gridweave locate` would send its point on the written file.
    @Test func pointShopsAgreeWithTheLookupOnTheWrittenFile() throws {
        let district = Self.generated
        let partition = try Self.generatedPartition.get()
        let directory = try TemporaryDirectory()
        try partition.write(to: directory.path("grids.gpkg"))
        let index = try GridIndex(contentsOf: directory.path("grids.gpkg"))
        let rows = Dictionary(uniqueKeysWithValues: partition.shopAssignments.map { ($0.shopID, $0) })
        var compared = 0
        for shop in district.shops {
            guard case .point(let point) = shop.geometry, let row = rows[shop.id] else { continue }
            let found = index.locate(point, tolerance: 0)
            #expect(found.status == .inside)
            #expect(found.grid.map { index.grids[$0].code } == row.gridCode, "shop \(shop.id)")
            #expect(found.microGrid.map { index.microGrids[$0].code } == row.microGridCode, "shop \(shop.id)")
            compared += 1
        }
        #expect(compared > 100)
    }

    /// The layers of data.md, as GDAL reads them.
    @Test func assignmentLayersAreWrittenAsDataMdSays() throws {
        let partition = try Self.generatedPartition.get()
        let directory = try TemporaryDirectory()
        let path = directory.path("grids.gpkg")
        try partition.write(to: path)
        let reader = try GeoPackageReader(path: path)
        #expect(reader.layerNames.contains("shop_assignments"))
        let roads = try reader.readLayer("road_assignments")
        #expect(roads.features.count == partition.roadAssignments.count)
        #expect(roads.features.allSatisfy { if case .lineString = $0.geometry { true } else { false } })
        let grids = try reader.readLayer("grids")
        let shops = grids.features.reduce(0) { sum, feature in
            if case .integer(let n) = feature.properties["shops"] { return sum + Int(n) }
            return sum
        }
        #expect(shops == partition.shopAssignments.count)
        if gdalInstalled, let info = ogrinfo(["-so", path, "road_assignments"]) {
            #expect(info.status == 0)
            #expect(info.output.contains("Line String"))
            #expect(info.output.contains("Feature Count: \(partition.roadAssignments.count)"))
        }
    }

    /// The street between two grids is split between them, and the rule is deterministic.
    @Test func aStreetAlongASharedBoundaryIsSplitBetweenTheTwoGrids() throws {
        // Two 100 m squares side by side; along their common edge a street in two ways (a and d,
        // meeting at its middle), a road inside the west grid, a side street across.
        let west = Geometry.polygon(Polygon(exterior: [XY(0, 0), XY(100, 0), XY(100, 50), XY(100, 100), XY(0, 100), XY(0, 0)]))
        let east = Geometry.polygon(Polygon(exterior: [XY(100, 0), XY(200, 0), XY(200, 100), XY(100, 100), XY(100, 50), XY(100, 0)]))
        func grid(_ code: String, _ geometry: Geometry) -> Grid {
            Grid(code: code, communityCode: "110101001001", kind: .residential, households: 200, buildings: 1,
                 geometry: geometry, microGrids: [], siteID: nil)
        }
        var partition = Partition(epsg: 4547, grids: [grid("110101001001001", west), grid("110101001001002", east)],
                                  assignments: [], findings: [], statistics: PartitionStatistics())
        let roads = [
            Road(id: "a", geometry: .lineString([XY(100, 0), XY(100, 25), XY(100, 50)])),
            Road(id: "d", geometry: .lineString([XY(100, 50), XY(100, 75), XY(100, 100)])),
            Road(id: "b", geometry: .lineString([XY(20, 10), XY(20, 90)])),
            Road(id: "c", geometry: .lineString([XY(50, 50), XY(150, 50)])),
        ]
        ServiceArea.attachRoads(roads, to: &partition, threads: 2)
        let total = partition.roadAssignments.reduce(0) { $0 + $1.lengthMetres }
        #expect(abs(total - 280) < 1e-9)
        // Each way is one stretch along the boundary, given whole. The first (a) goes to the grid
        // with less road so far (east: 50 m against 130 m); the second (d) to the one that has
        // had less of the common street (west).
        let street = partition.roadAssignments.filter { $0.roadID == "a" || $0.roadID == "d" }
        #expect(street.count == 2)
        #expect(street.contains { $0.gridCode.hasSuffix("002") && $0.geometry == .lineString([XY(100, 0), XY(100, 25), XY(100, 50)]) })
        #expect(street.contains { $0.gridCode.hasSuffix("001") && $0.geometry == .lineString([XY(100, 50), XY(100, 75), XY(100, 100)]) })
        #expect(abs(partition.statistics.roadMetresShared - 100) < 1e-9)
        let side = partition.roadAssignments.filter { $0.roadID == "c" }
        #expect(side.count == 2 && side.allSatisfy { abs($0.lengthMetres - 50) < 1e-9 })

        var again = Partition(epsg: 4547, grids: partition.grids.map { var g = $0; g.roadMetres = 0; return g },
                              assignments: [], findings: [], statistics: PartitionStatistics())
        ServiceArea.attachRoads(roads, to: &again, threads: 1)
        #expect(again.roadAssignments == partition.roadAssignments)
    }
}

/// A partition and its district in the working CRS, as GEOS-ready geometries.
private struct Metric {
    var communities: Geometry
    var shops: [Geometry]
    var roads: [Geometry]
    var grids: [Geometry]
    var microGrids: [[Geometry]]
    var roadPieces: [Geometry]

    init(district: District, partition: Partition) throws {
        let working = try district.workingEPSG()
        let metric = try district.projected(to: working)
        let transformer = try CoordinateTransformer(from: partition.epsg, to: working)
        let valid = try metric.communities.map { try $0.geometry.isValid() ? $0.geometry : $0.geometry.makeValid() }
        communities = try Geometry.multiPolygon(valid.flatMap(\.polygons)).unaryUnion()
        shops = metric.shops.map(\.geometry)
        roads = metric.roads.map(\.geometry)
        grids = try partition.grids.map { try transformer.transform($0.geometry) }
        microGrids = try partition.grids.map { try $0.microGrids.map { try transformer.transform($0.geometry) } }
        roadPieces = try partition.roadAssignments.map { try transformer.transform($0.geometry) }
    }
}
