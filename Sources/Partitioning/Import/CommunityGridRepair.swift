import DistrictModel
import Foundation
import GeometryEngine
import Projections

/// Repairs the hand-drawn grids of one community into grids that tile it exactly, keeping each
/// grid's shape except where it is wrong.
///
/// Every boundary (the community's, every grid's, and the outline of every building a grid
/// line touches) is noded into one set of lines and polygonized: the faces share edges vertex
/// for vertex, so grids made of faces tile the community exactly (the partition's own way, see
/// `CommunityTessellation`). Each face inside the community is claimed by the grids that
/// contain it; then:
/// 1. a face claimed by several grids (an overlap) goes, with the faces it touches of the same
///    grids, to the grid holding more of the buildings there, else to the larger grid;
/// 2. a face claimed by none (a gap) goes, with the gap faces it touches, to the neighbour
///    holding most of the buildings there, else to the one sharing most boundary with it, else
///    to the nearest grid;
/// 3. the faces of a building the lines cut go to the grid it is pinned to, else to a locked
///    grid whose line cuts it, else to the grid holding most of the building;
/// 4. a part of a grid detached from its largest part (a sliver) goes to the grid sharing most
///    boundary with it; one no other grid touches (in a part of the community of its own) is
///    made a grid of its own (a detached part).
/// What lies outside the community is cut off (a spill). Gaps and overlaps wider than the
/// tolerance are problems unless `GridImportOptions.repairsAll`.
struct CommunityGridRepair {
    struct Member {
        var officeCode: String
        /// The grid as drawn, in the district's CRS.
        var hand: Geometry
        /// Whether a planner locked it (`GridImportOptions.locked`).
        var locked = false
    }

    struct Outcome {
        /// The repaired grid of each member; nil for one left with no area.
        var geometries: [Geometry?]
        /// Parts of a member's grid in a part of the community no other grid touches: grids of their own.
        var detachedParts: [(member: Int, geometry: Geometry)]
        var repairs: [GridRepair]
        var problems: [ImportProblem]
        /// Buildings (with households) whose grid the repairs changed, and their households.
        var buildingsMoved: Int
        var householdsMoved: Int
    }

    let communityCode: String
    let community: Geometry
    let members: [Member]
    /// The district's buildings near the community and its grids.
    let buildings: [Building]
    let options: GridImportOptions
    /// From the district's CRS to a metric one: areas and widths.
    let metric: CoordinateTransformer
    /// For problems: the file and layer of the hand-drawn grids.
    let source: (file: String, layer: String)

    private final class Face {
        let polygon: GEOSObject
        let point: GEOSObject
        let area: Double
        let claims: [Int]
        let building: Int?
        var owner: Int?

        init(polygon: GEOSObject, point: GEOSObject, area: Double, claims: [Int], building: Int?) {
            self.polygon = polygon
            self.point = point
            self.area = area
            self.claims = claims
            self.building = building
            owner = claims.count == 1 ? claims[0] : nil
        }
    }

    /// The GEOS objects of one run, in one context.
    private struct Work {
        let context: GEOSContext
        let community: GEOSObject
        let hands: [GEOSObject]
        let preparedHands: [PreparedGeometry]
        let buildings: [GEOSObject?]
        let faces: [Face]
        var repairs: [(repair: GridRepair, geometry: GEOSObject, building: Int?)] = []
        var problems: [ImportProblem] = []
    }

