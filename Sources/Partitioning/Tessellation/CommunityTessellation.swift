import DistrictModel
import GeometryEngine

/// What one community holds, cut out of the district for one task.
struct CommunityInput: Sendable {
    var community: Community
    /// Buildings assigned to the community, with their index in the district.
    var buildings: [(index: Int, building: Building)]
    /// Roads whose envelope meets the community's.
    var roads: [Road]
    /// Dedicated sites assigned to the community.
    var sites: [DedicatedSite]
}

/// Who a face of the tessellation belongs to.
enum FaceOwner: Hashable, Comparable {
    /// A dedicated site (index in `CommunityInput.sites`).
    case site(Int)
    /// A building (index in `CommunityInput.buildings`) and its slice (0 when not cut).
    case building(Int, slice: Int)
    /// A street block without buildings.
    case land(block: Int)
    /// A dedicated site's cell in a street block beside it: the land nearer its outline than
    /// any building, as a building's cell. Land without households: the partition gives it to
    /// the site's grid, or to the regions, or to the buildings beside it (see
    /// `CommunityPartitioner.run`).
    case siteCell(site: Int, block: Int)
    /// The land of a slice of a building of more households than a grid holds, beyond the
    /// footprint's rectangle on one side (0 above the long axis, 1 below): land without
    /// households, which may go to another grid than the slice's (see
    /// `CommunityPartitioner.run`).
    case sliceLand(building: Int, slice: Int, side: Int)

    var isSiteCell: Bool {
        if case .siteCell = self { return true }
        return false
    }

    var isSliceLand: Bool {
        if case .sliceLand = self { return true }
        return false
    }
}

/// The community cut into faces that tile it exactly: street blocks (the community polygonized
/// with its roads and its dedicated sites), each cut into building cells (a Voronoi tessellation
/// of points sampled along the footprints, as momepy's enclosed tessellation) and big buildings'
/// cells into slices along their entrance units.
///
/// Every face comes out of one `GEOSPolygonize_r` over one noded set of lines, so neighbouring
/// faces share their edges vertex for vertex: any set of faces is a valid polygonal coverage,
/// and grids made by `coverageUnion` tile the community with no gap and no overlap.
struct CommunityTessellation {
    struct Face {
        var polygon: Polygon
        var area: Double
        var perimeter: Double
        var centroid: XY
        var block: Int
        var owner: FaceOwner

        /// Whether the face has no width: thinner on average than `sliverWidth`.
        var isSliver: Bool { area < CommunityTessellation.sliverWidth * perimeter }
    }

    struct Edge {
        var face: Int
        var length: Double
        /// Length along an arterial road.
        var arterial: Double
        /// Length along any other road between two blocks.
        var street: Double
    }

    var faces: [Face] = []
    /// Per face, the faces it shares a boundary with, sorted.
    var edges: [[Edge]] = []
    /// Per building (index in the input), the number of slices it was cut into (1: not cut).
    var slices: [Int] = []
    /// Per building, the households of each slice.
    var sliceHouseholds: [[Int]] = []
    /// Per building, the block it stands in, or the dedicated site it stands on.
    var buildingSite: [Int?] = []
    /// Per block, the dedicated site it lies in.
    var blockSite: [Int?] = []

    /// Distance (metres) within which a road's vertices and segments are snapped onto the
    /// community's edge: the reach of the re-partition's snapping onto kept outlines.
    static let edgeSnap = 0.1

    /// Sampling distance along footprints, and inset from the wall, in metres. Where two
    /// buildings touch, their samples on either side of the wall do not face each other, and
    /// the cell boundary wanders about the wall by up to half a step. So a building whose
    /// envelope comes within `touching` of another's in its block is sampled every
    /// `sampleStep`, and others, whose cells meet in open ground, every `openSampleStep`.
    /// Samples every 1 m where buildings touch raised the mean Polsby-Popper of ten OSM-based
    /// districts from 0.493 to 0.506 with service roads cutting blocks (Helsinki 0.449 ->
    /// 0.477); every 1 m for all buildings gives the same figures for 50 % more time.
    static let sampleStep = 1.0
    static let openSampleStep = 3.0
    static let touching = 1.0
    static let inset = 0.3

