extension PartitionSchema {
    /// The one table of Shapefile field names (`partition --format "ESRI Shapefile"`): a DBF
    /// field name holds at most 10 bytes, and GDAL's own cut (`street_code` → `street_cod`,
    /// `microgrid_code` → `microgrid_`) differs between layers of other lengths and between
    /// tools. Every field of a partition's layers whose name is longer has its short name
    /// here, the same in every layer; the others keep theirs. data.md lists the table.
    public static let shapefileFieldNames: [String: String] = [
        Grids.communityCode: "comm_code",
        BuildingAssignments.microGridCode: "micro_code",
        BuildingAssignments.buildingID: "bldg_id",
        Changes.oldGridCode: "old_grid",
        Changes.householdsBefore: "hh_before",
        Changes.householdsAfter: "hh_after",
        Changes.buildingsBefore: "bldg_befor",
        Changes.buildingsAfter: "bldg_after",
        Changes.buildingsMoved: "bldg_moved",
        Changes.householdsMoved: "hh_moved",
        Changes.microGridsRebuilt: "micro_new",
    ]

    /// The Shapefile name of the partition field `name`: its entry in `shapefileFieldNames`,
    /// or the name itself when it fits.
    public static func shapefileFieldName(_ name: String) -> String {
        shapefileFieldNames[name] ?? name
    }
}
