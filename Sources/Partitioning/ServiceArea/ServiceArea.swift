import DistrictModel
import Foundation
import GeometryEngine
import GridLookup

/// The service area of a grid (`data.md`): the shops and the stretches of road a grid worker
/// answers for. Every shop and every metre of road inside the district goes to exactly one grid;
/// what lies outside every community is reported, never dropped.
///
/// ## Shops
/// - A point shop belongs to the grid and micro-grid that `GridIndex` answers for it on the
///   written grids (the same half-open boundary rule as `gridweave locate` and the server: a
///   shop on a boundary goes to the grid that holds the point nudged east, then north).
/// - A polygon shop belongs to the grid holding most of its area, and to that grid's micro-grid
///   holding most of it (ties to the lower code).
///
/// ## Roads
/// Roads are cut where they cross a grid boundary and where a boundary joins or leaves them.
/// A piece inside a grid is that grid's. A stretch running along a boundary that two grids share
/// (grids follow roads, so most streets are such a boundary; a stretch is a road's longest run
/// along the same two grids) is given whole to one of the two: stretches are taken in order of
/// the pair's codes, then road id and position along the road, and each goes to the grid of the
/// pair that has so far been given less of their common street (ties: the one with less road in
/// all, then the lower code). So the street between two grids is shared out between them,
/// stretch by stretch, never left to neither nor claimed by both, and no grid worker gets a
/// checkerboard of bits. Where three or more grids meet, the stretch goes to the one with the
/// least road. "Along" means within 1 cm. Lengths are metres in the working CRS.
enum ServiceArea {
    /// Cuts `roads` (in the working CRS, as the partition's grids are) at grid boundaries and
    /// gives every piece to one grid: fills `roadAssignments`, each grid's `roadMetres`, the
    /// statistics, and a finding for each road with a stretch outside every community.
    static func attachRoads(_ roads: [Road], to partition: inout Partition, threads: Int) {
        guard !roads.isEmpty, !partition.grids.isEmpty else {
            for road in roads {
                let metres = road.geometry.lineStrings.reduce(0) { $0 + PlaneMath.length($1) }
                guard metres > 0 else { continue }
                partition.statistics.roadMetresOutside += metres
                partition.findings.append(outsideFinding(road, metres: metres))
            }
            return
        }
        let pieces = split(roads, at: partition.grids.map(\.geometry), threads: threads)
        var shares = RoadShares(pieces, grids: partition.grids.count, roads: roads.count)
        shares.giveShared(in: roads)
        partition.roadAssignments = shares.assignments(roads: roads, grids: partition.grids)
        for g in partition.grids.indices { partition.grids[g].roadMetres = shares.total[g] }
        partition.statistics.roadMetresAssigned = shares.total.reduce(0, +)
        partition.statistics.roadMetresShared = shares.shared.reduce(0) { $0 + pieces[$1].length }
        partition.statistics.roadMetresOutside = shares.outside.reduce(0, +)
        for (r, metres) in shares.outside.enumerated() where metres >= 0.01 {
            partition.findings.append(outsideFinding(roads[r], metres: metres))
        }
    }

    private static func outsideFinding(_ road: Road, metres: Double) -> PartitionFinding {
        PartitionFinding(.unassignedRoad, featureID: road.id, detail: String(format: "%.0f m outside every community (in no grid)", metres))
    }

    /// `roads` cut at the boundaries of `grids`, on `threads` threads, in road order.
    private static func split(_ roads: [Road], at grids: [Geometry], threads: Int) -> [RoadSplitter.Piece] {
        let splitter = RoadSplitter(grids: grids)
        let chunks = max(1, min(threads, roads.count))
        let results = ResultBox<[RoadSplitter.Piece]>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { _ in
            while let chunk = results.next() {
                var pieces: [RoadSplitter.Piece] = []
                for r in (roads.count * chunk / chunks)..<(roads.count * (chunk + 1) / chunks) {
                    pieces += splitter.pieces(of: roads[r].geometry, road: r)
                }
                _ = results.store(.success(pieces), at: chunk)
            }
        }
        return results.all().flatMap { (try? $0.get()) ?? [] }
    }

