import DistrictModel
import Foundation
import GeometryEngine
@testable import Partitioning
import Testing

/// The partition's stages one at a time (docs/architecture.md), each built from its own
/// input and checked on its own output.
@Suite(.timeLimit(.minutes(10))) struct StageTests {
    static let x0 = 500_000.0, y0 = 4_000_000.0

    static func box(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> Geometry {
        .polygon(Polygon(exterior: [XY(x0 + x, y0 + y), XY(x0 + x + w, y0 + y), XY(x0 + x + w, y0 + y + h), XY(x0 + x, y0 + y + h),
                                    XY(x0 + x, y0 + y)]))
    }

    static func line(_ a: (Double, Double), _ b: (Double, Double)) -> Geometry {
        .lineString([XY(x0 + a.0, y0 + a.1), XY(x0 + b.0, y0 + b.1)])
    }

    /// A community 200 m square with a road of `roadClass` across its middle (x = 100), two
    /// houses of 60 households west of it and two east of it.
    static func input(roadClass: RoadClass?, site: Bool = false, tunnel: Bool = false, bridge: Bool = false,
                      layer: Int = 0) -> CommunityInput {
        let community = Community(code: "110101001001", geometry: box(0, 0, 200, 200))
        let houses = [(20.0, 20.0), (20.0, 150.0), (150.0, 20.0), (150.0, 150.0)].enumerated().map { index, corner in
            (index: index, building: Building(id: "h\(index)", households: 60, geometry: box(corner.0, corner.1, 20, 20)))
        }
        let roads = roadClass.map {
            [Road(id: "r", roadClass: $0, tunnel: tunnel, bridge: bridge, layer: layer, geometry: line((100, -10), (100, 210)))]
        } ?? []
        let sites = site ? [DedicatedSite(id: "school", kind: .school, geometry: box(120, 80, 60, 40))] : []
        return CommunityInput(community: community, buildings: houses, roads: roads, sites: sites)
    }

    @Test(arguments: [(RoadClass?.none, 1), (.branch, 2), (.arterial, 2), (.path, 1), (.service, 1)])
    func streetsCutBlocksAndPathsDoNot(roadClass: RoadClass?, blocks: Int) throws {
        let blocksOfCommunity = try StreetBlocks(Self.input(roadClass: roadClass), context: GEOSContext())
        #expect(blocksOfCommunity.blocks.count == blocks)
        #expect(blocksOfCommunity.blocks.allSatisfy { $0.site == nil })
    }

    /// A road in a tunnel, on a bridge or on another layer passes over or under the ground: it
    /// cuts no block, even an arterial; the same road at layer 0 does.
    @Test(arguments: [(false, false, 0, 2), (true, false, 0, 1), (false, true, 0, 1), (false, false, 1, 1), (false, false, -1, 1)])
    func gradeSeparatedRoadsDoNotCutBlocks(tunnel: Bool, bridge: Bool, layer: Int, blocks: Int) throws {
        for roadClass in [RoadClass.branch, .arterial] {
            let input = Self.input(roadClass: roadClass, tunnel: tunnel, bridge: bridge, layer: layer)
            let blocksOfCommunity = try StreetBlocks(input, context: GEOSContext())
            #expect(blocksOfCommunity.blocks.count == blocks, "\(roadClass) tunnel \(tunnel) bridge \(bridge) layer \(layer)")
            #expect(blocksOfCommunity.roadSegments.isEmpty == (blocks == 1))
        }
    }

    @Test func aDedicatedSiteIsABlockOfItsOwn() throws {
        let blocks = try StreetBlocks(Self.input(roadClass: .branch, site: true), context: GEOSContext())
        #expect(blocks.blocks.count == 3)
        #expect(blocks.blocks.filter { $0.site == 0 }.count == 1)
    }

    /// The faces tile the community exactly, every house owns a face in its own block, and the
    /// stages it ran are timed.
    @Test func cellsTileTheCommunityAndEveryHouseHasOne() throws {
        var timings = StageTimings()
        let input = Self.input(roadClass: .branch)
        let tessellation = try CommunityTessellation(input, microMin: 50, microMax: 80, gridMax: 250, cutsUnits: true,
                                                     context: GEOSContext(), timings: &timings)
        let area = tessellation.faces.reduce(0) { $0 + $1.area }
        #expect(abs(area - 40_000) < 1e-6)
        for b in input.buildings.indices {
            #expect(tessellation.faces.contains { $0.owner == .building(b, slice: 0) }, "house \(b) has no cell")
        }
        // West houses in one block, east houses in the other.
        #expect(tessellation.buildingSite[0] == tessellation.buildingSite[1])
        #expect(tessellation.buildingSite[0] != tessellation.buildingSite[2])
        #expect((timings.seconds[.blocks] ?? 0) > 0 && (timings.seconds[.cells] ?? 0) > 0)
    }

    /// A chain 0-1-2 and 3-4 joined only across an arterial (4-2).
    static let graph = CellGraph(weight: [1, 1, 1, 1, 1], area: [1, 1, 1, 1, 1], perimeter: [4, 4, 4, 4, 4],
                                 centroid: (0..<5).map { XY(Double($0), 0) },
                                 neighbours: [[(1, 1)], [(0, 1), (2, 1)], [(1, 1)], [(4, 1)], [(3, 1)]],
                                 barrierNeighbours: [[], [], [(4, 1)], [], [(2, 1)]])

    @Test func theCellGraphsComponentsStopAtArterialsUnlessAsked() {
        #expect(Self.graph.components() == [[0, 1, 2], [3, 4]])
        #expect(Self.graph.componentLabels(count: 5, acrossBarriers: false) == [0, 0, 0, 1, 1])
        #expect(Self.graph.componentLabels(count: 5, acrossBarriers: true) == [0, 0, 0, 0, 0])
        #expect(Self.graph.holdsTogether(from: 0, size: 3) { $0 <= 2 })
        #expect(!Self.graph.holdsTogether(from: 0, size: 3) { $0 != 1 && $0 <= 3 })
        let sub = Self.graph.induced([3, 4, 2])
        #expect(sub.components() == [[0, 1], [2]])
        #expect(sub.barrierNeighbours[1].map(\.node) == [2])
    }

    @Test func theWalkFindsPartsInTheOrderOfTheirFirstMember() {
        let adjacency: [[Int]] = [[1], [0], [3], [2], []]
        let parts = CellWalk.components(of: [4, 2, 0, 3, 1]) { node, into in into += adjacency[node] }
        #expect(parts == [[4], [2, 3], [0, 1]])
    }

    @Test func compactnessScoresTheWholeGeometry() throws {
        let square = Self.box(0, 0, 10, 10)
        #expect(abs(try #require(Compactness.polsbyPopper(of: square)) - Double.pi / 4) < 1e-12)
        // Two squares apart: the same shape twice scores half a square's Polsby-Popper.
        let two = Geometry.multiPolygon(square.polygons + Self.box(100, 0, 10, 10).polygons)
        #expect(abs(try #require(Compactness.polsbyPopper(of: two)) - Double.pi / 8) < 1e-12)
        #expect(Compactness.polsbyPopper(area: 1, perimeter: 0) == nil)
    }

    @Test func onlyAFailedBalancingIsNotForcedByTheData() {
        let reasons: [BoundsReason] = [
            .noHouseholds, .communityTooSmall(households: 90), .partNotDivisible(households: 260), .cutOff(households: 40),
            .indivisibleBuildingOrCompound(households: 400), .tooManyMicroGrids(gridHouseholds: 9_000, target: 95),
            .gridTooSmall(households: 30), .gridNotDivisible(households: 85), .buildingsDoNotPack(weights: [70, 70, 70]),
            .indivisibleUnit(households: 90, building: "b1"), .indivisibleBuilding(households: 90, building: "b2"),
            .noContiguousGrouping, .notBalanced,
        ]
        for reason in reasons {
            #expect(reason.isForcedByData == (reason != .notBalanced))
            let english = reason.words(.english), chinese = reason.words(.chinese)
            #expect(!english.isEmpty && !chinese.isEmpty && english != chinese)
            #expect(chinese.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(reason): \(chinese)")
        }
        let finding = PartitionFinding(.gridOutOfBounds, featureID: "110101001001001", households: 90,
                                       bounds: HouseholdBounds(min: 150, target: 200, max: 250), reason: .communityTooSmall(households: 90))
        #expect(finding.detail == "90 households (bounds 150-250): the community holds only 90 households")
        #expect(finding.detail(in: .chinese) == "90 户（范围 150-250）：社区仅有 90 户")
        #expect(finding.outOfBounds?.reason == .communityTooSmall(households: 90))
    }

    /// A whole partition reports the time of every stage it runs.
    @Test func aPartitionTimesEveryStageItRuns() throws {
        var district = District(epsg: 4549)
        let input = Self.input(roadClass: .branch)
        district.communities = [input.community]
        district.buildings = input.buildings.map(\.building)
        district.roads = input.roads
        let partition = try Partitioner.partition(district)
        let ran: [PartitionStage] = [.workingCRS, .blocks, .cells, .cellGraph, .grids, .microGrids, .codes, .serviceArea]
        for stage in ran { #expect((partition.timings.seconds[stage] ?? 0) > 0, "\(stage) not timed") }
        #expect(partition.timings.seconds[.read] == nil && partition.timings.seconds[.write] == nil)
    }
}
