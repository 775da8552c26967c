#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif
import DistrictModel

/// The sizes and densities the plan works to.
enum PlanRules {
    /// Households an urban block is planned for, per square metre inside its road centrelines.
    static let householdsPerSquareMetre = 0.015
    /// The household target of an urban community is kept within these bounds; the filled
    /// community lands within a few dozen households of its target, so inside [1,500, 5,000].
    static let minimumTarget = 1_800
    static let maximumTarget = 4_700
    /// A target is at most this share of what towers could hold on the community's housing land.
    static let capacityShare = 0.8
    /// Blocks smaller than this are merged with a neighbour into one community when one is free.
    static let smallBlockArea = 115_000.0
    static let maximumMergedArea = 260_000.0
    /// Arterial spacing, metres.
    static let superblockSide: ClosedRange<Double> = 800...1_200
    /// Superblocks of this side or more may be cut into three blocks instead of two.
    static let threeBlockSide = 1_000.0
}

/// A parcel: the land between the roads around it, less their setbacks.
struct PlannedParcel {
    /// Land that may be built on.
    var rect: PlanRect
    /// The centrelines of the four roads around it.
    var frame: PlanRect
    /// The class of the road on each side, by `Side.rawValue`.
    var roads: [RoadClass]
    var guaranteedTowerHouseholds: Int
}

/// A block: the land between arterial and secondary roads, cut into parcels by branch roads.
struct PlannedBlock {
    var frame: PlanRect
    var superblock: Int
    /// Its cell in the superblock's grid of blocks.
    var column: Int
    var row: Int
    var branchU: [Double]
    var branchV: [Double]
    var parcels: [PlannedParcel]
    /// The community it belongs to, once the plan is settled; nil for land left undeveloped.
    var community: Int?
}

/// A superblock: the land between four arterials, cut into 2-3 by 2-3 blocks by secondary roads.
struct PlannedSuperblock {
    var column: Int
    var row: Int
    /// Road lines from the western arterial to the eastern one, secondaries between.
    var us: [Double]
    /// Road lines from the southern arterial to the northern one.
    var vs: [Double]
    var firstBlock: Int
    var used = false

    var blockColumns: Int { us.count - 1 }
    var blockRows: Int { vs.count - 1 }
    func block(_ column: Int, _ row: Int) -> Int { firstBlock + row * blockColumns + column }
}

struct ParcelRef: Hashable {
    var block: Int
    var parcel: Int
}

/// An urban community as planned: blocks, parcels reserved for other uses, household target.
struct PlannedCommunity {
    var superblock: Int
    /// Block indices of each connected piece (one piece, or two for the mess's multipart community).
    var pieces: [[Int]]
    var street: Int
    /// 1-based, within the street.
    var sequence: Int
    var parcels: [ParcelRef]
    var dedicatedParcel: ParcelRef?
    var dedicatedKind: DedicatedSite.Kind = .other
    /// A parcel left out of the community as a lake: the hole of the mess's holed community.
    var lakeParcel: ParcelRef?
    /// What towers are sure to hold on the parcels left for housing.
    var capacity: Int
    var nominal: Double
    var target = 0

    var isMultipart: Bool { pieces.count > 1 }

    /// The largest number of households the community is given.
    var ceiling: Int { min(PlanRules.maximumTarget, Int(Double(capacity) * PlanRules.capacityShare)) }
    var floor: Int { min(PlanRules.minimumTarget, ceiling) }
}

/// The street plan of the urban area and the communities on it, in the local frame: arterials
/// at u = `columnsU`, v = `rowsV`; superblocks filled west to east, row by row from the south,
/// until the communities planned hold the urban household target.
struct CityPlan {
    var columnsU: [Double] = [0]
    var rowsV: [Double] = [0]
    var superblocks: [PlannedSuperblock] = []
    /// Superblock index by [row][column].
    var superblockAt: [[Int?]] = []
    var blocks: [PlannedBlock] = []
    var communities: [PlannedCommunity] = []
    var junctions = JunctionIndex()

    /// How often the mess kinds planned with the streets (holes, multipart communities) recur.
    struct MessQuota {
        var count: Int
        var spacing: Int
    }

