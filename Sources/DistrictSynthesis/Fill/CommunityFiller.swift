import DistrictModel

/// What one parcel receives: its buildings (compound indices local to the parcel), compounds and
/// service roads.
struct ParcelDraft {
    var buildings: [DraftBuilding] = []
    var compounds: [DraftCompound] = []
    var roads: [DraftRoad] = []
    var households = 0

    mutating func add(_ type: BuildingType, at center: PlanPoint, units: Int, floors: Int, compound: Int?) {
        let (length, depth) = type.footprint(units: units)
        let households = type.households(units: units, floors: floors)
        buildings.append(DraftBuilding(center: center, halfU: length / 2, halfV: depth / 2, households: households, units: units,
                                       floors: floors, kind: "residential", compound: compound))
        self.households += households
    }

    mutating func addOther(_ kind: String, at center: PlanPoint, length: Double, depth: Double, floors: Int) {
        buildings.append(DraftBuilding(center: center, halfU: length / 2, halfV: depth / 2, households: 0, units: nil,
                                       floors: floors, kind: kind, compound: nil))
    }
}

/// Fills the parcels of one planned community: a dedicated site if planned, housing until the
/// household target is met, then civic buildings, shops and offices, parks; shops along every
/// street front.
///
/// Housing types are drawn at random (slab compounds most often), but a draw that would leave
/// more households than towers could still hold on the parcels left is replaced by towers as
/// dense as the parcel allows: so the target is always met. The last building placed is
/// lowered to fit what is left (`BuildingType.sized(units:floors:toFit:)`), so a community lands
/// within a few dozen households of its target.
struct CommunityFiller {
    let plan: CityPlan
    let index: Int
    var rng: SeededRandom
    var draft: CityDraft

    /// Fills community `index` of `plan` into `draft`.
    static func fill(_ index: Int, of plan: CityPlan, seed: UInt64, into draft: inout CityDraft) {
        var filler = CommunityFiller(plan: plan, index: index, rng: SeededRandom(seed: seed, stream: 1_000 + UInt64(index)), draft: draft)
        draft = CityDraft() // hand the arrays over without copying them
        filler.run()
        draft = filler.draft
    }

    private var community: PlannedCommunity { plan.communities[index] }

    private func parcel(_ ref: ParcelRef) -> PlannedParcel { plan.blocks[ref.block].parcels[ref.parcel] }

    private mutating func run() {
        let community = self.community
        if let site = community.dedicatedParcel { addDedicated(community.dedicatedKind, on: parcel(site)) }
        var housing = community.parcels.filter { $0 != community.dedicatedParcel && $0 != community.lakeParcel }
        rng.shuffle(&housing)
        var remaining = community.target
        var capacityAfter = housing.reduce(0) { $0 + parcel($1).guaranteedTowerHouseholds }
        var civicBuilt = false
        for ref in housing {
            let land = parcel(ref)
            capacityAfter -= land.guaranteedTowerHouseholds
            guard remaining >= 60 else {
                addNonResidential(on: land, civic: !civicBuilt)
                civicBuilt = true
                continue
            }
            let type = rng.weighted([(0, 0.45), (1, 0.2), (2, 0.12), (3, 0.23)])
            var parcelDraft: ParcelDraft?
            switch type {
            case 0: parcelDraft = slabCompound(on: land, budget: remaining)
            case 1: parcelDraft = towers(on: land, budget: remaining, dense: false)
            case 2: parcelDraft = courtyards(on: land, budget: remaining)
            default: parcelDraft = walkUps(on: land, budget: remaining)
            }
            if parcelDraft.map({ remaining - $0.households > capacityAfter }) ?? true {
                parcelDraft = towers(on: land, budget: remaining, dense: true)
            }
            if let parcelDraft {
                commit(parcelDraft)
                remaining -= parcelDraft.households
            }
        }
        for ref in community.parcels { addShops(along: parcel(ref)) }
    }

