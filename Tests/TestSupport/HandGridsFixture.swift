import FeatureIO
import Foundation
import GeometryEngine

/// Grids drawn over a lon/lat sample district the way an office draws them, with Chinese fields
/// (网格编码, 网格名称, 网格员, 电话, 备注), then damaged on purpose (see `Damage`). Drawn either
/// as a square mesh clipped to each community (straight cuts that ignore every building), or
/// from the grids of a partition (lines that run between buildings, as along streets).
public struct HandGridsFixture: Sendable {
    /// What is wrong with the drawn grids, each in a grid of its own (never the same grid twice).
    public struct Damage: Hashable, Sendable {
        /// Metres a grid is grown by: it overlaps its neighbours.
        public var overlap: Double?
        /// Metres a grid is shrunk by: gaps round it.
        public var gap: Double?
        /// Metres a grid on a community's edge reaches beyond it: a spill.
        public var spill: Double?
        /// Side in metres of a square hole cut in a grid: a gap wider than any tolerance.
        public var hole: Double?
        /// Whether two neighbouring grids are redrawn with one straight line between them, across
        /// whatever buildings stand there.
        public var straightCut: Bool

        public init(overlap: Double? = 1, gap: Double? = 1, spill: Double? = 30, hole: Double? = nil, straightCut: Bool = true) {
            self.overlap = overlap
            self.gap = gap
            self.spill = spill
            self.hole = hole
            self.straightCut = straightCut
        }
    }

    /// The grids as written, in file order.
    public var layer: Layer
    /// Office codes of the damaged grids, by damage (`overlap`, `gap`, `spill`, `hole`, `cut`, `cut2`).
    public var damaged: [String: String]
    /// The communities of the district, in the district's CRS (lon/lat).
    public var communities: [(code: String, geometry: Geometry)]

    public static let fields = [
        FieldDefinition("网格编码", .text), FieldDefinition("网格名称", .text), FieldDefinition("网格员", .text),
        FieldDefinition("电话", .integer), FieldDefinition("备注", .real),
    ]

    /// Grids of about `side` metres over every community of the lon/lat district at `district`.
    public init(district: URL, side: Double = 450, damage: Damage = Damage()) throws {
        let communities = try Self.communities(of: district)
        var drawn: [(community: Int, geometry: Geometry)] = []
        for (c, community) in communities.enumerated() {
            guard let envelope = community.geometry.envelope else { continue }
            let metre = Self.degreesPerMetre(latitude: (envelope.minY + envelope.maxY) / 2)
            let (dx, dy) = (side * metre.x, side * metre.y)
            var y = envelope.maxY
            while y > envelope.minY {
                var x = envelope.minX
                while x < envelope.maxX {
                    let cell = Self.box(XY(x, y - dy), XY(x + dx, y))
                    let piece = try cell.intersection(community.geometry)
                    if try piece.area() > 0, !piece.polygons.isEmpty { drawn.append((c, .multiPolygon(piece.polygons))) }
                    x += dx
                }
                y -= dy
            }
        }
        try self.init(communities: communities, drawn: drawn, damage: damage)
    }

    /// The grids of the partition at `partition` (a file `gridweave partition` wrote for `district`).
    public init(district: URL, partition: String, damage: Damage = Damage()) throws {
        let communities = try Self.communities(of: district)
        let grids = try GeoPackageReader(path: partition).readLayer("grids").features
        let drawn = grids.compactMap { grid -> (community: Int, geometry: Geometry)? in
            guard let c = communities.firstIndex(where: { $0.code == grid["community_code"].string }), let geometry = grid.geometry else { return nil }
            return (c, geometry)
        }
        try self.init(communities: communities, drawn: drawn, damage: damage)
    }