    init(_ input: CommunityInput, microMin: Int, microMax: Int, gridMax: Int, cutsUnits: Bool, context: GEOSContext) throws {
        let raw = try GEOSObject(input.community.geometry, context: context)
        let community = try raw.isValid() ? raw : raw.makeValid()
        let preparedCommunity = try PreparedGeometry(community)

        // Street blocks: the community's boundary, the roads in it and its dedicated sites.
        // A road within `edgeSnap` of the community's edge runs on it: between the two there
        // would be a strip a few centimetres wide, which a grid carries as a neck or a spike
        // that collapses once the grid is brought back to longitude/latitude and snapped onto
        // the kept grids of a re-partition (their outlines are the edge there).
        let outline = try community.boundary()
        var blockLines: [GEOSObject] = [outline]
        var roadSegments: [(a: XY, b: XY, arterial: Bool)] = []
        // Footpaths and cycleways do not bound street blocks: a grid follows streets, and a
        // path across a block or beside a carriageway would cut it into strips and scraps.
        // Nor do service roads (driveways, yard and parking aisles, the lane beside a
        // carriageway): they serve the buildings of a block, and a strip between one and the
        // street went whole to one grid as an arm (mean Polsby-Popper of ten OSM-based
        // districts 0.506 -> 0.512, Helsinki 0.477 -> 0.496).
        for road in input.roads where road.roadClass != .path && road.roadClass != .service {
            let line = try GEOSObject(road.geometry, context: context)
            guard try preparedCommunity.intersects(line) else { continue }
            let inside = try line.intersection(community).snapped(to: outline, tolerance: Self.edgeSnap).geometry().lineStrings
            guard !inside.isEmpty else { continue }
            blockLines.append(try GEOSObject(.multiLineString(inside), context: context))
            for points in inside where points.count > 1 {
                for i in 0..<(points.count - 1) { roadSegments.append((points[i], points[i + 1], road.roadClass == .arterial)) }
            }
        }
        var sites: [PreparedGeometry?] = []
        var siteOutlines: [Geometry?] = []
        for site in input.sites {
            let rawSite = try GEOSObject(site.geometry, context: context)
            let valid = try rawSite.isValid() ? rawSite : rawSite.makeValid()
            let part = try valid.intersection(community)
            if try part.area() > 1 {
                blockLines.append(try part.boundary())
                sites.append(try PreparedGeometry(part))
                siteOutlines.append(try part.geometry())
            } else {
                sites.append(nil)
                siteOutlines.append(nil)
            }
        }
        let noded = try GEOSObject.collection(blockLines, type: .geometryCollection, context: context).unaryUnion()
        let blockPolygons = try GEOSObject.polygonize([noded], context: context)

        var blocks: [(object: PreparedGeometry, site: Int?)] = []
        let blockTree = try SpatialTree(context: context)
        for index in 0..<(try blockPolygons.partCount()) {
            let block = try blockPolygons.part(index)
            let point = try block.pointOnSurface()
            // A hole, or outside; unless most of the block is in the community, which happens
            // when its point is not inside it: the point of a block with a spike of no width
            // along the community's edge can lie off the block (a 41 m² block was dropped so,
            // a gap in the grids). Blocks are cut from lines inside the community, so only holes
            // come here, and few.
            if try !preparedCommunity.contains(point) {
                let inside = try block.intersection(community).area(), whole = try block.area()
                guard inside > whole / 2 else { continue }
            }
            let site = try sites.firstIndex { try $0?.contains(point) ?? false }
            blockTree.insert(block, index: blocks.count)
            blocks.append((try PreparedGeometry(block), site))
        }
        func blockOf(_ point: GEOSObject) throws -> Int? {
            for candidate in blockTree.query(point) where try blocks[candidate].object.contains(point) { return candidate }
            return nil
        }

        // Buildings to blocks, by a point inside the part of their footprint in the community.
        var footprints: [GEOSObject] = []
        var blockBuildings = [[Int]](repeating: [], count: blocks.count)
        for (local, entry) in input.buildings.enumerated() {
            let rawFootprint = try GEOSObject(entry.building.geometry, context: context)
            let footprint = try rawFootprint.isValid() ? rawFootprint : rawFootprint.makeValid()
            footprints.append(footprint)
            var point = try footprint.pointOnSurface()
            if try !preparedCommunity.covers(footprint) {
                let inside = try footprint.intersection(community)
                if try !inside.isEmpty() { point = try inside.pointOnSurface() }
            }
            var block = try blockOf(point)
            if block == nil { block = try blockTree.nearest(to: point) }
            buildingSite.append(block)
            if let block { blockBuildings[block].append(local) }
        }

        // Cells inside each residential block with several buildings; slices of big buildings.
        var cellLines: [GEOSObject] = [noded]
        slices = input.buildings.map { entry in
            Self.sliceCount(households: entry.building.households, units: entry.building.units, microMin: microMin, microMax: microMax,
                            cutsUnits: cutsUnits)
        }
        sliceHouseholds = input.buildings.indices.map { local in
            let households = input.buildings[local].building.households
            let count = slices[local]
            return (0..<count).map { households / count + ($0 < households % count ? 1 : 0) }
        }
        var fans: [SliceFan?] = Array(repeating: nil, count: input.buildings.count)
        var landApart: Set<Int> = []
        var blockSites: [SiteIndex?] = Array(repeating: nil, count: blocks.count)
        var blockSiteOwners: [[Int]] = Array(repeating: [], count: blocks.count)
        for (blockIndex, members) in blockBuildings.enumerated() where blocks[blockIndex].site == nil && !members.isEmpty {
            let block = blocks[blockIndex].object.base
            guard let envelope = try block.envelope() else { continue }
            let margin = try block.mitredBuffer(0.01)
            // The vertices of each sliced building's cell, from its Voronoi cells (clamped to the block's envelope).
            var cellPoints: [Int: [XY]] = [:]
            // Dedicated sites on the block's edge get their cell of it too, as a building does
            // (owner: the site's index after the buildings'), so that a residential grid need
            // not wrap a ring round a school's footprint.
            let neighbourSites = try sites.indices.filter { try sites[$0]?.intersects(block) ?? false }
            if members.count + neighbourSites.count > 1 {
                var points: [XY] = []
                var owners: [Int] = []
                // Not where a building overlaps the site: the building keeps its footprint.
                let memberFootprints = members.map { local in
                    (envelope: input.buildings[local].building.geometry.envelope, rings: input.buildings[local].building.geometry.polygons.map(\.exterior))
                }
                for site in neighbourSites {
                    for point in Self.samples(siteOutlines[site]!, step: Self.sampleStep)
                    where !memberFootprints.contains(where: { ($0.envelope?.contains(point) ?? false) && $0.rings.contains { PlaneMath.isInside(point, ring: $0) } }) {
                        points.append(point)
                        owners.append(input.buildings.count + site)
                    }
                }
                // Dense samples only along buildings that touch or nearly touch another.
                let envelopes = members.map { input.buildings[$0].building.geometry.envelope }
                for (m, local) in members.enumerated() {
                    let near = envelopes[m].map { own in
                        let reach = own.expanded(by: Self.touching)
                        return envelopes.indices.contains { $0 != m && (envelopes[$0]?.intersects(reach) ?? false) }
                    } ?? false
                    for point in Self.samples(input.buildings[local].building.geometry, step: near ? Self.sampleStep : Self.openSampleStep) {
                        points.append(point)
                        owners.append(local)
                    }
                }
                let index = SiteIndex(points, cell: Self.sampleStep * 2)
                blockSites[blockIndex] = index
                blockSiteOwners[blockIndex] = owners
                let expanded = envelope.expanded(by: 50)
                let clip = try GEOSObject(.polygon(Polygon(exterior: [XY(expanded.minX, expanded.minY), XY(expanded.maxX, expanded.minY),
                                                                       XY(expanded.maxX, expanded.maxY), XY(expanded.minX, expanded.maxY),
                                                                       XY(expanded.minX, expanded.minY)])), context: context)
                let cells = try GEOSObject(.multiPoint(points), context: context).voronoiDiagram(clip: clip).geometry().polygons
                // Keep the Voronoi edges between cells of different buildings: the cell boundaries.
                var firstOwner: [SegmentKey: Int] = [:]
                var kept: [[XY]] = []
                for cell in cells {
                    let ring = cell.exterior
                    guard ring.count > 3, let site = index.site(inside: ring) else { continue }
                    let owner = owners[site]
                    if owner < slices.count, slices[owner] > 1 { cellPoints[owner, default: []] += ring }
                    for i in 0..<(ring.count - 1) {
                        let key = SegmentKey(ring[i], ring[i + 1])
                        if let other = firstOwner[key] {
                            if other != owner { kept.append([ring[i], ring[i + 1]]) }
                        } else {
                            firstOwner[key] = owner
                        }
                    }
                }
                if !kept.isEmpty {
                    let boundaries = try GEOSObject(.multiLineString(kept), context: context).lineMerge().simplify(tolerance: 0.5)
                    cellLines.append(try boundaries.intersection(margin))
                }
            }
            // Slices of big buildings: cuts square across the footprint, then straight on or fanned out (see `SliceFan`).
            for local in members where slices[local] > 1 {
                guard case .polygon(let rectangle) = try footprints[local].minimumRotatedRectangle().geometry(),
                      let axis = Self.longAxis(of: rectangle.exterior) else { continue }
                let cell = members.count == 1 && neighbourSites.isEmpty
                    ? try block.geometry().polygons.flatMap(\.exterior)
                    : (cellPoints[local] ?? []).map { XY(min(max($0.x, envelope.minX), envelope.maxX), min(max($0.y, envelope.minY), envelope.maxY)) }
                let fan = SliceFan(axis: axis, count: slices[local], footprint: rectangle.exterior, cell: cell,
                                   splits: input.buildings[local].building.households > 2 * gridMax)
                fans[local] = fan
                let reach = envelope.width + envelope.height + 10
                cellLines.append(try GEOSObject(.multiLineString(fan.lines(reach: reach)), context: context).intersection(margin))
                // The land of a building of several grids apart from its slices: the footprint's
                // rectangle parts them.
                if input.buildings[local].building.households > gridMax {
                    landApart.insert(local)
                    cellLines.append(try GEOSObject(.lineString(rectangle.exterior), context: context).intersection(margin))
                }
            }
        }

        // The faces: one polygonize over everything, noded together.
        let allLines = try GEOSObject.collection(cellLines, type: .geometryCollection, context: context).unaryUnion()
        let facePolygons = try GEOSObject.polygonize([allLines], context: context)
        var pinches: Set<SegmentKey> = []
        for index in 0..<(try facePolygons.partCount()) {
            let object = try facePolygons.part(index)
            let point = try object.pointOnSurface()
            var found = try blockOf(point)
            if found == nil {
                // The point of a face whose ring comes back along itself can fall on its edge and
                // off every block (a 5.6 m² face was dropped so, a gap in the grids): the block
                // holding most of the face, if any (faces in the community's holes have none).
                let area = try object.area()
                var best: (block: Int, area: Double)?
                for candidate in blockTree.query(object) {
                    let shared = try blocks[candidate].object.base.intersection(object).area()
                    if shared > (best?.area ?? area / 2) { best = (candidate, shared) }
                }
                found = best?.block
            }
            guard let block = found, case .polygon(let polygon) = try object.geometry() else { continue }
            let owner: FaceOwner
            let members = blockBuildings[block]
            if let site = blocks[block].site {
                owner = .site(site)
            } else if members.isEmpty {
                owner = .land(block: block)
            } else {
                var local = members[0]
                if let sitesIndex = blockSites[block], case .point(let p) = try point.geometry(),
                   let nearest = sitesIndex.nearest(to: p) {
                    local = blockSiteOwners[block][nearest]
                }
                if local >= input.buildings.count {
                    owner = .siteCell(site: local - input.buildings.count, block: block)
                } else {
                    var slice = 0
                    if let fan = fans[local], case .point(let p) = try point.geometry() { slice = fan.slice(of: p) }
                    var sliceOwner = FaceOwner.building(local, slice: slice)
                    if landApart.contains(local), let fan = fans[local], case .point(let p) = try point.geometry(),
                       let above = fan.sideBeyondFootprint(p) {
                        sliceOwner = .sliceLand(building: local, slice: slice, side: above ? 0 : 1)
                    }
                    owner = sliceOwner
                }
            }
            for piece in Self.splitAtPinches(polygon, pinches: &pinches) {
                faces.append(Face(polygon: piece, area: PlaneMath.area(piece), perimeter: piece.rings.reduce(0) { $0 + PlaneMath.length($1) },
                                  centroid: PlaneMath.centroid(piece), block: block, owner: owner))
            }
        }
        blockSite = blocks.map(\.site)
        buildAdjacency(roadSegments: roadSegments, pinches: pinches)
        absorbSlivers()
        attachDetachedFaces()
        giveBackSiteCells(blockBuildings: blockBuildings)
    }