    /// Who owns each piece of road: a piece inside a grid is that grid's; a stretch along a
    /// boundary waits in `shared` for `giveShared`; what lies outside every grid is counted
    /// per road.
    private struct RoadShares {
        let pieces: [RoadSplitter.Piece]
        /// Metres given to each grid so far.
        var total: [Double]
        /// The same in whole decimetres, summed piece by piece: what the sharing decides on, so
        /// that a fraction of a millimetre (the working coordinates' rounding, a file's round
        /// trip) does not turn a tie, and a re-partition shares the street as the partition did.
        var weighed: [Int]
        var owner: [Int?]
        /// Metres of each road outside every grid.
        var outside: [Double]
        /// Pieces along a boundary of two grids or more.
        var shared: [Int] = []

        init(_ pieces: [RoadSplitter.Piece], grids: Int, roads: Int) {
            self.pieces = pieces
            total = [Double](repeating: 0, count: grids)
            weighed = [Int](repeating: 0, count: grids)
            owner = [Int?](repeating: nil, count: pieces.count)
            outside = [Double](repeating: 0, count: roads)
            for (p, piece) in pieces.enumerated() {
                switch piece.place {
                case .interior(let g):
                    owner[p] = g
                    total[g] += piece.length
                    weighed[g] += Self.decimetres(piece.length)
                case .shared:
                    shared.append(p)
                case .outside:
                    outside[piece.road] += piece.length
                }
            }
        }

        /// The grids piece `p` runs along the boundary of.
        func candidates(_ p: Int) -> [Int] {
            if case .shared(let grids) = pieces[p].place { return grids }
            return []
        }

        /// Gives every shared stretch to one of its grids (see `ServiceArea`, "Roads"): in order
        /// of the grids' codes, road id and position along the road; between two grids, to the
        /// one given less of their common street so far, else less road in all, else the lower;
        /// among more, to the one with the least road.
        mutating func giveShared(in roads: [Road]) {
            shared = shared.sorted { a, b in
                let ca = candidates(a), cb = candidates(b)
                if ca != cb { return ca.lexicographicallyPrecedes(cb) }
                let ra = roads[pieces[a].road].id, rb = roads[pieces[b].road].id
                if ra != rb { return ra < rb }
                if pieces[a].part != pieces[b].part { return pieces[a].part < pieces[b].part }
                return pieces[a].start < pieces[b].start
            }
            struct Pair: Hashable { var grid: Int, other: Int }
            var given: [Pair: Int] = [:]
            for p in shared {
                let grids = candidates(p)
                let chosen: Int
                if grids.count == 2 {
                    let g = grids[0], h = grids[1]
                    let gotG = given[Pair(grid: g, other: h), default: 0], gotH = given[Pair(grid: h, other: g), default: 0]
                    if gotG != gotH {
                        chosen = gotG < gotH ? g : h
                    } else {
                        chosen = weighed[h] < weighed[g] ? h : g
                    }
                    given[Pair(grid: chosen, other: chosen == g ? h : g), default: 0] += Self.decimetres(pieces[p].length)
                } else {
                    chosen = grids.min { weighed[$0] < weighed[$1] || (weighed[$0] == weighed[$1] && $0 < $1) } ?? grids[0]
                }
                owner[p] = chosen
                total[chosen] += pieces[p].length
                weighed[chosen] += Self.decimetres(pieces[p].length)
            }
        }

        /// `metres` in whole decimetres.
        static func decimetres(_ metres: Double) -> Int { Int((metres * 10).rounded()) }

        /// A row for every owned piece, by grid, then road id and position along the road.
        func assignments(roads: [Road], grids: [Grid]) -> [RoadAssignment] {
            var assigned: [(grid: Int, piece: Int)] = []
            for (p, g) in owner.enumerated() { if let g { assigned.append((g, p)) } }
            assigned.sort { a, b in
                if a.grid != b.grid { return a.grid < b.grid }
                let pa = pieces[a.piece], pb = pieces[b.piece]
                if roads[pa.road].id != roads[pb.road].id { return roads[pa.road].id < roads[pb.road].id }
                if pa.part != pb.part { return pa.part < pb.part }
                return pa.start < pb.start
            }
            return assigned.map { grid, p in
                RoadAssignment(roadID: roads[pieces[p].road].id, gridCode: grids[grid].code,
                               lengthMetres: pieces[p].length, geometry: .lineString(pieces[p].points))
            }
        }
    }