    /// One grid per street block, drawn by a script the way an office draws along streets: each
    /// community cut by the district's roads at ground level (paths and service roads left out),
    /// independently of the partition engine.
    public init(streetsOf district: URL, damage: Damage = Damage()) throws {
        let communities = try Self.communities(of: district)
        let roads = try GeoPackageReader(path: district.path).readLayer("roads").features.compactMap { road -> Geometry? in
            let cutting = !["path", "service"].contains(road["class"].string ?? "")
                && (road["tunnel"].int64 ?? 0) == 0 && (road["bridge"].int64 ?? 0) == 0 && (road["layer"].int64 ?? 0) == 0
            return cutting ? road.geometry : nil
        }
        var drawn: [(community: Int, geometry: Geometry)] = []
        for (c, community) in communities.enumerated() {
            let outline = Geometry.multiLineString(community.geometry.polygons.flatMap(\.rings))
            let lines = try roads.map { try $0.intersection(community.geometry) } + [outline]
            let faces = try Geometry.polygonize([try Geometry.geometryCollection(lines).unaryUnion()]).polygons.map(Geometry.polygon)
                .filter { try community.geometry.covers(try $0.pointOnSurface()) }
            // A face under 500 m² (a traffic island, a corner between roads) is drawn into the
            // block sharing most boundary with it, as an office draws.
            let metre = Self.degreesPerMetre(latitude: community.geometry.envelope?.minY ?? 0)
            let small = 500 * metre.x * metre.y
            var blocks = try faces.filter { try $0.area() >= small }
            for face in try faces.filter({ try $0.area() < small }) {
                let edge = Geometry.multiLineString(face.polygons.flatMap(\.rings))
                let shared = try blocks.map { try edge.intersection(.multiLineString($0.polygons.flatMap(\.rings))).length() }
                guard let best = shared.indices.max(by: { shared[$0] < shared[$1] }), shared[best] > 0 else { continue }
                blocks[best] = try blocks[best].union(face)
            }
            drawn += blocks.map { (c, $0) }
        }
        try self.init(communities: communities, drawn: drawn, damage: damage)
    }