    /// A dedicated site's cells in street blocks go back to the buildings beside them where a
    /// building of the block was left with no face of its own (its footprint mostly on the
    /// site), or where they would cut the community's residential land into more parts than
    /// the site alone does (a cell reaching across its block from street to street): a part
    /// cut off so is too small for a grid.
    private mutating func giveBackSiteCells(blockBuildings: [[Int]]) {
        // One pass over the faces: per block, the buildings that have a face and the site cells.
        var owned: [Int: Set<Int>] = [:]
        var blockCells: [Int: [Int]] = [:]
        var cellFaces: [Int: [Int]] = [:]
        for (index, face) in faces.enumerated() {
            switch face.owner {
            case .building(let b, _): owned[face.block, default: []].insert(b)
            case .siteCell(let site, let block):
                blockCells[block, default: []].append(index)
                cellFaces[site, default: []].append(index)
            default: break
            }
        }
        for block in blockCells.keys.sorted() where blockBuildings[block].contains(where: { !(owned[block]?.contains($0) ?? false) }) {
            giveToNeighbours(blockCells[block]!)
        }
        for site in cellFaces.keys.sorted() {
            let cells = cellFaces[site]!.filter { faces[$0].owner.isSiteCell }
            if !cells.isEmpty, residentialParts(including: cells) < residentialParts(including: []) { giveToNeighbours(cells) }
        }
    }

