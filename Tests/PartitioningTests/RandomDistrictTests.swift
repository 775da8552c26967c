import DistrictModel
import Foundation
import GeometryEngine
import Partitioning
import Testing
import TestSupport

/// Districts drawn differently from the generator's: star-shaped communities (some with a
/// hole, some in two pieces) in lon/lat, buildings scattered at random angles, straight roads
/// crossing everything at odd angles, towers and empty buildings. Whatever the mess, the
/// invariants of data.md hold.
@Suite(.timeLimit(.minutes(10))) struct RandomDistrictTests {
    static func district(seed: UInt64) throws -> District {
        var random = SplitMix64(seed: seed)
        let lon0 = 116.3 + random.uniform(0, 0.2), lat0 = 39.9 + random.uniform(0, 0.1)
        let metresX = 1 / (111_320 * cos(lat0 * .pi / 180)), metresY = 1 / 110_540.0
        func lonLat(_ x: Double, _ y: Double) -> XY { XY(lon0 + x * metresX, lat0 + y * metresY) }
        func ring(_ points: [(Double, Double)]) -> [XY] { (points + [points[0]]).map { lonLat($0.0, $0.1) } }

        var district = District(epsg: 4326)
        for c in 0..<Int(random.uniform(1, 3.99)) {
            let cx = Double(c) * 1_600, cy = random.uniform(-200, 200)
            let n = Int(random.uniform(5, 25))
            let outer = (0..<n).map { i -> (Double, Double) in
                let angle = 2 * Double.pi * Double(i) / Double(n), r = random.uniform(300, 700)
                return (cx + cos(angle) * r, cy + sin(angle) * r)
            }
            var polygons = [Polygon(rings: [ring(outer)])]
            if random.uniform(0, 1) < 0.4 {
                let hx = cx + random.uniform(-80, 80), r = random.uniform(40, 120)
                let hole = (0..<12).map { i -> (Double, Double) in
                    (hx + cos(-2 * Double.pi * Double(i) / 12) * r, cy + sin(-2 * Double.pi * Double(i) / 12) * r)
                }
                polygons[0].rings.append(ring(hole))
            }
            if random.uniform(0, 1) < 0.3 {
                polygons.append(Polygon(rings: [ring([(cx + 800, cy - 100), (cx + 1_000, cy - 100), (cx + 1_000, cy + 100), (cx + 800, cy + 100)])]))
            }
            let geometry: Geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
            district.communities.append(Community(code: String(format: "1101010010%02d", c + 1), geometry: geometry))
            for _ in 0..<Int(random.uniform(5, 120)) {
                let x = cx + random.uniform(-700, 700), y = cy + random.uniform(-700, 700)
                let w = random.uniform(8, 60), h = random.uniform(8, 20), angle = random.uniform(0, .pi)
                let corners = [(0.0, 0.0), (w, 0), (w, h), (0, h)].map { dx, dy in
                    (x + dx * cos(angle) - dy * sin(angle), y + dx * sin(angle) + dy * cos(angle))
                }
                let footprint = Geometry.polygon(Polygon(rings: [ring(corners)]))
                guard try geometry.covers(footprint) else { continue }
                let households = [0, Int(random.uniform(1, 60)), Int(random.uniform(20, 120)), Int(random.uniform(100, 400))][Int(random.uniform(0, 3.99))]
                district.buildings.append(Building(id: "b\(district.buildings.count)", households: households,
                                                   units: random.uniform(0, 1) < 0.3 ? Int(random.uniform(1, 6)) : nil, geometry: footprint))
            }
            for _ in 0..<Int(random.uniform(0, 8)) {
                let a = (cx + random.uniform(-800, 800), cy + random.uniform(-800, 800))
                let b = (cx + random.uniform(-800, 800), cy + random.uniform(-800, 800))
                let middle = ((a.0 + b.0) / 2 + random.uniform(-50, 50), (a.1 + b.1) / 2)
                let roadClass = [RoadClass.arterial, .secondary, .branch, .service, .path][Int(random.uniform(0, 4.99))]
                district.roads.append(Road(id: "r\(district.roads.count)", roadClass: roadClass,
                                           geometry: .lineString([lonLat(a.0, a.1), lonLat(middle.0, middle.1), lonLat(b.0, b.1)])))
            }
            for _ in 0..<Int(random.uniform(0, 20)) {
                let point = lonLat(cx + random.uniform(-700, 700), cy + random.uniform(-700, 700))
                district.shops.append(Shop(id: "s\(district.shops.count)", geometry: .point(point)))
            }
        }
        return district
    }

    @Test(arguments: 1...8)
    func invariantsHoldOnARandomDistrict(seed: UInt64) throws {
        try expectInvariants(try Self.district(seed: seed))
    }

    /// Districts on which a grid once came out in two pieces (Tests/Fixtures/README.md).
    @Test(arguments: ["crossing-roads-1", "crossing-roads-2"])
    func invariantsHoldWhereAGridOnceCameOutInTwoPieces(_ name: String) throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name).path
        try expectInvariants(try DistrictReader.read(path).district)
    }

    /// Communities cut out of variants of the OSM samples (Tests/Fixtures/README.md) on which
    /// part of the community was once in no grid: a block whose point fell off it (a spike of no
    /// width along the community's edge), a face whose point fell off it, and a grid whose two
    /// lobes met through a sliver's ends, which make-valid split once the grid was brought back
    /// to EPSG:3857, dropping one lobe.
    @Test(arguments: ["spike-block", "face-off-its-point", "sliver-neck"])
    func invariantsHoldWhereTheGridsOnceLeftAGap(_ name: String) throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/once-left-a-gap").appendingPathComponent("\(name).gpkg").path
        try expectInvariants(try DistrictReader.read(path).district)
    }

    /// A village of 8,000 households is one grid; its micro-grids still have 2-digit codes.
    @Test func aVillageTooLargeForNinetyNineMicroGridsKeepsTwoDigitCodes() throws {
        var district = District(epsg: 4549)
        let side = 2_000.0
        district.communities = [Community(code: "110101201001", kind: .rural, geometry: .polygon(Polygon(exterior: [
            XY(500_000, 4_000_000), XY(500_000 + side, 4_000_000), XY(500_000 + side, 4_000_000 + side),
            XY(500_000, 4_000_000 + side), XY(500_000, 4_000_000),
        ])))]
        for i in 0..<100 {
            let x = 500_000 + 100 + Double(i % 10) * 180, y = 4_000_000 + 100 + Double(i / 10) * 180
            district.buildings.append(Building(id: "house\(i)", households: 80, geometry: .polygon(Polygon(exterior: [
                XY(x, y), XY(x + 40, y), XY(x + 40, y + 15), XY(x, y + 15), XY(x, y),
            ]))))
        }
        let partition = try Partitioner.partition(district)
        let village = try #require(partition.grids.first { $0.kind == .rural })
        #expect(village.households == 8_000)
        #expect(village.microGrids.count <= 99 && village.microGrids.count >= 50)
        #expect(village.microGrids.allSatisfy { $0.code.count == 17 && $0.code.hasPrefix(village.code) })
        #expect(partition.findings.contains { $0.detail.contains("more than 99 micro-grids") })
        try expectInvariants(district, partition: partition)
    }

    private func expectInvariants(_ district: District, partition given: Partition? = nil) throws {
        let partition = try given ?? Partitioner.partition(district)
        for community in district.communities {
            let target = try community.geometry.isValid() ? community.geometry : community.geometry.makeValid()
            let grids = partition.grids.filter { $0.communityCode == community.code }
            #expect(!grids.isEmpty, "community \(community.code) has no grid")
            let union = try Geometry.multiPolygon(grids.flatMap(\.geometry.polygons)).unaryUnion()
            let area = try target.area()
            let mismatch = try union.difference(target).area() + target.difference(union).area()
            #expect(mismatch <= 1e-9 * area, "grids of \(community.code) differ from it by \(mismatch / area) of its area")
            let sum = try grids.reduce(0) { $0 + (try $1.geometry.area()) }
            #expect(abs(sum - area) <= 1e-9 * area, "grids of \(community.code) overlap: \(sum / area)")
        }
        for grid in partition.grids {
            guard case .polygon = grid.geometry else { Issue.record("grid \(grid.code) is a \(grid.geometry.typeName)"); continue }
            let area = try grid.geometry.area()
            let sum = try grid.microGrids.reduce(0) { $0 + (try $1.geometry.area()) }
            #expect(abs(sum - area) <= 1e-9 * area, "micro-grids of \(grid.code) cover \(sum / area) of it")
            for micro in grid.microGrids {
                guard case .polygon = micro.geometry else { Issue.record("micro-grid \(micro.code) is a \(micro.geometry.typeName)"); continue }
                // By area: a buffer of a nanometre is below the rounding of EPSG:3857 metres (10⁷).
                let own = try micro.geometry.area(), inside = try micro.geometry.intersection(grid.geometry).area()
                #expect(own - inside <= 1e-9 * own, "micro-grid \(micro.code) outside its grid by \(own - inside)")
            }
        }
        let assigned = partition.assignments.reduce(0) { $0 + $1.households }
        #expect(assigned == partition.grids.reduce(0) { $0 + $1.households })
        // Only the data leave buildings out (outside every community, or without a footprint):
        // the engine places every building of every community.
        let ofTheData: Set<UnplacedReason> = [.noGeometry, .emptyAfterRepair, .outsideCommunities]
        #expect(partition.unplaced.allSatisfy { ofTheData.contains($0.reason) }, "\(partition.unplaced)")
        #expect(assigned + partition.unplaced.reduce(0) { $0 + $1.households } == district.householdsIn)
        let directory = try TemporaryDirectory()
        try partition.write(to: directory.path("grids.gpkg"))
    }
}
