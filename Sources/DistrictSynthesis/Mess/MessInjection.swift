/// The faults of real data that a synthetic city carries when asked (`Options.includeMess`),
/// placed where they disturb nothing else:
///
/// - a straddling walk-up lies across the secondary road between two blocks of different
///   communities, in the band no other building uses: 8 m of its 12 m depth on the side of the
///   community it belongs to (two thirds of its area), the rest in the neighbour;
/// - a bow-tie footprint is an ordinary residential building whose ring visits its corners in
///   the order that makes it cross itself;
/// - a holed community has a lake (an octagon inside one of its parcels) cut out of it; the
///   lake belongs to no community and holds nothing;
/// - a multipart community is the two outer blocks of a row of three, around a community of
///   its own in the middle;
/// - an outside building (a walk-up of 12 households) stands 90 m south of the southern
///   arterial, clear of every community and village.
enum MessInjection {
    /// Households of each straddling and each outside building.
    static let straddlerHouseholds = 20
    static let outsideHouseholds = 12

    /// Where a straddling building can go: across the secondary line `u` between block `west`
    /// and block `east` (of different communities), centred at `v`.
    struct StraddleSite {
        var west: Int
        var east: Int
        var u: Double
        var v: Double
    }

    /// Every place a straddling building can go, superblock by superblock.
    static func straddleSites(in plan: CityPlan) -> [StraddleSite] {
        var sites: [StraddleSite] = []
        for superblock in plan.superblocks where superblock.used {
            for j in 0..<superblock.blockRows {
                for i in 0..<(superblock.blockColumns - 1) {
                    let west = superblock.block(i, j), east = superblock.block(i + 1, j)
                    guard let a = plan.blocks[west].community, let b = plan.blocks[east].community, a != b else { continue }
                    let frame = plan.blocks[west].frame
                    // Clear of the roads ending on the secondary (branch roads, 6 m half-width,
                    // and the roads at the block corners): the 28 m building centred at least
                    // 25 m from a branch road and 50 m from a corner.
                    let low = frame.minV + 25, high = frame.maxV - 25
                    let branches = (plan.blocks[west].branchV + plan.blocks[east].branchV).filter { $0 > low && $0 < high }
                    let cuts = [low] + branches.sorted() + [high]
                    var best: (length: Double, v: Double)?
                    for (low, high) in zip(cuts, cuts.dropFirst()) {
                        let from = low + 25, to = high - 25
                        if to >= from, to - from > (best?.length ?? -1) { best = (to - from, (from + to) / 2) }
                    }
                    if let best { sites.append(StraddleSite(west: west, east: east, u: frame.maxU, v: best.v)) }
                }
            }
        }
        return sites
    }

    /// `count` items of `items` spread evenly through it.
    static func spread<T>(_ items: [T], count: Int) -> [T] {
        guard !items.isEmpty, count > 0 else { return [] }
        let count = min(count, items.count)
        return (0..<count).map { items[(2 * $0 + 1) * items.count / (2 * count)] }
    }

    /// The straddling building at `site`: most of it in the west block's community when
    /// `westMajority`, else in the east block's.
    static func straddler(at site: StraddleSite, westMajority: Bool, plan: CityPlan) -> DraftBuilding {
        let shift = westMajority ? -2.0 : 2.0
        let owner = westMajority ? plan.blocks[site.west].community : plan.blocks[site.east].community
        return DraftBuilding(center: PlanPoint(site.u + shift, site.v), halfU: 6, halfV: 14, households: straddlerHouseholds,
                             units: 2, floors: 5, kind: "residential", compound: nil, community: owner)
    }

    /// Outside building `index` of `count`, south of the urban area `extent`.
    static func outsider(_ index: Int, of count: Int, extent: PlanRect) -> DraftBuilding {
        let u = extent.minU + extent.width * Double(index + 1) / Double(count + 1)
        return DraftBuilding(center: PlanPoint(u, extent.minV - 90), halfU: 14, halfV: 5.5, households: outsideHouseholds,
                             units: 2, floors: 3, kind: "residential", compound: nil, community: nil)
    }
}