    /// Parts of the community's land outside dedicated sites and their cells (but `extra`), over
    /// every edge but arterials, that hold a building.
    private func residentialParts(including extra: [Int]) -> Int {
        let extraSet = Set(extra)
        let members = faces.indices.filter { index in
            switch faces[index].owner {
            case .site: false
            case .siteCell: extraSet.contains(index)
            default: true
            }
        }
        let inSet = Set(members)
        var seen: Set<Int> = []
        var parts = 0
        for start in members where !seen.contains(start) {
            let part = CellWalk.reach(from: start, seen: &seen, admit: inSet.contains) { face, into in
                for edge in edges[face] where edge.arterial <= edge.length / 2 { into.append(edge.face) }
            }
            if part.contains(where: { if case .building = faces[$0].owner { true } else { false } }) { parts += 1 }
        }
        return parts
    }

    /// Every site's cell in a street block goes to the buildings beside it: the tessellation as
    /// if the sites had no cells.
    mutating func giveSiteCellsToBuildings() {
        giveToNeighbours(faces.indices.filter { faces[$0].owner.isSiteCell })
    }

    /// Every slice's land goes back to its slice: the tessellation as if the land had not been
    /// cut from it.
    mutating func joinSliceLand() {
        for index in faces.indices {
            if case .sliceLand(let building, let slice, _) = faces[index].owner { faces[index].owner = .building(building, slice: slice) }
        }
    }

