import GeometryEngine

/// Stage "cells": the lines that cut each residential street block among its buildings, and
/// big buildings into slices along their entrance units.
///
/// A block's cells are a Voronoi tessellation of points sampled along its buildings'
/// footprints (as momepy's enclosed tessellation), and along the outline of a dedicated site
/// beside it, so that a residential grid need not wrap a ring round a school's footprint.
/// Only the Voronoi edges between samples of different owners are kept: the cell boundaries.
struct BuildingCells {
    /// The blocks' lines and every cut, to be noded and polygonized together into faces.
    var lines: [GEOSObject]
    /// Per building (index in the community's input), how its cell is cut into slices.
    var fans: [SliceFan?]
    /// Buildings of more households than a grid holds: their land apart from their slices is
    /// parted by the footprint's rectangle.
    var landApart: Set<Int> = []
    /// Per block, the index of its sample points, and the owner of each sample: a building's
    /// index, or the number of buildings + a site's index.
    var samples: [SiteIndex?]
    var sampleOwners: [[Int]]

    /// What one block's cutting needs to know of the community.
    private struct Context {
        let input: CommunityInput
        let blocks: StreetBlocks
        let footprints: [GEOSObject]
        let slices: [Int]
        let gridMax: Int
        let geos: GEOSContext
    }

    /// - Parameters:
    ///   - blockBuildings: per block, the buildings standing in it.
    ///   - footprints: per building, its footprint made valid.
    ///   - slices: per building, how many slices it is cut into (1: none).
    init(_ input: CommunityInput, blocks: StreetBlocks, blockBuildings: [[Int]], footprints: [GEOSObject], slices: [Int],
         gridMax: Int, context: GEOSContext) throws {
        lines = [blocks.noded]
        fans = Array(repeating: nil, count: input.buildings.count)
        samples = Array(repeating: nil, count: blocks.blocks.count)
        sampleOwners = Array(repeating: [], count: blocks.blocks.count)
        let shared = Context(input: input, blocks: blocks, footprints: footprints, slices: slices, gridMax: gridMax, geos: context)
        for (blockIndex, members) in blockBuildings.enumerated() where blocks.blocks[blockIndex].site == nil && !members.isEmpty {
            try cut(block: blockIndex, members: members, shared)
        }
    }

    /// Cuts one residential block among its buildings and the sites on its edge, then slices
    /// its big buildings.
    private mutating func cut(block blockIndex: Int, members: [Int], _ shared: Context) throws {
        let block = shared.blocks.blocks[blockIndex].object.base
        guard let envelope = try block.envelope() else { return }
        let margin = try block.mitredBuffer(0.01)
        let neighbourSites = try shared.blocks.sites.indices.filter { try shared.blocks.sites[$0]?.intersects(block) ?? false }
        // The vertices of each sliced building's cell, from its Voronoi cells.
        var cellPoints: [Int: [XY]] = [:]
        if members.count + neighbourSites.count > 1 {
            cellPoints = try voronoiCut(block: blockIndex, envelope: envelope, margin: margin, members: members,
                                        neighbourSites: neighbourSites, shared)
        }
        // Slices of big buildings: cuts square across the footprint, then straight on or fanned out (see `SliceFan`).
        for local in members where shared.slices[local] > 1 {
            guard case .polygon(let rectangle) = try shared.footprints[local].minimumRotatedRectangle().geometry(),
                  let axis = CommunityTessellation.longAxis(of: rectangle.exterior) else { continue }
            // The cell the slices fan out in (clamped to the block's envelope).
            let cell = members.count == 1 && neighbourSites.isEmpty
                ? try block.geometry().polygons.flatMap(\.exterior)
                : (cellPoints[local] ?? []).map { XY(min(max($0.x, envelope.minX), envelope.maxX), min(max($0.y, envelope.minY), envelope.maxY)) }
            let households = shared.input.buildings[local].building.households
            let fan = SliceFan(axis: axis, count: shared.slices[local], footprint: rectangle.exterior, cell: cell,
                               splits: households > 2 * shared.gridMax)
            fans[local] = fan
            let reach = envelope.width + envelope.height + 10
            lines.append(try GEOSObject(.multiLineString(fan.lines(reach: reach)), context: shared.geos).intersection(margin))
            // The land of a building of several grids apart from its slices: the footprint's
            // rectangle parts them.
            if households > shared.gridMax {
                landApart.insert(local)
                lines.append(try GEOSObject(.lineString(rectangle.exterior), context: shared.geos).intersection(margin))
            }
        }
    }