    init(urbanHouseholds: Int, mess: MessQuota, rng: inout SeededRandom) {
        guard urbanHouseholds > 0 else {
            junctions.finish()
            return
        }
        let perSuperblock = 1_000_000 * PlanRules.householdsPerSquareMetre
        let columns = max(1, Int((Double(urbanHouseholds) / perSuperblock).squareRoot().rounded()))
        for _ in 0..<columns { columnsU.append(columnsU[columnsU.count - 1] + rng.uniform(PlanRules.superblockSide)) }

        var layout = Layout(mess: mess)
        var nominalSum = 0.0
        rows: for row in 0... {
            // The first row is tall enough for three blocks, so that even a small district can
            // hold the multipart community of the mess.
            let tall = row == 0 && mess.count > 0
            let height = rng.uniform(tall ? PlanRules.threeBlockSide...PlanRules.superblockSide.upperBound : PlanRules.superblockSide)
            rowsV.append(rowsV[row] + height)
            superblockAt.append(Array(repeating: nil, count: columns))
            for column in 0..<columns {
                let groups = addSuperblock(column: column, row: row, layout: &layout, rng: &rng)
                for group in groups {
                    let community = makeCommunity(group, superblock: superblocks.count - 1, layout: &layout, rng: &rng)
                    communities.append(community)
                    nominalSum += community.nominal
                    if nominalSum >= Double(urbanHouseholds) { break rows }
                }
            }
        }
        settleCount(urbanHouseholds: urbanHouseholds)
        for (index, community) in communities.enumerated() {
            for block in community.pieces.joined() {
                blocks[block].community = index
                superblocks[blocks[block].superblock].used = true
            }
        }
        allocateTargets(urbanHouseholds: urbanHouseholds)
        indexJunctions()
    }

    // MARK: - Superblocks, blocks, parcels

    /// Counters that run across superblocks while the plan is laid out.
    private struct Layout {
        var mess: MessQuota
        var multipartsPlanned = 0
        var nextMultipartAt = 0
        var lakesPlanned = 0
        var nextLakeAt = 1
        var communitiesSinceDedicated = 0
        var streetSequence: [Int] = []
    }

    /// Lays out superblock (`column`, `row`) and returns its cells grouped into communities
    /// (each group a list of pieces, each piece a list of block indices), in plan order.
    private mutating func addSuperblock(column: Int, row: Int, layout: inout Layout, rng: inout SeededRandom) -> [[[Int]]] {
        let frame = PlanRect(minU: columnsU[column], minV: rowsV[row], maxU: columnsU[column + 1], maxV: rowsV[row + 1])
        var blockColumns = frame.width >= PlanRules.threeBlockSide && rng.chance(0.5) ? 3 : 2
        var blockRows = frame.height >= PlanRules.threeBlockSide && rng.chance(0.5) ? 3 : 2
        var multipartAxis: Side?
        if layout.multipartsPlanned < layout.mess.count, communities.count >= layout.nextMultipartAt {
            if frame.height >= PlanRules.threeBlockSide {
                blockRows = 3
                multipartAxis = .north
            } else if frame.width >= PlanRules.threeBlockSide {
                blockColumns = 3
                multipartAxis = .east
            }
        }
        let us = Self.split(frame.minU, frame.maxU, parts: blockColumns, jitter: 0.06, rng: &rng)
        let vs = Self.split(frame.minV, frame.maxV, parts: blockRows, jitter: 0.06, rng: &rng)
        let index = superblocks.count
        let superblock = PlannedSuperblock(column: column, row: row, us: us, vs: vs, firstBlock: blocks.count)
        superblocks.append(superblock)
        superblockAt[row][column] = index

        for j in 0..<blockRows {
            for i in 0..<blockColumns {
                let blockFrame = PlanRect(minU: us[i], minV: vs[j], maxU: us[i + 1], maxV: vs[j + 1])
                var roads = [RoadClass](repeating: .secondary, count: 4)
                if j == 0 { roads[Side.south.rawValue] = .arterial }
                if i == blockColumns - 1 { roads[Side.east.rawValue] = .arterial }
                if j == blockRows - 1 { roads[Side.north.rawValue] = .arterial }
                if i == 0 { roads[Side.west.rawValue] = .arterial }
                let branchU = Self.split(blockFrame.minU, blockFrame.maxU, parts: Self.branchParts(blockFrame.width), jitter: 0.05, rng: &rng)
                let branchV = Self.split(blockFrame.minV, blockFrame.maxV, parts: Self.branchParts(blockFrame.height), jitter: 0.05, rng: &rng)
                let interiorU = Array(branchU.dropFirst().dropLast()), interiorV = Array(branchV.dropFirst().dropLast())
                blocks.append(PlannedBlock(frame: blockFrame, superblock: index, column: i, row: j, branchU: interiorU, branchV: interiorV,
                                           parcels: Self.parcels(frame: blockFrame, roads: roads, lineU: branchU, lineV: branchV), community: nil))
            }
        }
        return group(superblock, multipartAxis: multipartAxis, layout: &layout, rng: &rng)
    }