    /// Each of `given` goes to the building whose face in the same block shares the most edge
    /// with it, spreading from the faces that touch a building's.
    private mutating func giveToNeighbours(_ given: [Int]) {
        var left = given
        while !left.isEmpty {
            var next: [Int] = []
            for face in left {
                let best = edges[face].filter { edge in
                    guard faces[edge.face].block == faces[face].block, case .building = faces[edge.face].owner else { return false }
                    return true
                }.max { ($0.length, -$0.face) < ($1.length, -$1.face) }
                if let best { faces[face].owner = faces[best.face].owner } else { next.append(face) }
            }
            if next.count == left.count { return }
            left = next
        }
    }

    /// Faces thinner on average than this (area over perimeter, metres) are slivers.
    static let sliverWidth = 1e-6

    /// A sliver face (no width: where two lines polygonize meet within a rounding error run
    /// side by side, as a dedicated site's edge along the community's) goes to the neighbour it
    /// shares the longest edge with, whatever its block. Left to the building nearest it, it can
    /// be all that links two parts of a grid: a corridor of no width, which collapses into a
    /// ring that runs back over itself once the grid is brought back to the input's CRS.
    private mutating func absorbSlivers() {
        for index in faces.indices where faces[index].isSliver {
            guard let widest = edges[index].filter({ !faces[$0.face].isSliver })
                .max(by: { ($0.length, -$0.face) < ($1.length, -$1.face) }) else { continue }
            faces[index].owner = faces[widest.face].owner
            faces[index].block = faces[widest.face].block
        }
    }