    private mutating func commit(_ parcelDraft: ParcelDraft) {
        let base = draft.compounds.count
        draft.compounds += parcelDraft.compounds
        for var building in parcelDraft.buildings {
            building.compound = building.compound.map { $0 + base }
            building.community = index
            draft.buildings.append(building)
        }
        draft.roads += parcelDraft.roads
    }

    private mutating func compoundName() -> String {
        Names.stem(rng.int(0...(Names.stems.count - 1))) + rng.weighted([("小区", 3), ("花园", 2), ("家园", 2), ("苑", 1), ("新村", 1), ("公寓", 1)])
    }

    /// A service road from the centreline of the road south of the parcel (the gate) up into it.
    private func spine(_ parcel: PlannedParcel, u: Double, to top: Double) -> DraftRoad {
        DraftRoad(points: [PlanPoint(u, parcel.frame.minV), PlanPoint(u, min(top, parcel.rect.maxV - 2))], roadClass: .service, name: nil)
    }

    // MARK: - Housing

    /// A gated compound of 6-20 slabs in rows, same units, floors varying by one around the compound's.
    private mutating func slabCompound(on parcel: PlannedParcel, budget: Int) -> ParcelDraft? {
        let units = rng.weighted([(2, 0.3), (3, 0.45), (4, 0.25)])
        let floors = rng.int(BuildingType.slab.floorRange)
        let highest = min(floors + 1, BuildingType.slab.floorRange.upperBound)
        let (length, depth) = BuildingType.slab.footprint(units: units)
        var layout = GridLayout(in: parcel.rect, length: length, depth: depth, gapU: rng.uniform(14...20),
                                gapV: BuildingType.slab.gapV(floors: highest), margin: BuildingType.parcelMargin)
        layout.limit(to: 20, in: parcel.rect)
        guard layout.count >= 6, budget >= 6 * BuildingType.slab.households(units: units, floors: highest) else { return nil }
        var result = ParcelDraft()
        var top = parcel.rect.minV
        for center in layout.centers {
            let drawn = min(max(floors + rng.int(-1...1), BuildingType.slab.floorRange.lowerBound), highest)
            guard let size = BuildingType.slab.sized(units: units, floors: drawn, toFit: budget - result.households) else { break }
            result.add(.slab, at: center, units: size.units, floors: size.floors, compound: 0)
            top = center.v + depth / 2
        }
        result.compounds.append(DraftCompound(rect: parcel.rect, name: compoundName()))
        let u = layout.columns >= 2 ? layout.gapCentreU(afterColumn: layout.columns / 2 - 1) : parcel.rect.minU + BuildingType.parcelMargin / 2
        result.roads.append(spine(parcel, u: u, to: top + 10))
        return result
    }

    /// Towers of 25-33 floors; `dense` picks the unit count that holds the most and the upper floors.
    private mutating func towers(on parcel: PlannedParcel, budget: Int, dense: Bool) -> ParcelDraft? {
        func layout(_ units: Int) -> GridLayout {
            let (length, depth) = BuildingType.tower.footprint(units: units)
            return GridLayout(in: parcel.rect, length: length, depth: depth, gapU: BuildingType.tower.gapU,
                              gapV: BuildingType.tower.gapV(floors: 25), margin: BuildingType.parcelMargin)
        }
        let units = dense ? (layout(2).count * 2 >= layout(1).count ? 2 : 1) : rng.int(1...2)
        let grid = layout(units)
        guard grid.count > 0 else { return nil }
        let floors = dense ? 28...BuildingType.tower.floorRange.upperBound : BuildingType.tower.floorRange
        var result = ParcelDraft()
        let gated = rng.chance(dense ? 0.3 : 0.5) && grid.count >= 3
        var top = parcel.rect.minV
        for center in grid.centers {
            guard let size = BuildingType.tower.sized(units: units, floors: rng.int(floors), toFit: budget - result.households) else { break }
            result.add(.tower, at: center, units: size.units, floors: size.floors, compound: gated ? 0 : nil)
            top = center.v + grid.depth / 2
        }
        if gated, result.buildings.count >= 3 {
            result.compounds.append(DraftCompound(rect: parcel.rect, name: compoundName()))
            let u = grid.columns >= 2 ? grid.gapCentreU(afterColumn: grid.columns / 2 - 1) : parcel.rect.minU + BuildingType.parcelMargin / 2
            result.roads.append(spine(parcel, u: u, to: top + 10))
        } else {
            for i in result.buildings.indices { result.buildings[i].compound = nil }
        }
        return result
    }

