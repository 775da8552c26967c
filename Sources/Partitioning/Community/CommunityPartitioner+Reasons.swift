import DistrictModel
import GeometryEngine

extension CommunityPartitioner {
    /// A dedicated site's cell in a street block is land without households: balancing gives it
    /// to a region as any land, so that regions can pass round the site through it. Then the
    /// site's grid takes each such piece that touches the site (or a piece it took) where the
    /// region stays one piece without it: a grid beside a school then wraps no ring round its
    /// footprint where it need not.
    /// Returns the faces each site took; `drafts` lose them.
    func takeSiteCells(_ drafts: inout [Draft], owners: [FaceOwner], facePiece: [Int], tessellation: CommunityTessellation,
                               context: GEOSContext) throws -> [Int: [Int]] {
        let faces = tessellation.faces
        var taken: [Int: [Int]] = [:]
        var takenFace: [Int: Int] = [:]
        for d in drafts.indices where drafts[d].kind != .dedicated {
            var changed = true
            while changed {
                changed = false
                for p in drafts[d].pieces {
                    guard case .siteCell(let site, _) = owners[p] else { continue }
                    let pieceFaces = drafts[d].faces.filter { facePiece[$0] == p }
                    let touches = pieceFaces.contains { f in
                        tessellation.edges[f].contains { faces[$0.face].owner == .site(site) || takenFace[$0.face] == site }
                    }
                    guard touches else { continue }
                    let rest = drafts[d].faces.filter { facePiece[$0] != p }
                    guard try rest.isEmpty || Self.connectedParts(rest, tessellation: tessellation, context: context).count == 1 else { continue }
                    drafts[d].faces = rest
                    drafts[d].pieces.removeAll { $0 == p }
                    taken[site, default: []] += pieceFaces
                    for f in pieceFaces { takenFace[f] = site }
                    changed = true
                    break
                }
            }
        }
        drafts.removeAll { $0.faces.isEmpty }
        return taken
    }

    // MARK: Groups that must stay together

    /// At grid level: a compound that fits in a grid, else a building that fits, else each slice.
    func gridGroups(owners: [FaceOwner]) -> (group: [Int], count: Int) {
        var compoundHouseholds: [String: Int] = [:]
        for entry in input.buildings { if let c = entry.building.compound { compoundHouseholds[c, default: 0] += entry.building.households } }
        var keys: [String: Int] = [:]
        var group: [Int] = []
        for (p, owner) in owners.enumerated() {
            var key = "p\(p)"
            if case .building(let b, _) = owner {
                let building = input.buildings[b].building
                if let c = building.compound, compoundHouseholds[c]! <= options.gridMax {
                    key = "c" + c
                } else if building.households <= options.gridMax {
                    key = "b\(b)"
                }
            }
            if let existing = keys[key] { group.append(existing) } else { keys[key] = keys.count; group.append(keys.count - 1) }
        }
        return (group, keys.count)
    }

    /// At micro-grid level: a building that fits in a micro-grid, else each slice.
    func microGroups(_ pieces: [Int], members: [[Member]]) -> (group: [Int], count: Int) {
        var keys: [String: Int] = [:]
        var group: [Int] = []
        for p in pieces {
            var key = "p\(p)"
            if let first = members[p].first, members[p].count == 1 {
                let building = input.buildings[first.building].building
                if building.households <= options.microMax { key = "b\(first.building)" }
            }
            if let existing = keys[key] { group.append(existing) } else { keys[key] = keys.count; group.append(keys.count - 1) }
        }
        return (group, keys.count)
    }

    // MARK: Land without households, and reasons

    /// A residential or rural grid without households is land no region reached (a strip
    /// between two carriageways, a scrap between a dedicated site and the community's edge): it
    /// joins the grid it shares the longest boundary with (one with households first), across a
    /// road or not, dedicated grids included, as land without households does inside a region.
    static func absorbEmptyDrafts(_ drafts: inout [Draft], tessellation: CommunityTessellation) {
        while true {
            var draftOf: [Int: Int] = [:]
            for (d, draft) in drafts.enumerated() { for f in draft.faces { draftOf[f] = d } }
            var merge: (from: Int, into: Int)?
            for (d, draft) in drafts.enumerated() where draft.kind != .dedicated && draft.households == 0 {
                var shared: [Int: Double] = [:]
                for f in draft.faces {
                    for edge in tessellation.edges[f] { if let other = draftOf[edge.face], other != d { shared[other, default: 0] += edge.length } }
                }
                // Into a grid with households first, then the longest boundary, then the lower index.
                let target = shared.max { a, b in
                    (drafts[a.key].households > 0 ? 1 : 0, a.value, -a.key) < (drafts[b.key].households > 0 ? 1 : 0, b.value, -b.key)
                }
                if let target { merge = (d, target.key); break }
            }
            guard let merge else { return }
            drafts[merge.into].faces = (drafts[merge.into].faces + drafts[merge.from].faces).sorted()
            if drafts[merge.into].kind != .dedicated {
                drafts[merge.into].pieces = (drafts[merge.into].pieces + drafts[merge.from].pieces).sorted()
            }
            drafts.remove(at: merge.from)
        }
    }

