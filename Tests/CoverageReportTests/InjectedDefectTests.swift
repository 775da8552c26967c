import CoverageReport
import FeatureIO
import Foundation
import GeometryEngine
import Projections
import Testing
import TestSupport

/// Each test breaks a copy of a clean generated partition in one known way and checks that the
/// coverage check finds exactly that: the right kind, at the right place, and nothing else.
@Suite(.timeLimit(.minutes(10))) struct InjectedDefectTests {
    // MARK: Helpers to pick places

    struct GridInfo {
        var index: Int
        var code: String
        var community: String
        var kind: String
        var geometry: Geometry
    }

    static func grids(_ fixture: Fixture) throws -> [GridInfo] {
        try fixture.layer("grids").features.enumerated().compactMap { i, f in
            guard let g = f.geometry else { return nil }
            return GridInfo(index: i, code: f["code"].string ?? "", community: f["community_code"].string ?? "",
                            kind: f["kind"].string ?? "", geometry: g)
        }
    }

    /// Two residential grids of one community (of two, with `sameCommunity` false) sharing an edge, and a segment of that edge at
    /// least `length` long (its endpoints).
    static func neighbours(_ fixture: Fixture, length: Double = 40, sameCommunity: Bool = true) throws -> (GridInfo, GridInfo, XY, XY) {
        let all = try grids(fixture).filter { $0.kind == "residential" }
        for a in all {
            for b in all where b.index > a.index && (b.community == a.community) == sameCommunity {
                let shared = try a.geometry.intersection(b.geometry)
                for line in shared.lineStrings {
                    for k in 1..<line.count {
                        let p = line[k - 1], q = line[k]
                        let d = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot()
                        if d >= length { return (a, b, p, q) }
                    }
                }
            }
        }
        throw FixtureError("no two grids share an edge of \(length) m")
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func polygonCount(_ g: Geometry) -> Int { g.polygons.count }

    static func single(_ g: Geometry) -> Geometry {
        g.polygons.count == 1 ? .polygon(g.polygons[0]) : .multiPolygon(g.polygons)
    }

    /// Applies `change` to the geometry of every micro-grid of grid `code`.
    static func changeMicroGrids(of code: String, in layers: [Layer], _ change: (Geometry) throws -> Geometry) throws -> [Layer] {
        try replacing("microgrids", in: layers) { features in
            for i in features.indices where features[i]["grid_code"].string == code {
                if let g = features[i].geometry { features[i].geometry = single(try change(g)) }
            }
        }
    }

    static func changeGrid(_ code: String, in layers: [Layer], _ change: (Geometry) throws -> Geometry) throws -> [Layer] {
        try replacing("grids", in: layers) { features in
            for i in features.indices where features[i]["code"].string == code {
                if let g = features[i].geometry { features[i].geometry = single(try change(g)) }
            }
        }
    }

    static func describe(_ result: CoverageResult) -> String {
        result.findings.map { "\($0.kind.rawValue): \($0.detail)" }.joined(separator: "\n")
    }

    // MARK: Defects

    @Test func aNotchCutOutOfAGridIsAGapAtTheNotch() throws {
        let fixture = try Fixture.get()
        let (a, _, p, q) = try Self.neighbours(fixture)
        let notch = try Geometry.point(XY((p.x + q.x) / 2, (p.y + q.y) / 2)).buffer(8)
        var layers = try Self.changeGrid(a.code, in: fixture.layers) { try $0.difference(notch) }
        layers = try Self.changeMicroGrids(of: a.code, in: layers) { try $0.difference(notch) }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["gap"], "\(Self.describe(result))")
        let gap = try #require(added(result, to: fixture).first)
        #expect(try isNear(gap.geometry, try notch.intersection(a.geometry), tolerance: 0.01))
        #expect(abs((gap.measure ?? 0) - (try notch.intersection(a.geometry).area())) < 1)
        #expect(gap.detail.contains(a.community))
    }

    @Test func aGridGrownIntoItsNeighbourIsAnOverlapThere() throws {
        let fixture = try Fixture.get()
        let (a, b, p, q) = try Self.neighbours(fixture)
        let centre = XY((p.x + q.x) / 2, (p.y + q.y) / 2)
        let bump = try Geometry.point(centre).buffer(10).intersection(b.geometry)
        var layers = try Self.changeGrid(a.code, in: fixture.layers) { try $0.union(bump) }
        // The micro-grid of A at that edge grows too, so that A's micro-grids still tile A.
        let micros = try fixture.layer("microgrids").features.filter { $0["grid_code"].string == a.code }
        let edgeMicro = try #require(try micros.first { try $0.geometry?.distance(to: .point(centre)) ?? 1 < 1e-6 })
        layers = try replacing("microgrids", in: layers) { features in
            for i in features.indices where features[i]["code"] == edgeMicro["code"] {
                features[i].geometry = Self.single(try features[i].geometry?.union(bump) ?? bump)
            }
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["overlap"], "\(Self.describe(result))")
        let overlap = try #require(added(result, to: fixture).first)
        #expect(try isNear(overlap.geometry, bump, tolerance: 0.01))
        #expect(overlap.subject.contains(a.code) && overlap.subject.contains(b.code))
        #expect(abs((overlap.measure ?? 0) - (try bump.area())) < 1)
    }

    /// A grid drawn across its community's edge, as a hand-drawn grid spills into the next
    /// community: the part beyond is `outside_community` (and an overlap with the grid there),
    /// listed before every household finding.
    @Test func aGridSpillingIntoTheNextCommunityIsOutsideItsCommunity() throws {
        let fixture = try Fixture.get()
        // A grid with a corner on its community's edge; the bump is the disc round that corner
        // less the community (the street beside it, or the next community).
        var choice: (GridInfo, Geometry)?
        search: for a in try Self.grids(fixture) where a.kind == "residential" {
            let community = try #require(fixture.district.communities.first { $0.code == a.community })
            for corner in a.geometry.polygons[0].exterior where try Geometry.point(corner).distance(to: .multiLineString(community.geometry.polygons.flatMap(\.rings))) < 1e-6 {
                let outside = try Geometry.point(corner).buffer(10).difference(community.geometry).polygons
                guard let largest = try outside.max(by: { try Geometry.polygon($0).area() < Geometry.polygon($1).area() }) else { continue }
                let bump = Geometry.polygon(largest)
                if try bump.area() > 100, try a.geometry.union(bump).polygons.count == 1 { choice = (a, bump); break search }
            }
        }
        let (a, bump) = try #require(choice)
        var layers = try Self.changeGrid(a.code, in: fixture.layers) { try $0.union(bump) }
        layers = try Self.changeMicroGrids(of: a.code, in: layers) { micro in
            try micro.distance(to: bump) < 1e-6 ? Self.single(try micro.union(bump)) : micro
        }
        let result = try fixture.check(layers)
        let outside = added(result, to: fixture).filter { $0.kind == .outsideCommunity }
        #expect(outside.count == 1, "\(Self.describe(result))")
        #expect(addedKinds(result, to: fixture).allSatisfy { ["outside_community", "overlap", "microgrid_overlap", "disconnected"].contains($0) },
                "\(Self.describe(result))")
        let finding = try #require(outside.first)
        #expect(finding.subject == a.code && finding.detail.contains("outside its community \(a.community)"), "\(finding.detail)")
        #expect(abs((finding.measure ?? 0) - (try bump.area())) < 1)
        #expect(try isNear(finding.geometry, bump, tolerance: 0.01))
        // Structural findings first: no household finding before the last structural one.
        let structural: Set<FindingKind> = [.gap, .overlap, .outsideCommunity, .sliver, .disconnected, .invalidGeometry]
        let lastStructural = try #require(result.findings.lastIndex { structural.contains($0.kind) })
        #expect(!result.findings[..<lastStructural].contains { $0.kind == .householdsOutOfRange })

        // A grid whose community the district does not have.
        let stray = replacing("grids", in: fixture.layers) { features in
            for i in features.indices where features[i]["code"].string == a.code { features[i]["community_code"] = .text("999999999999") }
        }
        let strayResult = try fixture.check(stray)
        #expect(added(strayResult, to: fixture).contains { $0.kind == .outsideCommunity && $0.detail.contains("not in the district") },
                "\(Self.describe(strayResult))")
    }

    @Test func aGridCutInTwoIsDisconnected() throws {
        let fixture = try Fixture.get()
        let all = try Self.grids(fixture).filter { $0.kind == "residential" }
        let micros = try fixture.layer("microgrids").features
        // Hand a micro-grid of grid C, far from grid A, over to A: A is then in two pieces.
        var choice: (GridInfo, GridInfo, Feature, Geometry)?
        search: for a in all {
            for c in all where c.community == a.community && c.index != a.index {
                let members = micros.filter { $0["grid_code"].string == c.code }
                guard members.count >= 2 else { continue }
                for m in members {
                    guard let mg = m.geometry, try mg.distance(to: a.geometry) > 5 else { continue }
                    let rest = try c.geometry.difference(mg)
                    if Self.polygonCount(rest) == 1 { choice = (a, c, m, rest); break search }
                }
            }
        }
        let (a, c, moved, rest) = try #require(choice)
        let piece = try #require(moved.geometry)
        var layers = try Self.changeGrid(a.code, in: fixture.layers) { .multiPolygon($0.polygons + piece.polygons) }
        // A layer of polygons and multipolygons, as a hand-edited file may be.
        for i in layers.indices where layers[i].name == "grids" { layers[i].geometryType = "GEOMETRY" }
        layers = try Self.changeGrid(c.code, in: layers) { _ in rest }
        layers = replacing("microgrids", in: layers) { features in
            for i in features.indices where features[i]["code"] == moved["code"] { features[i]["grid_code"] = .text(a.code) }
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["disconnected"], "\(Self.describe(result))")
        let finding = try #require(added(result, to: fixture).first)
        #expect(finding.subject == a.code)
        #expect(try isNear(finding.geometry, piece, tolerance: 0.01) || isNear(finding.geometry, a.geometry, tolerance: 0.01))
    }

    @Test func aThirtyCentimetreSliverIsASliver() throws {
        let fixture = try Fixture.get()
        let (a, _, p, q) = try Self.neighbours(fixture)
        // A strip 0.3 m wide and 20 m long along the shared edge, on A's side.
        let length = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot()
        let ux = (q.x - p.x) / length, uy = (q.y - p.y) / length
        let mid = XY((p.x + q.x) / 2, (p.y + q.y) / 2)
        var nx = -uy, ny = ux
        if !(try a.geometry.covers(.point(XY(mid.x + 0.15 * nx, mid.y + 0.15 * ny)))) { nx = -nx; ny = -ny }
        let s0 = XY(mid.x - 10 * ux, mid.y - 10 * uy), s1 = XY(mid.x + 10 * ux, mid.y + 10 * uy)
        let strip = Geometry.polygon(Polygon(exterior: [s0, s1, XY(s1.x + 0.3 * nx, s1.y + 0.3 * ny),
                                                         XY(s0.x + 0.3 * nx, s0.y + 0.3 * ny), s0]))
        var layers = try Self.changeGrid(a.code, in: fixture.layers) { try $0.difference(strip) }
        layers = try Self.changeMicroGrids(of: a.code, in: layers) { try $0.difference(strip) }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["sliver"], "\(Self.describe(result))")
        let sliver = try #require(added(result, to: fixture).first)
        #expect(try isNear(sliver.geometry, strip, tolerance: 0.01))
        #expect(abs((sliver.measure ?? 0) - 6) < 0.1)
        #expect(sliver.detail.contains("0.30 m wide"), "\(sliver.detail)")
    }

    @Test func aGridOf420HouseholdsIsOutOfRange() throws {
        let fixture = try Fixture.get()
        let a = try #require(try Self.grids(fixture).first { $0.kind == "residential" && !fixture.outOfBounds.contains($0.code) })
        let layers = replacing("grids", in: fixture.layers) { features in
            features[a.index]["households"] = .integer(420)
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["households_out_of_range"], "\(Self.describe(result))")
        let finding = try #require(added(result, to: fixture).first)
        #expect(finding.subject == a.code)
        #expect(finding.measure == 420)
        #expect(finding.detail.contains("420") && finding.detail.contains("150-250"))
        #expect(try isNear(finding.geometry, a.geometry, tolerance: 0))
    }

    @Test func aMicroGridOf10HouseholdsIsOutOfRange() throws {
        let fixture = try Fixture.get()
        let residential = Set(try Self.grids(fixture).filter { $0.kind == "residential" }.map(\.code))
        let micros = try fixture.layer("microgrids").features
        let index = try #require(micros.firstIndex {
            residential.contains($0["grid_code"].string ?? "") && !fixture.outOfBounds.contains($0["code"].string ?? "")
        })
        let layers = replacing("microgrids", in: fixture.layers) { features in
            features[index]["households"] = .integer(10)
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["households_out_of_range"], "\(Self.describe(result))")
        let finding = try #require(added(result, to: fixture).first)
        #expect(finding.subject == micros[index]["code"].string)
        #expect(finding.detail.contains("10 households") && finding.detail.contains("50-80"))
        #expect(try isNear(finding.geometry, try #require(micros[index].geometry), tolerance: 0))
    }

    @Test func aBuildingInNoAssignmentIsUnassigned() throws {
        let fixture = try Fixture.get()
        let building = try #require(fixture.district.buildings.first { $0.households > 0 })
        let layers = replacing("building_assignments", in: fixture.layers) { features in
            features.removeAll { $0["building_id"].string == building.id }
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["unassigned_building"], "\(Self.describe(result))")
        let finding = try #require(added(result, to: fixture).first)
        #expect(finding.subject == building.id)
        #expect(try isNear(finding.geometry, building.geometry, tolerance: 0))
    }

    @Test func aShopInNoAssignmentIsUnassigned() throws {
        let fixture = try Fixture.get()
        guard fixture.layers.contains(where: { $0.name == "shop_assignments" }) else {
            Issue.record("the partition has no shop_assignments layer yet")
            return
        }
        let assigned = Set(try fixture.layer("shop_assignments").features.compactMap { $0["shop_id"].string })
        let shop = try #require(fixture.district.shops.first { assigned.contains($0.id) })
        let layers = replacing("shop_assignments", in: fixture.layers) { features in
            features.removeAll { $0["shop_id"].string == shop.id }
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["unassigned_shop"], "\(Self.describe(result))")
        let finding = try #require(added(result, to: fixture).first)
        #expect(finding.subject == shop.id)
        #expect(try isNear(finding.geometry, shop.geometry, tolerance: 0))
    }

    @Test func eventsOutsideTheCityAreOutsideAndBadRowsInvalid() throws {
        let fixture = try Fixture.get()
        let grids = try Self.grids(fixture)
        let toLonLat = try CoordinateTransformer(from: fixture.district.epsg, to: 4326)
        let inside = try grids.prefix(3).map { grid -> XY in
            guard case .point(let p) = try grid.geometry.pointOnSurface() else { throw FixtureError("no point") }
            return try toLonLat.transform(p)
        }
        let extent = try #require(fixture.layer("grids").extent)
        let far1 = XY(extent.maxX + 5_000, extent.center.y), far2 = XY(extent.center.x, extent.minY - 3_000)
        let outside = try [far1, far2].map { try toLonLat.transform($0) }
        var csv = "id,lon,lat,note\n"
        for (i, p) in inside.enumerated() { csv += "in\(i),\(p.x),\(p.y),fine\n" }
        csv += "out1,\(outside[0].x),\(outside[0].y),east\n"
        csv += "bad,not-a-number,31.2,x\n"
        csv += "out2,\(outside[1].x),\(outside[1].y),south\n"
        let result = try fixture.check(fixture.layers, events: csv)
        #expect(addedKinds(result, to: fixture) == ["event_outside", "event_outside", "invalid_event"], "\(Self.describe(result))")
        let events = result.findings.filter { $0.kind == .eventOutside }
        #expect(events.map(\.subject) == ["out1", "out2"])
        #expect(try isNear(events.first?.geometry, .point(far1), tolerance: 0.01))
        #expect(events.first?.detail.contains("line 5") == true)
        let distance = try grids.map { try $0.geometry.distance(to: .point(far1)) }.min() ?? 0
        #expect(events.first?.detail.contains(String(format: "%.0f m from the nearest grid", distance)) == true,
                "\(events.first?.detail ?? "")")
        let bad = try #require(result.findings.first { $0.kind == .invalidEvent })
        #expect(bad.detail.hasPrefix("line 6"))
        #expect(bad.geometry == nil)
    }

    @Test func everyDefectAtOnceIsFoundAndNothingElse() throws {
        let fixture = try Fixture.get()
        let grids = try Self.grids(fixture)
        let (a, b, p, q) = try Self.neighbours(fixture)
        // Overlap between A and B, and a household count out of range on a grid far from both.
        let centre = XY((p.x + q.x) / 2, (p.y + q.y) / 2)
        let bump = try Geometry.point(centre).buffer(10).intersection(b.geometry)
        var layers = try Self.changeGrid(a.code, in: fixture.layers) { try $0.union(bump) }
        let micros = try fixture.layer("microgrids").features
        let edgeMicro = try #require(try micros.first { micro in
            guard micro["grid_code"].string == a.code else { return false }
            return try (micro.geometry?.distance(to: .point(centre)) ?? 1) < 1e-6
        })
        layers = try replacing("microgrids", in: layers) { features in
            for i in features.indices where features[i]["code"] == edgeMicro["code"] {
                features[i].geometry = Self.single(try features[i].geometry?.union(bump) ?? bump)
            }
        }
        let far = try #require(try grids.first { grid in
            guard grid.kind == "residential" else { return false }
            return try grid.geometry.distance(to: a.geometry) > 50
        })
        layers = replacing("grids", in: layers) { features in features[far.index]["households"] = .integer(420) }
        let building = try #require(fixture.district.buildings.first { $0.households > 0 })
        layers = replacing("building_assignments", in: layers) { features in
            features.removeAll { $0["building_id"].string == building.id }
        }
        let result = try fixture.check(layers)
        #expect(addedKinds(result, to: fixture) == ["households_out_of_range", "overlap", "unassigned_building"], "\(Self.describe(result))")
        #expect(try isNear(result.findings.first { $0.kind == .overlap }?.geometry, bump, tolerance: 0.01))
        #expect(added(result, to: fixture).first { $0.kind == .householdsOutOfRange }?.subject == far.code)
        #expect(result.findings.first { $0.kind == .unassignedBuilding }?.subject == building.id)
        // Ids are unique and numbered per kind.
        #expect(Set(result.findings.map(\.id)).count == result.findings.count)
        #expect(result.findings.first { $0.kind == .overlap }?.id == "overlap-1")
    }
}