    /// Small walled courtyards of 2-3 walk-ups each (a compound per courtyard).
    private mutating func courtyards(on parcel: PlannedParcel, budget: Int) -> ParcelDraft? {
        let units = rng.int(2...3), rows = rng.int(2...3)
        let (length, depth) = BuildingType.walkUp.footprint(units: units)
        let gap = BuildingType.walkUp.gapV(floors: 6), wall = 5.0
        let width = length + 2 * wall, height = Double(rows) * depth + Double(rows - 1) * gap + 2 * wall
        let grid = GridLayout(in: parcel.rect, length: width, depth: height, gapU: 8, gapV: 8, margin: 2)
        guard grid.count > 0 else { return nil }
        var result = ParcelDraft()
        for center in grid.centers {
            let yard = PlanRect(center: center, halfU: width / 2, halfV: height / 2)
            let storeys = (0..<rows).map { _ in rng.int(BuildingType.walkUp.floorRange) }
            let households = storeys.reduce(0) { $0 + BuildingType.walkUp.households(units: units, floors: $1) }
            if 2 * (budget - result.households) < households { break }
            let compound = result.compounds.count
            result.compounds.append(DraftCompound(rect: yard, name: compoundName()))
            for (row, floors) in storeys.enumerated() {
                let at = PlanPoint(yard.center.u, yard.minV + wall + depth / 2 + Double(row) * (depth + gap))
                result.add(.walkUp, at: at, units: units, floors: floors, compound: compound)
            }
        }
        return result.households > 0 ? result : nil
    }

    /// An old open neighbourhood: rows of walk-ups with no wall around them.
    private mutating func walkUps(on parcel: PlannedParcel, budget: Int) -> ParcelDraft? {
        let units = rng.weighted([(2, 0.3), (3, 0.45), (4, 0.25)])
        let (length, depth) = BuildingType.walkUp.footprint(units: units)
        let grid = GridLayout(in: parcel.rect, length: length, depth: depth, gapU: rng.uniform(10...14),
                              gapV: rng.uniform(16...20), margin: 6)
        guard grid.count > 0 else { return nil }
        var result = ParcelDraft()
        for center in grid.centers {
            guard let size = BuildingType.walkUp.sized(units: units, floors: rng.int(BuildingType.walkUp.floorRange),
                                                       toFit: budget - result.households) else { break }
            result.add(.walkUp, at: center, units: size.units, floors: size.floors, compound: nil)
        }
        return result.households > 0 ? result : nil
    }

    // MARK: - Other land

    /// The community's service centre and a kindergarten (once), else offices and shops, or a park.
    private mutating func addNonResidential(on parcel: PlannedParcel, civic: Bool) {
        var result = ParcelDraft()
        if civic {
            let grid = GridLayout(in: parcel.rect, length: 40, depth: 30, gapU: 12, gapV: 12, margin: BuildingType.parcelMargin)
            let slots = grid.centers
            if slots.count >= 1 { result.addOther("public", at: slots[0], length: 40, depth: 18, floors: 4) }
            if slots.count >= 2 { result.addOther("public", at: slots[1], length: 30, depth: 30, floors: 3) }
        } else if rng.chance(0.55) {
            let length = rng.uniform(50...80), depth = rng.uniform(18...24)
            let grid = GridLayout(in: parcel.rect, length: length, depth: depth, gapU: 12, gapV: 30, margin: BuildingType.parcelMargin)
            let count = min(grid.count, rng.int(1...3))
            for center in grid.centers.prefix(count) { result.addOther("commercial", at: center, length: length, depth: depth, floors: rng.int(2...6)) }
        }
        commit(result)
    }