    /// Lines from `a` to `b` cutting it into `parts` nearly equal parts, both ends included.
    private static func split(_ a: Double, _ b: Double, parts: Int, jitter: Double, rng: inout SeededRandom) -> [Double] {
        let step = (b - a) / Double(parts)
        var lines = [a]
        for k in 1..<max(parts, 1) { lines.append(a + step * Double(k) + rng.uniform(-jitter...jitter) * step) }
        lines.append(b)
        return lines
    }

    /// Branch roads cut a block side into parts of about 165-330 m.
    private static func branchParts(_ side: Double) -> Int { max(1, min(3, Int(side / 165))) }

    private static func parcels(frame: PlanRect, roads: [RoadClass], lineU: [Double], lineV: [Double]) -> [PlannedParcel] {
        var parcels: [PlannedParcel] = []
        for b in 0..<(lineV.count - 1) {
            for a in 0..<(lineU.count - 1) {
                var sides = [RoadClass](repeating: .branch, count: 4)
                if b == 0 { sides[Side.south.rawValue] = roads[Side.south.rawValue] }
                if a == lineU.count - 2 { sides[Side.east.rawValue] = roads[Side.east.rawValue] }
                if b == lineV.count - 2 { sides[Side.north.rawValue] = roads[Side.north.rawValue] }
                if a == 0 { sides[Side.west.rawValue] = roads[Side.west.rawValue] }
                let parcelFrame = PlanRect(minU: lineU[a], minV: lineV[b], maxU: lineU[a + 1], maxV: lineV[b + 1])
                let rect = parcelFrame.inset(south: StreetProfile.setback(sides[0]), east: StreetProfile.setback(sides[1]),
                                             north: StreetProfile.setback(sides[2]), west: StreetProfile.setback(sides[3]))
                parcels.append(PlannedParcel(rect: rect, frame: parcelFrame, roads: sides,
                                             guaranteedTowerHouseholds: BuildingType.guaranteedTowerHouseholds(on: rect)))
            }
        }
        return parcels
    }

    // MARK: - Communities

    /// Groups the blocks of `superblock` into communities: one block each, a small block with a
    /// free neighbour (two blocks, sometimes an L of three), and for the mess a row of three
    /// blocks whose outer two form one community in two pieces around the middle one.
    private func group(_ superblock: PlannedSuperblock, multipartAxis: Side?, layout: inout Layout, rng: inout SeededRandom) -> [[[Int]]] {
        let kx = superblock.blockColumns, ky = superblock.blockRows
        var owner = [Int?](repeating: nil, count: kx * ky)
        var groups: [[[Int]]] = []
        func cell(_ i: Int, _ j: Int) -> Int { j * kx + i }
        func area(_ c: Int) -> Double { blocks[superblock.firstBlock + c].frame.area }

        if let axis = multipartAxis {
            let pieces: [[Int]], middle: Int
            if axis == .north {
                let i = rng.int(0...(kx - 1))
                pieces = [[cell(i, 0)], [cell(i, 2)]]
                middle = cell(i, 1)
            } else {
                let j = rng.int(0...(ky - 1))
                pieces = [[cell(0, j)], [cell(2, j)]]
                middle = cell(1, j)
            }
            groups.append(pieces)
            groups.append([[middle]])
            for c in pieces.joined() { owner[c] = 0 }
            owner[middle] = 1
        }
        for j in 0..<ky {
            for i in 0..<kx where owner[cell(i, j)] == nil {
                let c = cell(i, j)
                var piece = [c]
                let small = area(c) < PlanRules.smallBlockArea
                if small || rng.chance(0.08) {
                    var free: [Int] = []
                    if i + 1 < kx, owner[cell(i + 1, j)] == nil { free.append(cell(i + 1, j)) }
                    if j + 1 < ky, owner[cell(i, j + 1)] == nil { free.append(cell(i, j + 1)) }
                    free = free.filter { area(c) + area($0) <= PlanRules.maximumMergedArea }
                    if !free.isEmpty {
                        let first = free[rng.int(0...(free.count - 1))]
                        piece.append(first)
                        // Sometimes three small blocks in an L: the cell, its east and its north neighbour.
                        if small, free.count == 2, free.allSatisfy({ area($0) < PlanRules.smallBlockArea }), rng.chance(0.3) {
                            piece = [c] + free
                        }
                    }
                }
                for member in piece { owner[member] = groups.count }
                groups.append([piece])
            }
        }
        // Communities are numbered in the order of their first block, row by row from the south-west.
        let ordered = groups.sorted { ($0.joined().min() ?? 0) < ($1.joined().min() ?? 0) }
        return ordered.map { $0.map { $0.map { superblock.firstBlock + $0 } } }
    }