    private init(communities: [(code: String, geometry: Geometry)], drawn: [(community: Int, geometry: Geometry)], damage: Damage) throws {
        self.communities = communities
        var geometries = drawn.map(\.geometry)
        let codes = drawn.indices.map { String(format: "WG%d-%03d", drawn[$0].community + 1, $0 + 1) }
        var damaged: [String: String] = [:]
        var wanted = ["overlap": damage.overlap, "gap": damage.gap, "spill": damage.spill, "hole": damage.hole].compactMapValues { $0 }
        // Each community shrunk by 40 m and by 5 m: a grid inside the first is inside, one not
        // inside the second is on the edge.
        let shrunk = try communities.map { community in
            let metre = Self.degreesPerMetre(latitude: community.geometry.envelope.map { ($0.minY + $0.maxY) / 2 } ?? 0).y
            return (inner: try community.geometry.buffer(-40 * metre), edge: try community.geometry.buffer(-5 * metre))
        }
        for (g, grid) in drawn.enumerated() {
            let community = communities[grid.community].geometry
            let metre = Self.degreesPerMetre(latitude: grid.geometry.envelope.map { ($0.minY + $0.maxY) / 2 } ?? 0).y
            let inside = try shrunk[grid.community].inner.contains(grid.geometry)
            let onEdge = try !shrunk[grid.community].edge.contains(grid.geometry) && grid.geometry.polygons.count == 1
            if inside, let metres = wanted["overlap"] {
                geometries[g] = try grid.geometry.buffer(metres * metre, quadrantSegments: 1)
                damaged["overlap"] = codes[g]; wanted["overlap"] = nil
            } else if inside, let metres = wanted["gap"] {
                geometries[g] = try grid.geometry.buffer(-metres * metre, quadrantSegments: 1)
                damaged["gap"] = codes[g]; wanted["gap"] = nil
            } else if inside, let metres = wanted["hole"], let centre = try grid.geometry.pointOnSurface().coordinates.first {
                let half = metres / 2 * metre
                geometries[g] = try grid.geometry.difference(Self.box(XY(centre.x - half, centre.y - half), XY(centre.x + half, centre.y + half)))
                damaged["hole"] = codes[g]; wanted["hole"] = nil
            } else if onEdge, let metres = wanted["spill"] {
                geometries[g] = try grid.geometry.union(try grid.geometry.buffer(metres * metre, quadrantSegments: 1).difference(community))
                damaged["spill"] = codes[g]; wanted["spill"] = nil
            }
        }
        if damage.straightCut, let (a, b) = try Self.neighbours(drawn, excluding: Set(damaged.values), codes: codes) {
            (geometries[a], geometries[b]) = try Self.straightCut(drawn[a].geometry, drawn[b].geometry)
            damaged["cut"] = codes[a]
            damaged["cut2"] = codes[b]
        }
        let workers = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]
        let features = drawn.indices.map { g in
            Feature(fid: Int64(g + 1), geometry: geometries[g], properties: [
                "网格编码": .text(codes[g]), "网格名称": .text("第\(drawn[g].community + 1)社区第\(g + 1)网格"),
                "网格员": .text(workers[g % workers.count]), "电话": .integer(13_800_000_000 + Int64(g)),
                "备注": g % 3 == 0 ? .null : .real(Double(g) / 7),
            ])
        }
        layer = Layer(name: "网格", geometryType: "MULTIPOLYGON", srs: .wgs84, fields: Self.fields, features: features)
        self.damaged = damaged
    }

    /// The first two grids of a community, neither damaged, that share more than 30 m of boundary.
    private static func neighbours(_ drawn: [(community: Int, geometry: Geometry)], excluding: Set<String>,
                                   codes: [String]) throws -> (Int, Int)? {
        for a in drawn.indices where !excluding.contains(codes[a]) && drawn[a].geometry.polygons.count == 1 {
            let metre = degreesPerMetre(latitude: drawn[a].geometry.envelope?.minY ?? 0).y
            for b in drawn.indices where b > a && drawn[b].community == drawn[a].community && !excluding.contains(codes[b])
                && drawn[b].geometry.polygons.count == 1 {
                let shared = try drawn[a].geometry.buffer(metre / 100).intersection(drawn[b].geometry.buffer(metre / 100))
                if try shared.area() > 30 * metre * metre / 50 { return (a, b) }
            }
        }
        return nil
    }

    /// `a` and `b` redrawn as the two sides of one straight line through the middle of both,
    /// square to the line between their centres.
    private static func straightCut(_ a: Geometry, _ b: Geometry) throws -> (Geometry, Geometry) {
        let both = try a.union(b)
        guard let ca = try a.centroid().coordinates.first, let cb = try b.centroid().coordinates.first,
              let mid = try both.centroid().coordinates.first else { return (a, b) }
        let length = ((cb.x - ca.x) * (cb.x - ca.x) + (cb.y - ca.y) * (cb.y - ca.y)).squareRoot()
        let (n, t) = (XY((cb.x - ca.x) / length, (cb.y - ca.y) / length), XY(-(cb.y - ca.y) / length, (cb.x - ca.x) / length))
        let far = 1.0
        let side = Geometry.polygon(Polygon(exterior: [
            XY(mid.x + t.x * far, mid.y + t.y * far), XY(mid.x + t.x * far - n.x * far, mid.y + t.y * far - n.y * far),
            XY(mid.x - t.x * far - n.x * far, mid.y - t.y * far - n.y * far), XY(mid.x - t.x * far, mid.y - t.y * far),
            XY(mid.x + t.x * far, mid.y + t.y * far),
        ]))
        return (try both.intersection(side), try both.difference(side))
    }

    private static func communities(of district: URL) throws -> [(code: String, geometry: Geometry)] {
        try GeoPackageReader(path: district.path).readLayer("communities").features.compactMap { feature in
            guard let code = feature["code"].codeText, let geometry = feature.geometry else { return nil }
            return (code, geometry)
        }.sorted { $0.code < $1.code }
    }

    private static func box(_ low: XY, _ high: XY) -> Geometry {
        .polygon(Polygon(exterior: [low, XY(high.x, low.y), high, XY(low.x, high.y), low]))
    }

    /// Writes the grids as a GeoPackage at `path` (every geometry as a multipolygon).
    public func write(to path: String) throws {
        var written = layer
        for i in written.features.indices {
            written.features[i].geometry = written.features[i].geometry.map { .multiPolygon($0.polygons) }
        }
        try GeoPackageWriter.write([written], to: path)
    }

    /// Degrees of longitude and latitude per metre at `latitude` (a sphere of the WGS 84 equator's radius).
    public static func degreesPerMetre(latitude: Double) -> XY {
        let perDegree = 6_378_137 * Double.pi / 180
        return XY(1 / (perDegree * cos(latitude * .pi / 180)), 1 / perDegree)
    }
}