    private mutating func addDedicated(_ kind: DedicatedSite.Kind, on parcel: PlannedParcel) {
        let site = parcel.rect.inset(2)
        let number = draft.dedicated.count + 1
        let stem = Names.stem(rng.int(0...(Names.stems.count - 1)))
        var result = ParcelDraft()
        func place(_ buildingKind: String, length: Double, depth: Double, count: Int, floors: ClosedRange<Int>) {
            let grid = GridLayout(in: site, length: length, depth: depth, gapU: 15, gapV: 25, margin: 10)
            for center in grid.centers.prefix(count) { result.addOther(buildingKind, at: center, length: length, depth: depth, floors: rng.int(floors)) }
        }
        let name: String
        switch kind {
        case .school:
            name = rng.chance(0.5) ? "第\(Names.chineseNumeral(number))中学" : stem + "小学"
            place("public", length: 60, depth: 16, count: rng.int(2...3), floors: 4...5)
        case .hospital:
            name = stem + "医院"
            place("public", length: 50, depth: 20, count: rng.int(2...3), floors: 6...12)
        case .mall:
            name = stem + "购物中心"
            place("commercial", length: min(140, site.width - 20), depth: min(90, site.height - 20), count: 1, floors: 4...6)
        case .enterprise, .other:
            name = stem + "科技有限公司"
            place("commercial", length: 40, depth: 18, count: rng.int(2...4), floors: 3...8)
        }
        draft.dedicated.append(DraftDedicated(rect: site, kind: kind, name: name))
        commit(result)
    }

    // MARK: - Shops

    static let shopCategories: [(String, Double)] = [
        ("restaurant", 30), ("convenience", 15), ("pharmacy", 6), ("supermarket", 5), ("hair_salon", 7),
        ("bank", 4), ("clinic", 4), ("bakery", 4), ("fruit", 5), ("tea", 4), ("laundry", 3),
        ("real_estate", 5), ("hardware", 3), ("education", 5),
    ]

    /// Shops in the band between the kerb and the building line on every street side of the
    /// parcel, densest on arterials; a few on arterials are footprints rather than points.
    private mutating func addShops(along parcel: PlannedParcel) {
        for side in Side.allCases {
            let roadClass = parcel.roads[side.rawValue]
            let spacing: Double = switch roadClass {
            case .arterial: 28
            case .secondary: 40
            default: 70
            }
            let kerb = StreetProfile.halfWidth(roadClass), line = StreetProfile.setback(roadClass)
            let along: ClosedRange<Double> = switch side {
            case .south, .north: (parcel.rect.minU + 5)...(parcel.rect.maxU - 5)
            case .east, .west: (parcel.rect.minV + 5)...(parcel.rect.maxV - 5)
            }
            /// The point `t` along the side at `depth` from the road centreline, into the parcel.
            func at(_ t: Double, _ depth: Double) -> PlanPoint {
                switch side {
                case .south: PlanPoint(t, parcel.frame.minV + depth)
                case .north: PlanPoint(t, parcel.frame.maxV - depth)
                case .west: PlanPoint(parcel.frame.minU + depth, t)
                case .east: PlanPoint(parcel.frame.maxU - depth, t)
                }
            }
            var t = along.lowerBound + rng.uniform(0...spacing)
            while t <= along.upperBound {
                if rng.chance(0.7) {
                    let category = rng.weighted(Self.shopCategories)
                    if roadClass == .arterial, rng.chance(0.06) {
                        let near = at(t, kerb + 2), far = at(t, kerb + 8)
                        let (halfU, halfV) = side == .south || side == .north ? (4.0, 3.0) : (3.0, 4.0)
                        let center = PlanPoint((near.u + far.u) / 2, (near.v + far.v) / 2)
                        draft.shops.append(DraftShop(point: center, footprint: PlanRect(center: center, halfU: halfU, halfV: halfV), category: category))
                    } else {
                        draft.shops.append(DraftShop(point: at(t, (kerb + line) / 2), footprint: nil, category: category))
                    }
                }
                t += spacing * rng.uniform(0.7...1.3)
            }
        }
    }
}