    func run() throws -> Outcome {
        let context = GEOSContext()
        let community = try GEOSObject(self.community, context: context)
        let hands = try members.map { try GEOSObject($0.hand, context: context) }
        let preparedHands = try hands.map { try PreparedGeometry($0) }
        let footprints = try buildings.map { try $0.geometry.isEmpty ? nil : GEOSObject($0.geometry, context: context) }
        let cut = try footprints.indices.filter { b in
            guard let footprint = footprints[b] else { return false }
            return try preparedHands.contains { try $0.intersects(footprint) && !$0.contains(footprint) }
        }
        let units = try Self.overlapping(cut, footprints: footprints, context: context)
        let faces = try makeFaces(context: context, community: community, hands: hands, preparedHands: preparedHands,
                                  cut: units.enumerated().flatMap { u, unit in unit.compactMap { b in footprints[b].map { (u, $0) } } })
        var work = Work(context: context, community: community, hands: hands, preparedHands: preparedHands, buildings: footprints, faces: faces)
        try resolveOverlaps(&work)
        try fillGaps(&work)
        try keepBuildingsWhole(&work, units: units)
        if !options.pins.isEmpty { try checkPins(&work, units: units) }
        var geometries = try memberGeometries(work)
        try mergeSlivers(&work, geometries: &geometries)
        let detached = try splitOff(&work, geometries: &geometries)
        try cutSpills(&work)
        var unitOf: [Int: Int] = [:]
        for (u, unit) in units.enumerated() { for b in unit { unitOf[b] = u } }
        let moved = try countMoves(&work, geometries: geometries, unitOf: unitOf)
        return Outcome(geometries: try geometries.map { try $0.map { try Self.simplest($0.geometry()) } },
                       detachedParts: detached, repairs: work.repairs.map(\.repair), problems: work.problems,
                       buildingsMoved: moved.buildings, householdsMoved: moved.households)
    }

    /// The buildings `cut` grouped with every building overlapping them (footprints drawn over
    /// each other, which a grid line must not part either), each group once, in order.
    static func overlapping(_ cut: [Int], footprints: [GEOSObject?], context: GEOSContext) throws -> [[Int]] {
        let tree = try SpatialTree(context: context)
        let empty = try GEOSObject(.geometryCollection([]), context: context)
        for (b, footprint) in footprints.enumerated() { tree.insert(footprint ?? empty, index: b) }
        var unitOf: [Int: Int] = [:]
        var units: [[Int]] = []
        for start in cut where unitOf[start] == nil {
            var unit = [start]
            unitOf[start] = units.count
            var next = 0
            while next < unit.count {
                guard let footprint = footprints[unit[next]] else { next += 1; continue }
                let prepared = try PreparedGeometry(footprint)
                for other in tree.query(footprint) where unitOf[other] == nil {
                    guard let candidate = footprints[other], try prepared.intersects(candidate),
                          try footprint.intersection(candidate).area() > 0 else { continue }
                    unitOf[other] = units.count
                    unit.append(other)
                }
                next += 1
            }
            units.append(unit.sorted())
        }
        return units
    }

    /// Square metres below which a change is not recorded as a repair (it is still made).
    static let dust = 0.01

    /// A one-part multipolygon as the polygon it is.
    static func simplest(_ geometry: Geometry) -> Geometry {
        let polygons = geometry.polygons
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
    }

    // MARK: Faces

    /// The faces inside the community of every boundary noded together, with the grids that
    /// claim each and the cut building it lies in.
    private func makeFaces(context: GEOSContext, community: GEOSObject, hands: [GEOSObject], preparedHands: [PreparedGeometry],
                           cut: [(index: Int, footprint: GEOSObject)]) throws -> [Face] {
        let outlines = try ([community] + hands + cut.map(\.footprint)).map { try $0.boundary() }
        let noded = try GEOSObject.collection(outlines, type: .geometryCollection, context: context).unaryUnion()
        let polygons = try GEOSObject.polygonize([noded], context: context)
        let preparedCommunity = try PreparedGeometry(community)
        let preparedCut = try cut.map { (index: $0.index, prepared: try PreparedGeometry($0.footprint)) }
        var faces: [Face] = []
        for p in 0..<(try polygons.partCount()) {
            let polygon = try polygons.part(p)
            let area = try polygon.area()
            guard area > 0 else { continue }
            let point = try polygon.pointOnSurface()
            guard try preparedCommunity.contains(point) else { continue }
            let claims = try preparedHands.indices.filter { try preparedHands[$0].intersects(point) }
            let building = try preparedCut.first { try $0.prepared.contains(point) }?.index
            faces.append(Face(polygon: polygon, point: point, area: area, claims: claims, building: building))
        }
        return faces
    }