    /// The Voronoi boundaries between the block's buildings (and the sites on its edge), added
    /// to `lines`; returns the vertices of each sliced building's cells.
    private mutating func voronoiCut(block blockIndex: Int, envelope: Envelope, margin: GEOSObject, members: [Int],
                                     neighbourSites: [Int], _ shared: Context) throws -> [Int: [XY]] {
        let (points, owners) = Self.samplePoints(members: members, neighbourSites: neighbourSites, shared)
        let index = SiteIndex(points, cell: CommunityTessellation.sampleStep * 2)
        samples[blockIndex] = index
        sampleOwners[blockIndex] = owners
        let expanded = envelope.expanded(by: 50)
        let clip = try GEOSObject(.polygon(Polygon(exterior: [XY(expanded.minX, expanded.minY), XY(expanded.maxX, expanded.minY),
                                                               XY(expanded.maxX, expanded.maxY), XY(expanded.minX, expanded.maxY),
                                                               XY(expanded.minX, expanded.minY)])), context: shared.geos)
        let cells = try GEOSObject(.multiPoint(points), context: shared.geos).voronoiDiagram(clip: clip).geometry().polygons
        // Keep the Voronoi edges between cells of different owners: the cell boundaries.
        var cellPoints: [Int: [XY]] = [:]
        var firstOwner: [SegmentKey: Int] = [:]
        var kept: [[XY]] = []
        for cell in cells {
            let ring = cell.exterior
            guard ring.count > 3, let site = index.site(inside: ring) else { continue }
            let owner = owners[site]
            if owner < shared.slices.count, shared.slices[owner] > 1 { cellPoints[owner, default: []] += ring }
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
            let boundaries = try GEOSObject(.multiLineString(kept), context: shared.geos).lineMerge().simplify(tolerance: 0.5)
            lines.append(try boundaries.intersection(margin))
        }
        return cellPoints
    }

    /// Points along the outlines of the sites on the block's edge (not where a building
    /// overlaps the site: the building keeps its footprint), then along each building's
    /// footprint: densely only along buildings that touch or nearly touch another.
    private static func samplePoints(members: [Int], neighbourSites: [Int], _ shared: Context) -> (points: [XY], owners: [Int]) {
        let buildings = shared.input.buildings
        var points: [XY] = []
        var owners: [Int] = []
        let memberFootprints = members.map { local in
            (envelope: buildings[local].building.geometry.envelope, rings: buildings[local].building.geometry.polygons.map(\.exterior))
        }
        for site in neighbourSites {
            for point in CommunityTessellation.samples(shared.blocks.siteOutlines[site]!, step: CommunityTessellation.sampleStep)
            where !memberFootprints.contains(where: { ($0.envelope?.contains(point) ?? false) && $0.rings.contains { PlaneMath.isInside(point, ring: $0) } }) {
                points.append(point)
                owners.append(buildings.count + site)
            }
        }
        let envelopes = members.map { buildings[$0].building.geometry.envelope }
        for (m, local) in members.enumerated() {
            let near = envelopes[m].map { own in
                let reach = own.expanded(by: CommunityTessellation.touching)
                return envelopes.indices.contains { $0 != m && (envelopes[$0]?.intersects(reach) ?? false) }
            } ?? false
            let step = near ? CommunityTessellation.sampleStep : CommunityTessellation.openSampleStep
            for point in CommunityTessellation.samples(buildings[local].building.geometry, step: step) {
                points.append(point)
                owners.append(local)
            }
        }
        return (points, owners)
    }
}