    func explainGrids(_ drafts: inout [Draft], pieceGraph: CellGraph, pieceRegions: [Int], members: [[Member]]) {
        let total = drafts.filter { $0.kind == .residential }.reduce(0) { $0 + $1.households }
        // Households of the compound each piece belongs to, when the compound is kept whole.
        var compoundHouseholds: [String: Int] = [:]
        for entry in input.buildings { if let c = entry.building.compound { compoundHouseholds[c, default: 0] += entry.building.households } }
        var compoundWeight: [Int: Int] = [:]
        for p in members.indices {
            guard let first = members[p].first, let c = input.buildings[first.building].building.compound,
                  let h = compoundHouseholds[c], h <= options.gridMax else { continue }
            compoundWeight[p] = h
        }
        let component = pieceGraph.componentLabels(count: pieceRegions.count, acrossBarriers: false)
        var componentWeight: [Int: Int] = [:]
        for p in pieceRegions.indices { componentWeight[component[p], default: 0] += pieceGraph.weight[p] }
        for index in drafts.indices where drafts[index].kind == .residential {
            let h = drafts[index].households
            guard !options.gridBounds.contains(h) else { continue }
            if h == 0 {
                drafts[index].reason = .noHouseholds
            } else if total < options.gridMin {
                drafts[index].reason = .communityTooSmall(households: total)
            } else if let first = drafts[index].pieces.first, !Self.divisible(componentWeight[component[first]]!, options.gridBounds) {
                let w = componentWeight[component[first]]!
                drafts[index].reason = .partNotDivisible(households: w)
            } else if h < options.gridMin, let first = drafts[index].pieces.first, componentWeight[component[first]]! < options.gridMin {
                drafts[index].reason = .cutOff(households: componentWeight[component[first]]!)
            } else if let largest = drafts[index].pieces.map({ max(buildingWeight(of: $0, members: members), compoundWeight[$0] ?? 0) }).max(),
                      largest >= options.gridMax - options.gridMin {
                drafts[index].reason = .indivisibleBuildingOrCompound(households: largest)
            } else {
                drafts[index].reason = .notBalanced
            }
        }
    }

    /// Households of the building a piece belongs to (the piece's own when it holds several).
    func buildingWeight(of piece: Int, members: [[Member]]) -> Int {
        guard members[piece].count == 1, let member = members[piece].first else { return members[piece].reduce(0) { $0 + $1.households } }
        let households = input.buildings[member.building].building.households
        return households <= options.gridMax ? households : member.households
    }

    /// Whether `weights` (indivisible) can be grouped into bins each within `bounds`, ignoring
    /// where they stand; nil when there are too many to tell quickly.
    static func packs(_ weights: [Int], into bounds: HouseholdBounds) -> Bool? {
        let n = weights.count
        guard n > 0 else { return true }
        guard n <= 14 else { return nil }
        var sums = [Int](repeating: 0, count: 1 << n)
        for mask in 1..<(1 << n) {
            let low = mask & -mask
            sums[mask] = sums[mask ^ low] + weights[low.trailingZeroBitCount]
        }
        var can = [Bool](repeating: false, count: 1 << n)
        can[0] = true
        for mask in 1..<(1 << n) {
            let low = mask & -mask
            let rest = mask ^ low
            var sub = rest
            while true {
                let bin = sub | low
                if can[mask ^ bin] && bounds.contains(sums[bin]) { can[mask] = true; break }
                if sub == 0 { break }
                sub = (sub - 1) & rest
            }
        }
        return can[(1 << n) - 1]
    }

    /// Whether some number of regions `k` has `k * min <= households <= k * max`.
    static func divisible(_ households: Int, _ bounds: HouseholdBounds) -> Bool {
        let k = (households + bounds.max - 1) / bounds.max
        return households == 0 || k * bounds.min <= households
    }

    func microReason(households: Int, pieces: [Int], members: [[Member]], gridHouseholds: Int, groupWeights: [Int],
                             unsplittable: Bool) -> BoundsReason {
        if gridHouseholds < options.microMin { return .gridTooSmall(households: gridHouseholds) }
        if !Self.divisible(gridHouseholds, options.microBounds) {
            return .gridNotDivisible(households: gridHouseholds)
        }
        let weights = groupWeights.filter { $0 > 0 }.sorted(by: >)
        if Self.packs(weights, into: options.microBounds) == false {
            return .buildingsDoNotPack(weights: weights)
        }
        if households > options.microMax {
            for p in pieces {
                for member in members[p] where member.households > options.microMax {
                    let building = input.buildings[member.building].building
                    return building.households > member.households || (building.units ?? 1) > 1
                        ? .indivisibleUnit(households: member.households, building: building.id)
                        : .indivisibleBuilding(households: member.households, building: building.id)
                }
            }
        }
        if unsplittable {
            return .noContiguousGrouping
        }
        return .notBalanced
    }

}
