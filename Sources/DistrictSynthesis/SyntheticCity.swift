import DistrictModel
import GeometryEngine

/// A synthetic district of Chinese urban fabric, the same bit for bit for the same options.
///
/// The city is laid out on a street grid turned by a random angle: arterials every 800-1,200 m
/// both ways, secondary roads cutting each superblock into 2-3 by 2-3 blocks, branch roads every
/// 165-330 m cutting blocks into parcels. A community (社区) is a block, or two or three small
/// adjacent blocks, bounded by road centrelines; communities tile the urban area edge to edge
/// and hold 1,500-5,000 households each. On its parcels stand:
///
/// - gated compounds (小区) of 6-20 slabs, 11-18 floors, 2-4 units, 2 flats per floor and unit;
/// - small walled courtyards of 2-3 walk-ups (5-6 floors, 2-3 units);
/// - old open neighbourhoods of walk-ups (no compound);
/// - towers of 25-33 floors, 1-2 units, 4 flats per floor and unit (100-264 households: more
///   than a micro-grid, some more than a grid), open or gated;
/// - a school, mall, enterprise or hospital (a dedicated site) every few communities; a service
///   centre and kindergarten, offices and shops, or a park where housing is not needed;
/// - shops along every street front (points, a few footprints on arterials); service roads into
///   the compounds.
///
/// Rural villages (kind `.rural`, 150-450 one-household houses of 2-3 floors) stand in lanes
/// west and east of the urban area. With `includeMess`, a few of each fault in `Mess` are
/// injected (see `Mess`). Everything is in metres in `Options.epsg`, rounded to the millimetre.
///
/// Edge cases of the household bounds: a district too small for 1,800 urban households has one
/// community holding them all; the community holding a straddling building counts its 20
/// households on top of its own.
public struct SyntheticCity: Sendable {
    /// What to generate.
    public struct Options: Sendable, Hashable {
        public var seed: UInt64
        /// The households wanted in the whole district (urban, rural and the mess's outside
        /// buildings), from about 1,000 (one community) up: the result is within 1% of it for
        /// 20,000 households and more, within 5% from 1,000. Zero or less gives an empty district.
        public var households: Int
        /// The EPSG code written on the district: a metric CRS, the plan is in metres. The
        /// default is CGCS2000 / 3-degree Gauss-Kruger CM 120E.
        public var epsg: Int
        /// Where the centre of the urban area lands, in the CRS.
        public var origin: XY
        /// The angle of the street grid, counter-clockwise from east; nil draws one in ±25° from the seed.
        public var rotationDegrees: Double?
        /// Whether to inject the faults of real data listed in `Mess`.
        public var includeMess: Bool
        /// Rural villages; nil gives about one per 20 communities, at least one from 5,000 households.
        public var ruralVillages: Int?

        public init(seed: UInt64, households: Int, epsg: Int = 4549, origin: XY = XY(500_000, 3_500_000),
                    rotationDegrees: Double? = nil, includeMess: Bool = true, ruralVillages: Int? = nil) {
            self.seed = seed
            self.households = households
            self.epsg = epsg
            self.origin = origin
            self.rotationDegrees = rotationDegrees
            self.includeMess = includeMess
            self.ruralVillages = ruralVillages
        }
    }

    /// The faults injected into a synthetic district, by feature, for tests to check that the
    /// engine finds and handles each.
    public struct Mess: Sendable, Hashable {
        /// Residential walk-ups lying across the road between two communities, two thirds of
        /// each footprint in the community it belongs to.
        public var straddlingBuildingIDs: [String] = []
        /// Buildings whose ring crosses itself (a bow-tie): invalid per `Geometry.isValid()`.
        public var invalidBuildingIDs: [String] = []
        /// Communities with a lake cut out of them: a hole no building stands in.
        public var holedCommunityCodes: [String] = []
        /// Communities in two pieces (a MultiPolygon), another community between them.
        public var multipartCommunityCodes: [String] = []
        /// Residential buildings outside every community.
        public var outsideBuildingIDs: [String] = []

        public init() {}

        public var isEmpty: Bool {
            straddlingBuildingIDs.isEmpty && invalidBuildingIDs.isEmpty && holedCommunityCodes.isEmpty
                && multipartCommunityCodes.isEmpty && outsideBuildingIDs.isEmpty
        }

        /// Every building the mess concerns.
        public var buildingIDs: Set<String> {
            Set(straddlingBuildingIDs + invalidBuildingIDs + outsideBuildingIDs)
        }
    }

    /// A generated district and the faults injected into it.
    public struct Output: Sendable {
        public var district: District
        public var mess: Mess
    }

    /// Generates the district `options` describe.
    public static func generate(_ options: Options) -> District {
        generateWithReport(options).district
    }