    private mutating func makeCommunity(_ pieces: [[Int]], superblock index: Int, layout: inout Layout,
                                        rng: inout SeededRandom) -> PlannedCommunity {
        let superblock = superblocks[index]
        let streetsPerRow = (columnsU.count) / 2
        let street = superblock.row * streetsPerRow + superblock.column / 2
        while layout.streetSequence.count <= street { layout.streetSequence.append(0) }
        layout.streetSequence[street] += 1

        var parcels: [ParcelRef] = []
        var area = 0.0
        for block in pieces.joined() {
            area += blocks[block].frame.area
            for p in blocks[block].parcels.indices { parcels.append(ParcelRef(block: block, parcel: p)) }
        }
        func parcel(_ ref: ParcelRef) -> PlannedParcel { blocks[ref.block].parcels[ref.parcel] }
        func capacity(excluding excluded: [ParcelRef]) -> Int {
            parcels.filter { !excluded.contains($0) }.reduce(0) { $0 + parcel($1).guaranteedTowerHouseholds }
        }
        func roomFor(_ excluded: [ParcelRef]) -> Bool {
            Double(capacity(excluding: excluded)) * PlanRules.capacityShare >= Double(PlanRules.minimumTarget)
        }
        var reserved: [ParcelRef] = []

        // A school, mall, enterprise or hospital every few communities, on the largest parcel.
        var dedicatedParcel: ParcelRef?
        var dedicatedKind = DedicatedSite.Kind.other
        if parcels.count >= 2, layout.communitiesSinceDedicated >= 3 || rng.chance(0.3),
           let site = parcels.filter({ parcel($0).rect.shortSide >= 120 }).max(by: { parcel($0).rect.area < parcel($1).rect.area }),
           roomFor([site]) {
            dedicatedParcel = site
            dedicatedKind = rng.weighted([(.school, 0.4), (.enterprise, 0.25), (.mall, 0.2), (.hospital, 0.15)])
            reserved.append(site)
            layout.communitiesSinceDedicated = 0
        } else {
            layout.communitiesSinceDedicated += 1
        }

        // The mess: a lake cut out of the community.
        var lakeParcel: ParcelRef?
        if layout.lakesPlanned < layout.mess.count, communities.count >= layout.nextLakeAt, parcels.count - reserved.count >= 2,
           let lake = parcels.filter({ !reserved.contains($0) && parcel($0).rect.shortSide >= 80 })
            .min(by: { parcel($0).rect.area < parcel($1).rect.area }),
           roomFor(reserved + [lake]) {
            lakeParcel = lake
            reserved.append(lake)
            layout.lakesPlanned += 1
            layout.nextLakeAt = communities.count + layout.mess.spacing
        }
        if pieces.count > 1 {
            layout.multipartsPlanned += 1
            layout.nextMultipartAt = communities.count + layout.mess.spacing
        }

        var community = PlannedCommunity(superblock: index, pieces: pieces, street: street, sequence: layout.streetSequence[street],
                                         parcels: parcels, dedicatedParcel: dedicatedParcel, dedicatedKind: dedicatedKind,
                                         lakeParcel: lakeParcel, capacity: capacity(excluding: reserved), nominal: 0)
        let nominal = area * PlanRules.householdsPerSquareMetre * rng.uniform(0.85...1.15)
        // At least one household, so that the layout loop always advances.
        community.nominal = max(min(max(nominal, Double(community.floor)), Double(community.ceiling)), 1)
        return community
    }

    // MARK: - Household targets

    /// Keeps the last community only if the targets can then come nearer the total, or as near
    /// with less stretching of the nominal targets.
    private mutating func settleCount(urbanHouseholds total: Int) {
        guard communities.count > 1 else { return }
        func score(_ list: ArraySlice<PlannedCommunity>) -> (miss: Int, stretch: Double) {
            // A lone community takes whatever is asked, up to its ceiling (`allocateTargets`).
            let floors = list.count == 1 ? 0 : list.reduce(0) { $0 + $1.floor }
            let ceilings = list.reduce(0) { $0 + $1.ceiling }
            let nominal = list.reduce(0.0) { $0 + $1.nominal }
            return (abs(min(max(total, floors), ceilings) - total), abs(log(Double(total) / nominal)))
        }
        if score(communities.dropLast()) < score(communities[...]) { communities.removeLast() }
    }