    /// Gives every shop to a grid and a micro-grid: fills `shopAssignments`, each grid's `shops`,
    /// the statistics, and a finding for each shop outside every community.
    /// - Parameters:
    ///   - shops: in the partition's CRS (the district's), for point shops.
    ///   - metricShops: the same shops in the working CRS, for the areas of polygon shops.
    ///   - metricGrids: the partition's grids in the working CRS, in the same order.
    /// - Throws: `GeometryError` when GEOS fails on a polygon shop, `ProjectionError` when the
    ///   lookup index cannot measure in the partition's CRS.
    static func attachShops(_ shops: [Shop], metricShops: [Shop], to partition: inout Partition, metricGrids: [Grid]) throws {
        guard !shops.isEmpty else { return }
        let lookup = try shops.contains { if case .point = $0.geometry { true } else { false } } ? index(partition) : nil
        let context = GEOSContext()
        let metricIndex = EnvelopeIndex(metricGrids.map { $0.geometry.envelope ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0) })
        var rows: [ShopAssignment] = []
        for (shop, metricShop) in zip(shops, metricShops) {
            var place: (grid: Int, micro: Int?)?
            switch shop.geometry {
            case .point(let point):
                if let lookup {
                    let found = lookup.index.locate(point, tolerance: 0)
                    if found.status == .inside, let grid = found.grid {
                        place = (grid, found.microGrid.map { lookup.microGridIndex[$0] })
                    }
                }
            default:
                place = try largestShare(metricShop.geometry, grids: metricGrids, index: metricIndex, context: context)
            }
            guard let place else {
                partition.statistics.shopsOutside += 1
                partition.findings.append(PartitionFinding(.unassignedShop, featureID: shop.id, detail: "outside every community (in no grid)"))
                continue
            }
            let grid = partition.grids[place.grid]
            partition.grids[place.grid].shops += 1
            partition.statistics.shopsAssigned += 1
            rows.append(ShopAssignment(shopID: shop.id, gridCode: grid.code,
                                       microGridCode: place.micro.map { grid.microGrids[$0].code } ?? ""))
        }
        partition.shopAssignments = rows
    }

    /// A lookup index over the partition's grids and micro-grids, and for each of its
    /// micro-grids the position within its grid.
    private static func index(_ partition: Partition) throws -> (index: GridIndex, microGridIndex: [Int]) {
        let grids = partition.grids.map { GridIndex.Grid(code: $0.code, communityCode: $0.communityCode, kind: $0.kind.rawValue) }
        var micro: [GridIndex.MicroGrid] = []
        var microGeometries: [Geometry] = []
        var position: [Int] = []
        for grid in partition.grids {
            for (m, microGrid) in grid.microGrids.enumerated() {
                micro.append(GridIndex.MicroGrid(code: microGrid.code, gridCode: grid.code))
                microGeometries.append(microGrid.geometry)
                position.append(m)
            }
        }
        let index = try GridIndex(grids: grids, gridGeometries: partition.grids.map(\.geometry), microGrids: micro,
                                  microGridGeometries: microGeometries, epsg: partition.epsg)
        return (index, position)
    }

    /// The grid holding most of `geometry`'s area, and its micro-grid holding most of it.
    private static func largestShare(_ geometry: Geometry, grids: [Grid], index: EnvelopeIndex,
                                     context: GEOSContext) throws -> (grid: Int, micro: Int?)? {
        guard let envelope = geometry.envelope else { return nil }
        let raw = try GEOSObject(geometry, context: context)
        let shop = try raw.isValid() ? raw : raw.makeValid()
        func best(_ candidates: [(Int, Geometry)]) throws -> Int? {
            var found: (index: Int, area: Double)?
            for (index, candidate) in candidates {
                let area = try shop.intersection(GEOSObject(candidate, context: context)).area()
                if area > 0, area > (found?.area ?? 0) { found = (index, area) }
            }
            return found?.index
        }
        guard let grid = try best(index.query(envelope).map { ($0, grids[$0].geometry) }) else { return nil }
        let micro = try best(grids[grid].microGrids.enumerated().compactMap { m, microGrid in
            microGrid.geometry.envelope?.intersects(envelope) == true ? (m, microGrid.geometry) : nil
        })
        return (grid, micro ?? (grids[grid].microGrids.isEmpty ? nil : 0))
    }
}