    /// A face whose ring passes twice through (almost) the same point, as polygonize leaves
    /// where lines meet within a rounding error: the loop between the two passes as a face of its
    /// own. Within a micrometre a ring is pinched: brought back to longitude/latitude the two
    /// passes fall on one point and the grid holding the face is no longer one valid polygon.
    /// The two pieces keep every vertex, so they still share their edges with their neighbours;
    /// between them is a segment of (almost) no length (added to `pinches`), which is no
    /// adjacency; the face's holes go with the piece they lie in. A loop turning the other way
    /// is a hole touching the shell at a point, which is valid: it stays.
    static func splitAtPinches(_ polygon: Polygon, pinches: inout Set<SegmentKey>) -> [Polygon] {
        let pieces = splitAtPinches(exterior: polygon.exterior, pinches: &pinches)
        guard pieces.count > 1 else { return [polygon] }
        // Each hole goes with the piece it lies in, by a vertex of it that is none of the shell's.
        let shellVertices = Set(polygon.exterior.map { SIMD2($0.x, $0.y) })
        var result = pieces.map { Polygon(exterior: $0) }
        for hole in polygon.holes {
            let probe = hole.first { !shellVertices.contains(SIMD2($0.x, $0.y)) } ?? hole[0]
            let owner = pieces.firstIndex { PlaneMath.isInside(probe, ring: $0) } ?? 0
            result[owner].rings.append(hole)
        }
        return result
    }

    private static func splitAtPinches(exterior ring: [XY], pinches: inout Set<SegmentKey>) -> [[XY]] {
        let last = ring.count - 1   // ring[last] == ring[0]
        guard last > 5 else { return [ring] }
        var seen: [SIMD2<Int64>: Int] = [:]
        for j in 0..<last {
            let key = SIMD2(Int64((ring[j].x * 1e6).rounded()), Int64((ring[j].y * 1e6).rounded()))
            if let i = seen[key], j - i >= 3, last - (j - i) >= 3, PlaneMath.distance(ring[i], ring[j]) <= 1e-6 {
                let loop = Array(ring[i...j]) + [ring[i]]
                // A loop turning the other way is a hole touching the shell: valid as it is.
                if (PlaneMath.signedArea(loop) > 0) == (PlaneMath.signedArea(ring) > 0) {
                    // ring[last] is ring[0]: after it, the ring goes on from ring[1] to the pinch
                    // (nowhere when the pinch is at its first vertex).
                    let rest = Array(ring[j...last]) + Array(ring[1..<(i + 1)]) + [ring[j]]
                    pinches.insert(SegmentKey(ring[i], ring[j]))
                    return splitAtPinches(exterior: rest, pinches: &pinches) + splitAtPinches(exterior: loop, pinches: &pinches)
                }
            }
            seen[key] = j
        }
        return splitAlongNeck(ring, pinches: &pinches)
    }