    /// Scales the nominal targets by one factor, each clamped to its community's bounds, so that
    /// they sum to `total` (bisection on the factor; then whole households).
    private mutating func allocateTargets(urbanHouseholds total: Int) {
        guard !communities.isEmpty else { return }
        if communities.count == 1 {
            communities[0].target = min(total, max(communities[0].ceiling, 1))
            return
        }
        func clamped(_ c: PlannedCommunity, _ factor: Double) -> Double {
            min(max(c.nominal * factor, Double(c.floor)), Double(c.ceiling))
        }
        var low = 0.0, high = 16.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            let sum = communities.reduce(0.0) { $0 + clamped($1, mid) }
            if sum < Double(total) { low = mid } else { high = mid }
        }
        for index in communities.indices { communities[index].target = Int(clamped(communities[index], high).rounded()) }
        var residual = total - communities.reduce(0) { $0 + $1.target }
        var index = 0, idle = 0
        while residual != 0, idle < communities.count {
            let step = residual > 0 ? 1 : -1
            let next = communities[index].target + step
            if next >= communities[index].floor, next <= communities[index].ceiling {
                communities[index].target = next
                residual -= step
                idle = 0
            } else {
                idle += 1
            }
            index = (index + 1) % communities.count
        }
    }

    // MARK: - Junctions and outlines

    private mutating func indexJunctions() {
        for superblock in superblocks {
            for u in superblock.us {
                for v in superblock.vs { junctions.add(PlanPoint(u, v)) }
            }
        }
        for block in blocks where block.community != nil {
            for u in block.branchU {
                junctions.add(PlanPoint(u, block.frame.minV))
                junctions.add(PlanPoint(u, block.frame.maxV))
            }
            for v in block.branchV {
                junctions.add(PlanPoint(block.frame.minU, v))
                junctions.add(PlanPoint(block.frame.maxU, v))
            }
        }
        junctions.finish()
    }

    /// The rings of a community's pieces, each exterior counter-clockwise with a vertex at every
    /// junction on it, followed by the lake hole (clockwise) in the piece holding the lake.
    func outline(of community: PlannedCommunity) -> [[[PlanPoint]]] {
        let superblock = superblocks[community.superblock]
        return community.pieces.map { piece in
            let cells = piece.map { (blocks[$0].column, blocks[$0].row) }
            let lattice = Self.trace(cells)
            let exterior = junctions.densified(lattice.map { PlanPoint(superblock.us[$0.0], superblock.vs[$0.1]) })
            var rings = [exterior]
            if let lake = community.lakeParcel, piece.contains(lake.block) {
                rings.append(Self.lakeRing(in: blocks[lake.block].parcels[lake.parcel].rect))
            }
            return rings
        }
    }

    /// The boundary of a set of grid cells (a polyomino without pinch points: one cell, two, or
    /// an L of three) as lattice vertices, counter-clockwise, closed.
    static func trace(_ cells: [(Int, Int)]) -> [(Int, Int)] {
        typealias Edge = (Int, Int, Int, Int)
        var edges: [Edge] = []
        for (i, j) in cells {
            edges += [(i, j, i + 1, j), (i + 1, j, i + 1, j + 1), (i + 1, j + 1, i, j + 1), (i, j + 1, i, j)]
        }
        let boundary = edges.filter { e in !edges.contains { $0 == (e.2, e.3, e.0, e.1) } }
        guard let start = boundary.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return [] }
        var ring = [(start.0, start.1)]
        var current = start
        while true {
            ring.append((current.2, current.3))
            guard let next = boundary.first(where: { $0.0 == current.2 && $0.1 == current.3 }), !(next == start) else { break }
            current = next
        }
        return ring
    }

    /// A lake: an octagon 10 m inside the parcel, clockwise (a hole).
    static func lakeRing(in rect: PlanRect) -> [PlanPoint] {
        let r = rect.inset(10), c = 0.3 * r.shortSide
        let ccw = [PlanPoint(r.minU + c, r.minV), PlanPoint(r.maxU - c, r.minV), PlanPoint(r.maxU, r.minV + c), PlanPoint(r.maxU, r.maxV - c),
                   PlanPoint(r.maxU - c, r.maxV), PlanPoint(r.minU + c, r.maxV), PlanPoint(r.minU, r.maxV - c), PlanPoint(r.minU, r.minV + c)]
        return (ccw + [ccw[0]]).reversed()
    }

    /// The northern edge of the highest row holding a community.
    var topV: Double {
        let rows = superblocks.filter(\.used).map(\.row)
        return rowsV[(rows.max() ?? 0) + 1]
    }

    var urbanExtent: PlanRect {
        PlanRect(minU: columnsU[0], minV: rowsV[0], maxU: columnsU[columnsU.count - 1], maxV: rowsV.count > 1 ? topV : rowsV[0])
    }
}