    /// The faces `indices` grouped into connected regions, each with its union. See `GEOSCoverageUnion_r`.
    private func regions(_ indices: [Int], in work: Work) throws -> [(faces: [Int], geometry: GEOSObject)] {
        guard !indices.isEmpty else { return [] }
        let union = try union(indices, in: work)
        let count = try union.partCount()
        if count == 1 { return [(indices, union)] }
        return try (0..<count).map { p in
            let part = try union.part(p)
            let prepared = try PreparedGeometry(part)
            return (try indices.filter { try prepared.intersects(work.faces[$0].point) }, part)
        }
    }

    private func union(_ indices: [Int], in work: Work) throws -> GEOSObject {
        let parts = try indices.map { try work.faces[$0].polygon.clone() }
        return try GEOSObject.collection(parts, type: .multiPolygon, context: work.context).coverageUnion()
    }

    // MARK: Overlaps and gaps

    /// Step 1: each region claimed by several grids goes to one of them.
    private func resolveOverlaps(_ work: inout Work) throws {
        var byClaims: [[Int]: [Int]] = [:]
        for (f, face) in work.faces.enumerated() where face.claims.count > 1 { byClaims[face.claims, default: []].append(f) }
        for claims in byClaims.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for region in try regions(byClaims[claims] ?? [], in: work) {
                var weight: [Int: Double] = [:]
                for footprint in try footprints(touching: region.geometry, in: work) {
                    for m in claims { weight[m, default: 0] += try footprint.intersection(work.hands[m]).area() }
                }
                let drawn = try claims.map { try work.hands[$0].area() }
                let winner = claims.indices.max { a, b in
                    let (la, lb) = (members[claims[a]].locked, members[claims[b]].locked)
                    if la != lb { return lb }
                    let (wa, wb) = (weight[claims[a]] ?? 0, weight[claims[b]] ?? 0)
                    if wa != wb { return wa < wb }
                    if drawn[a] != drawn[b] { return drawn[a] < drawn[b] }
                    return a > b
                }.map { claims[$0] } ?? claims[0]
                for f in region.faces { work.faces[f].owner = winner }
                let loser = claims.filter { $0 != winner }.max { (weight[$0] ?? 0, -$0) < (weight[$1] ?? 0, -$1) }
                try record(.overlap, to: winner, from: loser, region: region.geometry, in: &work,
                           what: "claimed by \(claims.map { members[$0].officeCode }.joined(separator: ", ")); left to \(members[winner].officeCode)")
            }
        }
    }

    /// Step 2: each region claimed by no grid goes to a neighbour.
    private func fillGaps(_ work: inout Work) throws {
        let gaps = work.faces.indices.filter { work.faces[$0].claims.isEmpty }
        guard !gaps.isEmpty else { return }
        let provisional = try memberGeometries(work)
        let boundaries = try provisional.map { try $0?.boundary() }
        for region in try regions(gaps, in: work) {
            let edge = try region.geometry.boundary()
            var shared: [Int: Double] = [:]
            for m in members.indices {
                guard let boundary = boundaries[m] else { continue }
                let length = try edge.intersection(boundary).length()
                if length > 0 { shared[m] = length }
            }
            var weight: [Int: Double] = [:]
            for footprint in try footprints(touching: region.geometry, in: work) {
                let holds = try provisional.map { try $0.map { try footprint.intersection($0).area() } ?? 0 }
                guard let holder = holds.indices.max(by: { holds[$0] < holds[$1] }), holds[holder] > 0, shared[holder] != nil else { continue }
                weight[holder, default: 0] += try footprint.intersection(region.geometry).area()
            }
            // A locked grid takes a gap only when no grid that is not locked borders it.
            if shared.keys.contains(where: { !members[$0].locked }) {
                shared = shared.filter { !members[$0.key].locked }
                weight = weight.filter { !members[$0.key].locked }
            }
            let byWeight = weight.keys.max { (weight[$0] ?? 0, -$0) < (weight[$1] ?? 0, -$1) }
            let byEdge = shared.keys.max { (shared[$0] ?? 0, -$0) < (shared[$1] ?? 0, -$1) }
            guard let winner = try byWeight ?? byEdge ?? nearest(to: region.geometry, among: provisional) else { continue }
            for f in region.faces { work.faces[f].owner = winner }
            let reason = byWeight != nil ? "holds the buildings there" : byEdge != nil ? "shares most boundary with it" : "is the nearest grid"
            try record(.gap, to: winner, from: nil, region: region.geometry, in: &work, what: "in no grid; given to \(members[winner].officeCode), which \(reason)")
        }
    }

    private func nearest(to region: GEOSObject, among geometries: [GEOSObject?]) throws -> Int? {
        var best: (member: Int, distance: Double)?
        for (m, geometry) in geometries.enumerated() {
            guard let geometry else { continue }
            let distance = try region.distance(to: geometry)
            if best.map({ distance < $0.distance }) ?? true { best = (m, distance) }
        }
        return best?.member
    }

    /// The footprints of buildings that intersect `region`.
    private func footprints(touching region: GEOSObject, in work: Work) throws -> [GEOSObject] {
        let prepared = try PreparedGeometry(region)
        return try work.buildings.compactMap { footprint in try footprint.flatMap { try prepared.intersects($0) ? $0 : nil } }
    }

    /// Adds a repair of `region` given to member `to` (taken from `from`), and a problem when it
    /// is wider than the tolerance and `repairsAll` is off.
    private func record(_ kind: GridRepair.Kind, to: Int, from: Int?, region: GEOSObject, in work: inout Work, what: String,
                        building: Int? = nil) throws {
        let metricRegion = try GEOSObject(try metric.transform(try region.geometry()), context: work.context)
        let area = try metricRegion.area()
        // Float dust where a drawn line runs along another within a hair: changed, not worth a row.
        guard area >= Self.dust else { return }
        let narrow = try metricRegion.buffer(-options.toleranceMetres / 2, quadrantSegments: 2).isEmpty()
        let beyond = (kind == .gap || kind == .overlap) && !narrow
        let finalKind: GridRepair.Kind = kind == .gap && beyond ? .unassignedArea : kind
        let at = try region.pointOnSurface().geometry().coordinates.first.map { String(format: " near (%.6f, %.6f)", $0.x, $0.y) } ?? ""
        let text = String(format: "%.1f m²", area) + " " + what + at
        if beyond && !options.repairsAll {
            work.problems.append(ImportProblem(kind == .gap ? .largeGap : .largeOverlap,
                                               text + String(format: ": wider than the tolerance (%g m); --repair-all repairs it too", options.toleranceMetres),
                                               file: source.file, layer: source.layer, featureID: members[to].officeCode))
        }
        work.repairs.append((GridRepair(kind: finalKind, officeCode: members[to].officeCode, otherOfficeCode: from.map { members[$0].officeCode },
                                        communityCode: communityCode, areaSquareMetres: area, householdsMoved: 0, beyondTolerance: beyond,
                                        detail: text, geometry: try region.geometry()), region, building))
    }

    // MARK: Buildings, slivers, spills

    /// Step 3: the faces of each cut building (with the buildings drawn over it) go to the grid
    /// holding most of it.
    private func keepBuildingsWhole(_ work: inout Work, units: [[Int]]) throws {
        var facesOf: [Int: [Int]] = [:]
        for (f, face) in work.faces.enumerated() { if let u = face.building { facesOf[u, default: []].append(f) } }
        for (u, unit) in units.enumerated() {
            guard let indices = facesOf[u] else { continue }
            var held: [Int: Double] = [:]
            for f in indices { if let owner = work.faces[f].owner { held[owner, default: 0] += work.faces[f].area } }
            // A pin decides; else a locked grid's line stays: a building it cuts goes whole to it.
            let pinned = pinnedMember(of: unit)
            if let pinned, held[pinned] == nil {
                work.problems.append(pinProblem(unit, member: pinned))
                continue
            }
            let key = { (m: Int) in (m == pinned ? 1 : 0, self.members[m].locked ? 1 : 0, held[m] ?? 0, -m) }
            guard held.count > 1, let winner = held.keys.max(by: { key($0) < key($1) }) else { continue }
            let moved = indices.filter { work.faces[$0].owner != winner }
            let from = held.keys.filter { $0 != winner }.max { (held[$0] ?? 0, -$0) < (held[$1] ?? 0, -$1) }
            for f in moved { work.faces[f].owner = winner }
            let names = "building \(buildings[unit[0]].id)" + (unit.count > 1 ? " (and \(unit.count - 1) drawn over it)" : "")
            try record(.buildingMoved, to: winner, from: from, region: try union(moved, in: work), in: &work,
                       what: "of \(names) moved into \(members[winner].officeCode), which "
                           + (winner == pinned ? "it is pinned to" : members[winner].locked ? "is locked" : "holds most of it"), building: u)
        }
    }

    /// The member a building of `unit` is pinned to (`GridImportOptions.pins`), if any.
    private func pinnedMember(of unit: [Int]) -> Int? {
        for b in unit {
            if let code = options.pins[buildings[b].id], let m = members.firstIndex(where: { $0.officeCode == code }) { return m }
        }
        return nil
    }

    /// A `bad_pin` problem: the buildings of `unit` are pinned to `member`, which is not drawn over them.
    private func pinProblem(_ unit: [Int], member: Int) -> ImportProblem {
        ImportProblem(.badPin, "building \(buildings[unit[0]].id) is pinned to \(members[member].officeCode), which is not drawn over any of it "
                      + "(a pin moves a building only across a grid line that cuts it)", file: source.file, layer: source.layer,
                      featureID: members[member].officeCode)
    }

    /// Pinned buildings standing in the community: pinned to a grid of another community, or
    /// (where no grid line cuts them) to a grid they do not already lie in, are problems.
    private func checkPins(_ work: inout Work, units: [[Int]]) throws {
        let cut = Set(units.joined())
        for (b, building) in buildings.enumerated() {
            guard let code = options.pins[building.id], let footprint = work.buildings[b] else { continue }
            let point = try footprint.pointOnSurface()
            guard try work.community.intersects(point) else { continue }
            guard let m = members.firstIndex(where: { $0.officeCode == code }) else {
                work.problems.append(ImportProblem(.badPin, "building \(building.id) of community \(communityCode) is pinned to \(code), "
                                                   + "a grid of another community", file: source.file, layer: source.layer, featureID: code))
                continue
            }
            if !cut.contains(b), try !work.preparedHands[m].intersects(point) { work.problems.append(pinProblem([b], member: m)) }
        }
    }

    /// Parts of a grid that no other grid touches (in a part of the community of their own),
    /// taken out of it to be grids of their own, with the member they came from; recorded as
    /// `detached_part` repairs.
    private func splitOff(_ work: inout Work, geometries: inout [GEOSObject?]) throws -> [(member: Int, geometry: Geometry)] {
        var detached: [(member: Int, geometry: Geometry)] = []
        for m in members.indices {
            guard let geometry = geometries[m], try geometry.partCount() > 1 else { continue }
            let parts = try (0..<(try geometry.partCount())).map { try geometry.part($0) }
            let areas = try parts.map { try $0.area() }
            guard let main = areas.indices.max(by: { areas[$0] < areas[$1] }) else { continue }
            for (p, part) in parts.enumerated() where p != main {
                detached.append((m, try part.geometry()))
                try record(.detachedPart, to: m, from: nil, region: part, in: &work,
                           what: "of \(members[m].officeCode) in a part of the community no other grid touches; a grid of its own")
            }
            geometries[m] = try parts[main].clone()
        }
        return detached
    }

    /// Each member's faces as one geometry; nil for a member with none.
    private func memberGeometries(_ work: Work) throws -> [GEOSObject?] {
        var facesOf = [[Int]](repeating: [], count: members.count)
        for (f, face) in work.faces.enumerated() { if let owner = face.owner { facesOf[owner].append(f) } }
        return try facesOf.map { $0.isEmpty ? nil : try union($0, in: work) }
    }

    /// Step 4: parts of a grid apart from its largest part go to the grid sharing most boundary
    /// with them (kept when none shares any: a community in several parts).
    private func mergeSlivers(_ work: inout Work, geometries: inout [GEOSObject?]) throws {
        // A scrap goes only to a neighbour's largest part, so that it joins it; a scrap touching
        // only another scrap waits for the next pass, when that one has joined its grid.
        for _ in 0..<5 {
            let parts = try geometries.map { geometry in try geometry.map { g in try (0..<(try g.partCount())).map { try g.part($0) } } ?? [] }
            let mains = try parts.map { members in try members.max { try $0.area() < $1.area() } }
            let mainBoundaries = try mains.map { try $0?.boundary() }
            var changed = false
            for m in members.indices where parts[m].count > 1 && !members[m].locked {
                for part in parts[m] where part !== mains[m] {
                    let edge = try part.boundary()
                    var best: (member: Int, length: Double)?
                    for (n, other) in mainBoundaries.enumerated() where n != m && !members[n].locked {
                        guard let other else { continue }
                        let length = try edge.intersection(other).length()
                        if length > 0 && length > (best?.length ?? 0) { best = (n, length) }
                    }
                    guard let best else { continue }
                    let prepared = try PreparedGeometry(part)
                    for face in work.faces where face.owner == m { if try prepared.intersects(face.point) { face.owner = best.member } }
                    try record(.sliver, to: best.member, from: m, region: part, in: &work,
                               what: "of \(members[m].officeCode), apart from the rest of it, given to \(members[best.member].officeCode)")
                    changed = true
                }
            }
            guard changed else { return }
            geometries = try memberGeometries(work)
        }
    }

    /// What each member had outside the community.
    private func cutSpills(_ work: inout Work) throws {
        for m in members.indices {
            let spill = try work.hands[m].difference(work.community)
            guard try !spill.isEmpty(), try spill.area() > 0 else { continue }
            let metricArea = try GEOSObject(try metric.transform(try spill.geometry()), context: work.context).area()
            guard metricArea >= Self.dust else { continue }
            let text = String(format: "%.1f m² of %@ outside its community %@, cut off", metricArea, members[m].officeCode, communityCode)
            work.repairs.append((GridRepair(kind: .spill, officeCode: members[m].officeCode, otherOfficeCode: nil, communityCode: communityCode,
                                            areaSquareMetres: metricArea, householdsMoved: 0, beyondTolerance: false, detail: text,
                                            geometry: try spill.geometry()), spill, nil))
        }
    }

    /// Households whose grid the repairs changed: a building (by a point inside it) that the
    /// grid drawn around it no longer holds, or that no grid was drawn around and one holds now. Each is counted on the repair that moved it.
    private func countMoves(_ work: inout Work, geometries: [GEOSObject?], unitOf: [Int: Int]) throws -> (buildings: Int, households: Int) {
        let finals = try geometries.map { try $0.map { try PreparedGeometry($0) } }
        let repairAreas = try work.repairs.map { try PreparedGeometry($0.geometry) }
        var total = (buildings: 0, households: 0)
        for (b, footprint) in work.buildings.enumerated() {
            guard let footprint, buildings[b].households > 0 else { continue }
            let point = try footprint.pointOnSurface()
            // No grid drawn round it: a building the filled gap now places counts as moved too.
            let drawn = try work.preparedHands.indices.first { try work.preparedHands[$0].intersects(point) }
            let now = try finals.indices.first { try finals[$0]?.intersects(point) ?? false }
            let inCommunity = try work.community.intersects(point)
            guard now != drawn else { continue }
            let containing = try work.repairs.indices.first { r in
                guard work.repairs[r].building == nil else { return false }
                return try repairAreas[r].intersects(point)
            }
            let repair = work.repairs.indices.first { unitOf[b] != nil && work.repairs[$0].building == unitOf[b] } ?? containing
            guard let repair, now != nil || !inCommunity else { continue }
            work.repairs[repair].repair.householdsMoved += buildings[b].households
            total.buildings += 1
            total.households += buildings[b].households
        }
        return total
    }
}