    /// A ring that comes back along one of its own segments within a micrometre (a neck of no
    /// width: where a line polygonize meets, as a dedicated site's edge, runs beside the
    /// community's edge without touching it) is three pieces: the two lobes on either side of
    /// the neck, and the neck itself, a sliver (see `absorbSlivers`). No vertex is added: the
    /// lobes are closed by chords from the segment's ends to the ends of the stretch that comes
    /// back, a micrometre from the segment. Left whole, the face holds two lobes joined only by
    /// the neck, which crosses itself once the grid is brought back to the input's CRS.
    private static func splitAlongNeck(_ ring: [XY], pinches: inout Set<SegmentKey>) -> [[XY]] {
        let m = ring.count - 1
        guard m > 5 else { return [ring] }
        let orientation = PlaneMath.signedArea(ring) > 0
        func stretch(_ from: Int, _ to: Int) -> [XY] {
            var points: [XY] = []
            var t = from
            while true {
                points.append(ring[t])
                if t == to { return points }
                t = (t + 1) % m
            }
        }
        for i in 0..<m {
            let a = ring[i], b = ring[i + 1]
            let length = PlaneMath.distance(a, b)
            guard length > 1e-3 else { continue }
            let minX = min(a.x, b.x) - 1e-6, maxX = max(a.x, b.x) + 1e-6, minY = min(a.y, b.y) - 1e-6, maxY = max(a.y, b.y) + 1e-6
            func alongside(_ t: Int) -> Bool {
                let p = ring[t]
                guard p.x >= minX, p.x <= maxX, p.y >= minY, p.y <= maxY else { return false }
                let (along, distance) = PlaneMath.project(p, onSegment: a, b)
                return distance <= 1e-6 && along > 0 && along < 1
            }
            // The first vertex after the segment's end that runs beside it, and the run it starts.
            var t = (i + 2) % m
            while t != i, !alongside(t) { t = (t + 1) % m }
            guard t != i else { continue }
            let j = t
            var k = j
            while (k + 1) % m != i, alongside((k + 1) % m) { k = (k + 1) % m }
            let lobeAfter = stretch((i + 1) % m, j) + [ring[i + 1]]
            let lobeBefore = stretch(k, i) + [ring[k]]
            let neck = [a, b] + stretch(j, k) + [a]
            guard lobeAfter.count >= 4, lobeBefore.count >= 4,
                  (PlaneMath.signedArea(lobeAfter) > 0) == orientation, (PlaneMath.signedArea(lobeBefore) > 0) == orientation,
                  abs(PlaneMath.signedArea(neck)) < sliverWidth * PlaneMath.length(neck) else { continue }
            return splitAtPinches(exterior: lobeBefore, pinches: &pinches) + splitAtPinches(exterior: lobeAfter, pinches: &pinches) + [neck]
        }
        return [ring]
    }

    /// Shared boundaries, from edges that appear in two faces (polygonize output shares them exactly).
    private mutating func buildAdjacency(roadSegments: [(a: XY, b: XY, arterial: Bool)], pinches: Set<SegmentKey>) {
        var firstFace: [SegmentKey: Int] = [:]
        var pairs: [PairKey: Edge] = [:]
        var order: [PairKey] = []
        for (index, face) in faces.enumerated() {
            for ring in face.polygon.rings where ring.count > 1 {
                for i in 0..<(ring.count - 1) {
                    let key = SegmentKey(ring[i], ring[i + 1])
                    guard let other = firstFace[key] else {
                        firstFace[key] = index
                        continue
                    }
                    guard other != index else { continue }
                    let pair = PairKey(min(other, index), max(other, index))
                    let length = PlaneMath.distance(ring[i], ring[i + 1])
                    // Pieces of a face split at a pinch touch at a point, not along an edge.
                    guard !pinches.contains(key) else { continue }
                    var arterial = 0.0, street = 0.0
                    if faces[other].block != face.block {
                        let middle = XY((ring[i].x + ring[i + 1].x) / 2, (ring[i].y + ring[i + 1].y) / 2)
                        var onRoad = false
                        for segment in roadSegments where PlaneMath.distance(middle, toSegment: segment.a, segment.b) < 0.05 {
                            onRoad = true
                            if segment.arterial { arterial = length; break }
                        }
                        if onRoad && arterial == 0 { street = length }
                    }
                    if pairs[pair] == nil { order.append(pair) }
                    pairs[pair, default: Edge(face: pair.b, length: 0, arterial: 0, street: 0)].length += length
                    pairs[pair]!.arterial += arterial
                    pairs[pair]!.street += street
                }
            }
        }
        edges = Array(repeating: [], count: faces.count)
        for pair in order.sorted(by: { ($0.a, $0.b) < ($1.a, $1.b) }) {
            let edge = pairs[pair]!
            edges[pair.a].append(edge)
            var back = edge
            back.face = pair.a
            edges[pair.b].append(back)
        }
        for index in edges.indices { edges[index].sort { $0.face < $1.face } }
    }

