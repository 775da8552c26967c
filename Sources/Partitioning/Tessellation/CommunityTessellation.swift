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
    /// Barriers whose envelope meets the community's.
    var barriers: [Barrier] = []
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
        /// Inside a footprint: the face is that building's whatever its shape (a sliver of it
        /// beside more of the building stays), so that the building's grid holds its footprint.
        var inFootprint = false

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

    /// Cuts the community of `input` into faces: stage "blocks" (`StreetBlocks`), then stage
    /// "cells" (`BuildingCells`), each timed into `timings`.
    init(_ input: CommunityInput, microMin: Int, microMax: Int, gridMax: Int, cutsUnits: Bool, context: GEOSContext,
         timings: inout StageTimings) throws {
        let blocks = try timings.measure(.blocks) { try StreetBlocks(input, context: context) }
        try timings.measure(.cells) {
            let placed = try Self.place(input.buildings, in: blocks, context: context)
            buildingSite = placed.block
            slices = input.buildings.map { entry in
                Self.sliceCount(households: entry.building.households, units: entry.building.units, microMin: microMin, microMax: microMax,
                                cutsUnits: cutsUnits)
            }
            sliceHouseholds = input.buildings.indices.map { local in
                let households = input.buildings[local].building.households
                let count = slices[local]
                return (0..<count).map { households / count + ($0 < households % count ? 1 : 0) }
            }
            let cells = try BuildingCells(input, blocks: blocks, blockBuildings: placed.blockBuildings, footprints: placed.footprints,
                                          slices: slices, gridMax: gridMax, context: context)
            let pinches = try makeFaces(input, blocks: blocks, blockBuildings: placed.blockBuildings, cells: cells,
                                        footprints: placed.footprints, context: context)
            blockSite = blocks.blocks.map(\.site)
            buildAdjacency(roadSegments: blocks.roadSegments, pinches: pinches)
            absorbSlivers()
            attachDetachedFaces()
            giveBackSiteCells(blockBuildings: placed.blockBuildings)
        }
    }

    /// Each building to the block holding a point inside the part of its footprint in the
    /// community (or the nearest block); its footprint made valid.
    private static func place(_ buildings: [(index: Int, building: Building)], in blocks: StreetBlocks,
                              context: GEOSContext) throws -> (footprints: [GEOSObject], block: [Int?], blockBuildings: [[Int]]) {
        var footprints: [GEOSObject] = []
        var blockOf: [Int?] = []
        var blockBuildings = [[Int]](repeating: [], count: blocks.blocks.count)
        for (local, entry) in buildings.enumerated() {
            let rawFootprint = try GEOSObject(entry.building.geometry, context: context)
            let footprint = try rawFootprint.isValid() ? rawFootprint : rawFootprint.makeValid()
            footprints.append(footprint)
            var point = try footprint.pointOnSurface()
            if try !blocks.preparedCommunity.covers(footprint) {
                let inside = try footprint.intersection(blocks.community)
                if try !inside.isEmpty() { point = try inside.pointOnSurface() }
            }
            var block = try blocks.block(of: point)
            if block == nil { block = try blocks.nearestBlock(to: point) }
            blockOf.append(block)
            if let block { blockBuildings[block].append(local) }
        }
        return (footprints, blockOf, blockBuildings)
    }

    /// The faces: one polygonize over every line (the cells' and the footprints' outlines),
    /// noded together, each face given to its block and owner: a face inside a footprint of
    /// its block to that building, so that no cell boundary runs through a footprint (a party
    /// wall's samples do not face each other, and the Voronoi boundary between two touching
    /// buildings wandered about the wall by up to half a sample step). Returns the pinches where
    /// faces were split (see `splitAtPinches`).
    private mutating func makeFaces(_ input: CommunityInput, blocks: StreetBlocks, blockBuildings: [[Int]], cells: BuildingCells,
                                    footprints: [GEOSObject], context: GEOSContext) throws -> Set<SegmentKey> {
        let placed = blockBuildings.flatMap { $0 }.sorted()
        // Clipped to the community and snapped onto its edge as roads are (`StreetBlocks`): a wall
        // drawn a hair off the community's edge would leave a strip too thin to keep.
        let edge = try blocks.community.boundary()
        let outlines = try placed.map {
            try footprints[$0].boundary().intersection(blocks.community).snapped(to: edge, tolerance: Self.edgeSnap)
        }
        let allLines = try GEOSObject.collection(cells.lines + outlines, type: .geometryCollection, context: context).unaryUnion()
        var prepared: [Int: PreparedGeometry] = [:]
        for local in placed { prepared[local] = try PreparedGeometry(footprints[local]) }
        let facePolygons = try GEOSObject.polygonize([allLines], context: context)
        var pinches: Set<SegmentKey> = []
        for index in 0..<(try facePolygons.partCount()) {
            let object = try facePolygons.part(index)
            let point = try object.pointOnSurface()
            guard let block = try Self.block(of: object, point: point, in: blocks),
                  case .polygon(let polygon) = try object.geometry() else { continue }
            let within = blocks.blocks[block].site == nil ? try blockBuildings[block].first { try prepared[$0]?.contains(point) == true } : nil
            let owner = try Self.owner(of: point, block: block, input: input, blocks: blocks, blockBuildings: blockBuildings, cells: cells,
                                       within: within)
            for piece in Self.splitAtPinches(polygon, pinches: &pinches) {
                faces.append(Face(polygon: piece, area: PlaneMath.area(piece), perimeter: piece.rings.reduce(0) { $0 + PlaneMath.length($1) },
                                  centroid: PlaneMath.centroid(piece), block: block, owner: owner, inFootprint: within != nil))
            }
        }
        return pinches
    }

    /// The block of a face: the one holding its point; else (the point of a face whose ring
    /// comes back along itself can fall on its edge and off every block: a 5.6 m² face was
    /// dropped so, a gap in the grids) the block holding most of the face, if any (faces in
    /// the community's holes have none).
    private static func block(of object: GEOSObject, point: GEOSObject, in blocks: StreetBlocks) throws -> Int? {
        if let found = try blocks.block(of: point) { return found }
        let area = try object.area()
        var best: (block: Int, area: Double)?
        for candidate in blocks.candidates(meeting: object) {
            let shared = try blocks.blocks[candidate].object.base.intersection(object).area()
            if shared > (best?.area ?? area / 2) { best = (candidate, shared) }
        }
        return best?.block
    }

    /// Who the face at `point` in `block` belongs to: the block's site, the block as land, the
    /// building whose footprint holds it (`within`), or the building (slice, or slice's land)
    /// or site whose sample is nearest.
    private static func owner(of point: GEOSObject, block: Int, input: CommunityInput, blocks: StreetBlocks, blockBuildings: [[Int]],
                              cells: BuildingCells, within: Int?) throws -> FaceOwner {
        let members = blockBuildings[block]
        if let site = blocks.blocks[block].site { return .site(site) }
        if members.isEmpty { return .land(block: block) }
        var local = members[0]
        if let within {
            local = within
        } else if let sitesIndex = cells.samples[block], case .point(let p) = try point.geometry(), let nearest = sitesIndex.nearest(to: p) {
            local = cells.sampleOwners[block][nearest]
        }
        if local >= input.buildings.count { return .siteCell(site: local - input.buildings.count, block: block) }
        guard let fan = cells.fans[local], case .point(let p) = try point.geometry() else { return .building(local, slice: 0) }
        let slice = fan.slice(of: p)
        if cells.landApart.contains(local), let above = fan.sideBeyondFootprint(p) {
            return .sliceLand(building: local, slice: slice, side: above ? 0 : 1)
        }
        return .building(local, slice: slice)
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
            // A sliver of a footprint beside more of the same building stays with it.
            if faces[index].inFootprint && edges[index].contains(where: { faces[$0.face].owner == faces[index].owner }) { continue }
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