    /// Generates the district `options` describe, with the list of faults injected into it.
    public static func generateWithReport(_ options: Options) -> Output {
        let total = max(0, options.households)
        guard total > 0 else { return Output(district: District(epsg: options.epsg), mess: Mess()) }
        var layoutRandom = SeededRandom(seed: options.seed, stream: 1)
        var villageRandom = SeededRandom(seed: options.seed, stream: 2)
        let rotation = options.rotationDegrees ?? layoutRandom.uniform(-25...25)

        // Rural and mess households come off the total first; the urban plan holds the rest.
        let estimatedCommunities = Double(total) / 3_000
        let villageCount = options.ruralVillages.map { max(0, $0) }
            ?? (total >= 5_000 ? max(1, Int((estimatedCommunities / 20).rounded())) : 0)
        var villageHouseholds = (0..<villageCount).map { _ in villageRandom.int(150...450) }
        let rural = villageHouseholds.reduce(0, +)
        if rural > total / 2 { villageHouseholds = villageHouseholds.map { max(1, $0 * (total / 2) / rural) } }
        let messCount = options.includeMess ? max(1, min(5, Int(estimatedCommunities / 40))) : 0
        let urban = max(0, total - villageHouseholds.reduce(0, +) - messCount * MessInjection.outsideHouseholds)
        let quota = CityPlan.MessQuota(count: messCount, spacing: max(8, Int(estimatedCommunities) / max(messCount, 1)))
        var plan = CityPlan(urbanHouseholds: urban, mess: quota, rng: &layoutRandom)

        // Straddlers count in their community's target, so they are chosen before the fill.
        let straddlers = MessInjection.spread(MessInjection.straddleSites(in: plan), count: messCount).enumerated().map {
            MessInjection.straddler(at: $0.element, westMajority: $0.offset % 2 == 0, plan: plan)
        }
        for straddler in straddlers {
            if let owner = straddler.community { plan.communities[owner].target -= straddler.households }
        }

        var draft = CityDraft()
        draft.roads = plan.streetRoads()
        for index in plan.communities.indices { CommunityFiller.fill(index, of: plan, seed: options.seed, into: &draft) }

        let firstStraddler = draft.buildings.count
        draft.buildings += straddlers
        let eligible = draft.buildings.indices.filter { draft.buildings[$0].isResidential && draft.buildings[$0].community != nil && $0 < firstStraddler }
        let invalid = MessInjection.spread(eligible, count: messCount)
        for index in invalid { draft.buildings[index].bowTie = true }
        let extent = plan.urbanExtent
        let firstOutsider = draft.buildings.count
        for k in 0..<messCount { draft.buildings.append(MessInjection.outsider(k, of: messCount, extent: extent)) }

        var placement = VillagePlan.Placement(city: extent)
        let villages = villageHouseholds.enumerated().map { index, households in
            VillagePlan(index: index, households: households, placement: &placement, rng: &villageRandom)
        }
        for (index, village) in villages.enumerated() {
            for var house in village.houses {
                house.community = plan.communities.count + index
                draft.buildings.append(house)
            }
            draft.roads.append(village.road)
            draft.shops += village.shops
        }

        let frame = LocalFrame(rotationDegrees: rotation, center: extent.center, origin: options.origin)
        let district = assemble(plan: plan, villages: villages, draft: draft, frame: frame, epsg: options.epsg)

        var mess = Mess()
        mess.straddlingBuildingIDs = (firstStraddler..<(firstStraddler + straddlers.count)).map(buildingID)
        mess.invalidBuildingIDs = invalid.map(buildingID)
        mess.outsideBuildingIDs = (firstOutsider..<(firstOutsider + messCount)).map(buildingID)
        mess.holedCommunityCodes = plan.communities.indices.filter { plan.communities[$0].lakeParcel != nil }.map { district.communities[$0].code }
        mess.multipartCommunityCodes = plan.communities.indices.filter { plan.communities[$0].isMultipart }.map { district.communities[$0].code }
        return Output(district: district, mess: mess)
    }

    static func buildingID(_ index: Int) -> String { Names.id("b", index + 1, width: 7) }

    /// The district's features from the drafts, with ids in draft order.
    private static func assemble(plan: CityPlan, villages: [VillagePlan], draft: CityDraft, frame: LocalFrame, epsg: Int) -> District {
        var district = District(epsg: epsg)
        district.communities.reserveCapacity(plan.communities.count + villages.count)
        for community in plan.communities {
            let pieces = plan.outline(of: community).map { Polygon(rings: $0.map(frame.world)) }
            district.communities.append(Community(
                code: Names.streetCode(community.street) + Names.id("", community.sequence, width: 3),
                name: Names.stem(community.street * 3 + community.sequence * 7) + Names.chineseNumeral(community.sequence) + "社区",
                kind: .urban, streetCode: Names.streetCode(community.street), streetName: Names.streetName(community.street),
                geometry: pieces.count == 1 ? .polygon(pieces[0]) : .multiPolygon(pieces)))
        }
        for (index, village) in villages.enumerated() {
            district.communities.append(Community(
                code: Names.townCode(village.town) + Names.id("", 200 + index % 15, width: 3), name: village.name, kind: .rural,
                streetCode: Names.townCode(village.town), streetName: Names.townName(village.town),
                geometry: .polygon(Polygon(exterior: frame.world(village.outline)))))
        }

        let compoundIDs = draft.compounds.indices.map { Names.id("c", $0 + 1, width: 6) }
        district.compounds = draft.compounds.enumerated().map { index, compound in
            Compound(id: compoundIDs[index], name: compound.name, geometry: frame.polygon(compound.rect))
        }
        district.buildings = draft.buildings.enumerated().map { index, building in
            Building(id: buildingID(index), households: building.households, compound: building.compound.map { compoundIDs[$0] },
                     units: building.units, floors: building.floors, kind: building.kind, geometry: frame.footprint(building))
        }
        district.roads = draft.roads.enumerated().map { index, road in
            Road(id: Names.id("r", index + 1, width: 6), roadClass: road.roadClass, name: road.name, geometry: .lineString(frame.world(road.points)))
        }
        district.shops = draft.shops.enumerated().map { index, shop in
            Shop(id: Names.id("s", index + 1, width: 7), category: shop.category,
                 geometry: shop.footprint.map(frame.polygon) ?? .point(frame.world(shop.point)))
        }
        district.dedicated = draft.dedicated.enumerated().map { index, site in
            DedicatedSite(id: Names.id("d", index + 1, width: 5), name: site.name, kind: site.kind, geometry: frame.polygon(site.rect))
        }
        return district
    }
}
