import FeatureIO
import GridSchema
import Testing

/// The one table of Shapefile field names: every field of every layer `partition` (and a
/// re-partition) writes fits a DBF's 10 bytes, no two fields of a layer share a name, and a
/// field has the same short name in every layer.
@Suite(.timeLimit(.minutes(10))) struct ShapefileFieldNameTests {
    static let layers: [(String, [FieldDefinition])] = [
        (PartitionSchema.Grids.layer, PartitionSchema.Grids.fields),
        (PartitionSchema.MicroGrids.layer, PartitionSchema.MicroGrids.fields),
        (PartitionSchema.BuildingAssignments.layer, PartitionSchema.BuildingAssignments.fields),
        (PartitionSchema.ShopAssignments.layer, PartitionSchema.ShopAssignments.fields),
        (PartitionSchema.RoadAssignments.layer, PartitionSchema.RoadAssignments.fields),
        (PartitionSchema.UnplacedBuildings.layer, PartitionSchema.UnplacedBuildings.fields),
        (PartitionSchema.Changes.layer, PartitionSchema.Changes.fields),
        (PartitionSchema.Moves.layer, PartitionSchema.Moves.fields),
        (PartitionSchema.CodeHistory.layer, PartitionSchema.CodeHistory.fields),
    ]

    @Test func everyFieldFitsAndStaysDistinct() {
        for (layer, fields) in Self.layers {
            let names = fields.map { PartitionSchema.shapefileFieldName($0.name) }
            for name in names { #expect(name.utf8.count <= ShapefileWriter.maximumFieldNameLength, "\(layer).\(name)") }
            #expect(Set(names).count == names.count, "\(layer): \(names)")
        }
    }

    @Test func theTableNamesOnlyFieldsThatNeedIt() {
        let all = Set(Self.layers.flatMap { $0.1.map(\.name) })
        for (long, short) in PartitionSchema.shapefileFieldNames {
            #expect(all.contains(long), "\(long) is no partition field")
            #expect(long.utf8.count > ShapefileWriter.maximumFieldNameLength, "\(long) fits as it is")
            #expect(!all.contains(short), "\(short) is the name of another field")
        }
        #expect(PartitionSchema.shapefileFieldName("community_code") == "comm_code")
        #expect(PartitionSchema.shapefileFieldName("households") == "households")
    }
}
