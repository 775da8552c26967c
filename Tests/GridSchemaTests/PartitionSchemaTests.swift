import FeatureIO
import GridSchema
import Testing

/// The schema as data.md states it: the layers in order, and the fields, their order and types,
/// that `gridweave partition` writes (the golden digests of GridweaveCLITests check the bytes).
@Suite(.timeLimit(.minutes(10))) struct PartitionSchemaTests {
    @Test func theLayersAreThoseOfDataMd() {
        #expect(PartitionSchema.partitionLayers
            == ["grids", "microgrids", "building_assignments", "shop_assignments", "road_assignments", "unplaced_buildings"])
        #expect(PartitionSchema.repartitionLayers == ["changes", "moves", "code_history"])
        #expect(PartitionSchema.LookupIndex.table == "gridweave_lookup_index")
    }

    @Test func gridsAndMicroGridsHaveTheirFieldsInOrder() {
        #expect(PartitionSchema.Grids.fields.map(\.name)
            == ["code", "community_code", "kind", "households", "buildings", "shops", "road_m", "reason", "reason_en", "reason_zh"])
        #expect(PartitionSchema.Grids.fields.map(\.type) == [.text, .text, .text, .integer, .integer, .integer, .real, .text, .text, .text])
        #expect(PartitionSchema.MicroGrids.fields.map(\.name) == ["code", "grid_code", "households", "buildings", "reason", "reason_en", "reason_zh"])
        #expect(PartitionSchema.BuildingAssignments.fields.map(\.name) == ["building_id", "grid_code", "microgrid_code", "households"])
        #expect(PartitionSchema.RoadAssignments.fields.map(\.type) == [.text, .text, .real])
        #expect(PartitionSchema.CodeHistory.fields.map(\.name) == ["code", "level", "status", "since"])
    }

    @Test func everyLayerNamesEachFieldOnce() {
        let layers = [PartitionSchema.Grids.fields, PartitionSchema.MicroGrids.fields, PartitionSchema.BuildingAssignments.fields,
                      PartitionSchema.ShopAssignments.fields, PartitionSchema.RoadAssignments.fields,
                      PartitionSchema.UnplacedBuildings.fields, PartitionSchema.Changes.fields, PartitionSchema.Moves.fields,
                      PartitionSchema.CodeHistory.fields]
        for fields in layers {
            #expect(Set(fields.map(\.name)).count == fields.count, "\(fields.map(\.name))")
        }
    }

    @Test func aMissingParentIsImpliedOnlyByACodeOfTheScheme() {
        #expect(PartitionSchema.Grids.impliedCommunityCode(ofGrid: "310101001001007") == "310101001001")
        #expect(PartitionSchema.Grids.impliedCommunityCode(ofGrid: "A7") == "")
        #expect(PartitionSchema.Grids.impliedCommunityCode(ofGrid: "31010100100100x") == "")
        #expect(PartitionSchema.MicroGrids.impliedGridCode(ofMicroGrid: "31010100100100703") == "310101001001007")
        #expect(PartitionSchema.MicroGrids.impliedGridCode(ofMicroGrid: "A7-1") == "")
    }
}