    /// A building's faces cut off from its main cell (by the block's shape) go to the
    /// neighbouring cell they share most boundary with, so that every cell is one polygon.
    private mutating func attachDetachedFaces() {
        for _ in 0..<4 {
            var changed = false
            var byOwner: [FaceOwner: [Int]] = [:]
            for (index, face) in faces.enumerated() { byOwner[face.owner, default: []].append(index) }
            for owner in byOwner.keys.sorted() {
                let members = byOwner[owner]!
                guard members.count > 1 else { continue }
                let parts = components(members)
                guard parts.count > 1 else { continue }
                let main = parts.max { a, b in
                    let areaA = a.reduce(0) { $0 + faces[$1].area }, areaB = b.reduce(0) { $0 + faces[$1].area }
                    return areaA < areaB || (areaA == areaB && a[0] > b[0])
                }!
                for part in parts where part[0] != main[0] {
                    var shared: [FaceOwner: Double] = [:]
                    for face in part {
                        for edge in edges[face] where faces[edge.face].owner != owner && faces[edge.face].block == faces[face].block {
                            shared[faces[edge.face].owner, default: 0] += edge.length
                        }
                    }
                    guard let target = shared.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).first?.key else { continue }
                    for face in part { faces[face].owner = target }
                    changed = true
                }
            }
            if !changed { return }
        }
    }

    /// Connected components of `members` through shared edges, each sorted, by smallest face.
    func components(_ members: [Int]) -> [[Int]] {
        CellWalk.components(of: members) { face, into in for edge in edges[face] { into.append(edge.face) } }
    }

    /// Slices a building is cut into: none below the micro-grid bound; else its entrance units,
    /// and when a unit alone is over the bound (a tower's), each unit in equal floor groups
    /// (drawn as slices of the footprint) unless `cutsUnits` is off. Floor groups are no bigger
    /// than the width of the micro-grid bounds, so that they add up to a total in bounds.
    static func sliceCount(households: Int, units: Int?, microMin: Int, microMax: Int, cutsUnits: Bool) -> Int {
        guard households > microMax else { return 1 }
        let needed = (households + microMax - 1) / microMax
        guard let units, units >= 1 else { return needed }
        guard cutsUnits, households > units * microMax else { return units }
        let perUnit = (households + units - 1) / units
        let groupSize = max(1, microMax - microMin)
        return units * ((perUnit + groupSize - 1) / groupSize)
    }

    /// Points along the outline of a footprint, set in from the wall so that buildings that
    /// touch do not share sites.
    static func samples(_ footprint: Geometry, step sampleStep: Double = sampleStep) -> [XY] {
        var points: [XY] = []
        for polygon in footprint.polygons {
            let ring = polygon.exterior
            guard ring.count > 3 else { continue }
            let inward: Double = PlaneMath.signedArea(ring) >= 0 ? 1 : -1
            for i in 0..<(ring.count - 1) {
                let a = ring[i], b = ring[i + 1]
                let length = PlaneMath.distance(a, b)
                guard length > 0 else { continue }
                let normal = XY(-(b.y - a.y) / length * inward, (b.x - a.x) / length * inward)
                let inset = min(inset, length / 4)
                let count = max(1, Int((length / sampleStep).rounded(.up)))
                for k in 0..<count {
                    let t = Double(k) / Double(count)
                    points.append(XY(a.x + (b.x - a.x) * t + normal.x * inset, a.y + (b.y - a.y) * t + normal.y * inset))
                }
            }
        }
        return points
    }

    /// The long axis of a minimum rotated rectangle (its closed ring): a corner, the unit direction, the length.
    static func longAxis(of rectangle: [XY]) -> (origin: XY, direction: XY, length: Double)? {
        guard rectangle.count >= 4 else { return nil }
        let p = rectangle
        let first = PlaneMath.distance(p[0], p[1]), second = PlaneMath.distance(p[1], p[2])
        let (origin, end, length) = first >= second ? (p[0], p[1], first) : (p[1], p[2], second)
        guard length > 0 else { return nil }
        return (origin, XY((end.x - origin.x) / length, (end.y - origin.y) / length), length)
    }
}

/// An undirected segment, by the exact bits of its ends.
struct SegmentKey: Hashable {
    let a: (UInt64, UInt64)
    let b: (UInt64, UInt64)

    init(_ p: XY, _ q: XY) {
        let u = (p.x.bitPattern, p.y.bitPattern), v = (q.x.bitPattern, q.y.bitPattern)
        if u < v { a = u; b = v } else { a = v; b = u }
    }

    static func == (l: SegmentKey, r: SegmentKey) -> Bool { l.a == r.a && l.b == r.b }

    func hash(into hasher: inout Hasher) {
        hasher.combine(a.0); hasher.combine(a.1); hasher.combine(b.0); hasher.combine(b.1)
    }
}

struct PairKey: Hashable {
    let a: Int
    let b: Int
    init(_ a: Int, _ b: Int) {
        self.a = a
        self.b = b
    }
}
