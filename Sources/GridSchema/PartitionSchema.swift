public import FeatureIO

/// The layers and fields of a partition GeoPackage (data.md, "Output: a partition"), as
/// `gridweave partition` writes them and every reader (lookup, coverage, maps, the server,
/// re-partition) reads them. One owner, so that a name is spelled once: the writer builds its
/// layers from `fields` (their order and types are the file's columns), readers ask for the
/// names.
///
/// A reader of files drawn by hand needs only `Grids.layer` with `Grids.code`; the other layers
/// and fields are used when present.
public enum PartitionSchema {
    /// One polygon per grid.
    public enum Grids {
        public static let layer = "grids"
        public static let geometryType = "POLYGON"
        /// The 15-digit `GridCode`.
        public static let code = "code"
        /// The 12-digit `CommunityCode`; a reader defaults it from `code` (`GridCode.community`).
        public static let communityCode = "community_code"
        /// `residential`, `dedicated`, `rural`, ...
        public static let kind = "kind"
        public static let households = "households"
        public static let buildings = "buildings"
        public static let shops = "shops"
        /// Metres of road in the grid, rounded to the centimetre.
        public static let roadMetres = "road_m"
        /// Why the grid is outside the household bounds (`BoundsReason.code`); null in bounds.
        public static let reason = "reason"
        /// The reason in English and in Chinese, with the grid's figures.
        public static let reasonEnglish = "reason_en"
        public static let reasonChinese = "reason_zh"

        public static let fields = [
            FieldDefinition(code, .text), FieldDefinition(communityCode, .text), FieldDefinition(kind, .text),
            FieldDefinition(households, .integer), FieldDefinition(buildings, .integer),
            FieldDefinition(shops, .integer), FieldDefinition(roadMetres, .real),
            FieldDefinition(reason, .text), FieldDefinition(reasonEnglish, .text), FieldDefinition(reasonChinese, .text),
        ]
    }

    /// One polygon per micro-grid.
    public enum MicroGrids {
        public static let layer = "microgrids"
        public static let geometryType = "POLYGON"
        /// The 17-digit `MicroGridCode`.
        public static let code = "code"
        /// The grid's `GridCode`; a reader defaults it from `code` (`MicroGridCode.grid`).
        public static let gridCode = "grid_code"
        public static let households = "households"
        public static let buildings = "buildings"
        /// Why the micro-grid is outside the household bounds, as `Grids.reason`.
        public static let reason = Grids.reason
        public static let reasonEnglish = Grids.reasonEnglish
        public static let reasonChinese = Grids.reasonChinese

        public static let fields = [
            FieldDefinition(code, .text), FieldDefinition(gridCode, .text),
            FieldDefinition(households, .integer), FieldDefinition(buildings, .integer),
            FieldDefinition(reason, .text), FieldDefinition(reasonEnglish, .text), FieldDefinition(reasonChinese, .text),
        ]
    }

    /// One row per building and micro-grid it has households in (no geometry).
    public enum BuildingAssignments {
        public static let layer = "building_assignments"
        public static let buildingID = "building_id"
        public static let gridCode = "grid_code"
        public static let microGridCode = "microgrid_code"
        public static let households = "households"

        public static let fields = [
            FieldDefinition(buildingID, .text), FieldDefinition(gridCode, .text),
            FieldDefinition(microGridCode, .text), FieldDefinition(households, .integer),
        ]
    }

    /// One row per shop (no geometry).
    public enum ShopAssignments {
        public static let layer = "shop_assignments"
        public static let shopID = "shop_id"
        public static let gridCode = "grid_code"
        public static let microGridCode = "microgrid_code"

        public static let fields = [
            FieldDefinition(shopID, .text), FieldDefinition(gridCode, .text), FieldDefinition(microGridCode, .text),
        ]
    }

    /// One line per road piece and grid.
    public enum RoadAssignments {
        public static let layer = "road_assignments"
        public static let geometryType = "LINESTRING"
        public static let roadID = "road_id"
        public static let gridCode = "grid_code"
        /// Metres, rounded to the centimetre.
        public static let lengthMetres = "length_m"

        public static let fields = [
            FieldDefinition(roadID, .text), FieldDefinition(gridCode, .text), FieldDefinition(lengthMetres, .real),
        ]
    }

    /// One row per building with households in no grid, and why (no geometry).
    public enum UnplacedBuildings {
        public static let layer = "unplaced_buildings"
        public static let buildingID = "building_id"
        public static let households = "households"
        /// The reason's code (`no_geometry`, `outside_communities`, ...).
        public static let reason = "reason"
        public static let reasonEnglish = "reason_en"
        public static let reasonChinese = "reason_zh"
        /// Null when there is nothing to add to the reason.
        public static let detail = "detail"

        public static let fields = [
            FieldDefinition(buildingID, .text), FieldDefinition(households, .integer), FieldDefinition(reason, .text),
            FieldDefinition(reasonEnglish, .text), FieldDefinition(reasonChinese, .text), FieldDefinition(detail, .text),
        ]
    }

    /// Re-partition only: what happened to each grid (no geometry).
    public enum Changes {
        public static let layer = "changes"
        /// `kept`, `changed`, `new`, `retired`.
        public static let kind = "kind"
        public static let gridCode = "grid_code"
        public static let oldGridCode = "old_grid_code"
        public static let communityCode = "community_code"
        public static let householdsBefore = "households_before"
        public static let householdsAfter = "households_after"
        public static let buildingsBefore = "buildings_before"
        public static let buildingsAfter = "buildings_after"
        public static let buildingsMoved = "buildings_moved"
        public static let householdsMoved = "households_moved"
        /// 1 when the outline changed, else 0.
        public static let reshaped = "reshaped"
        /// 1 when the micro-grids were cut anew, else 0.
        public static let microGridsRebuilt = "microgrids_rebuilt"

        public static let fields = [
            FieldDefinition(kind, .text), FieldDefinition(gridCode, .text), FieldDefinition(oldGridCode, .text),
            FieldDefinition(communityCode, .text), FieldDefinition(householdsBefore, .integer),
            FieldDefinition(householdsAfter, .integer), FieldDefinition(buildingsBefore, .integer),
            FieldDefinition(buildingsAfter, .integer), FieldDefinition(buildingsMoved, .integer),
            FieldDefinition(householdsMoved, .integer), FieldDefinition(reshaped, .integer),
            FieldDefinition(microGridsRebuilt, .integer),
        ]
    }

    /// Re-partition only: buildings moved, added, removed (no geometry).
    public enum Moves {
        public static let layer = "moves"
        public static let buildingID = "building_id"
        /// `moved`, `added`, `removed`.
        public static let change = "change"
        public static let fromGrid = "from_grid"
        public static let toGrid = "to_grid"
        public static let households = "households"

        public static let fields = [
            FieldDefinition(buildingID, .text), FieldDefinition(change, .text), FieldDefinition(fromGrid, .text),
            FieldDefinition(toGrid, .text), FieldDefinition(households, .integer),
        ]
    }

    /// Re-partition only: every code ever used, with its status (no geometry).
    public enum CodeHistory {
        public static let layer = "code_history"
        public static let code = "code"
        /// `grid` or `microgrid`.
        public static let level = "level"
        /// `active` or `retired`.
        public static let status = "status"
        /// The generation since which the code has its status.
        public static let since = "since"

        public static let fields = [
            FieldDefinition(code, .text), FieldDefinition(level, .text), FieldDefinition(status, .text),
            FieldDefinition(since, .integer),
        ]
    }

    /// `gridweave import-grids` only: the fields it adds to `grids` beside the office's own.
    public enum ImportedGrids {
        /// The office's own code of the grid (from its code field, as text): the mapping between
        /// the office's codes and the standard `Grids.code`, kept by every later file.
        public static let officeCode = "office_code"

        /// `Grids.fields`, then `officeCode`; the office's fields follow in the file's order.
        public static let fields = Grids.fields + [FieldDefinition(officeCode, .text)]
    }

    /// `gridweave import-grids` only: one row per repair made to the hand-drawn grids.
    public enum Repairs {
        public static let layer = "repairs"
        public static let geometryType = "MULTIPOLYGON"
        /// `gap`, `overlap`, `spill`, `sliver`, `building_moved`, `unassigned_area`.
        public static let kind = "kind"
        /// The standard code of the grid the repair gave area to (for a spill: took area from).
        public static let gridCode = "grid_code"
        public static let officeCode = ImportedGrids.officeCode
        /// The grid the area was taken from (an overlap, a building moved, a sliver); null when none.
        public static let otherGridCode = "other_grid_code"
        public static let otherOfficeCode = "other_office_code"
        public static let communityCode = "community_code"
        /// Square metres of the change.
        public static let areaSquareMetres = "area_m2"
        /// Households of the buildings whose grid the repair changed.
        public static let householdsMoved = "households_moved"
        /// 1 when the change was beyond the tolerance (repaired only with `--repair-all`), else 0.
        public static let beyondTolerance = "beyond_tolerance"
        /// What was done, in English, with the building id of a `building_moved`.
        public static let detail = "detail"

        public static let fields = [
            FieldDefinition(kind, .text), FieldDefinition(gridCode, .text), FieldDefinition(officeCode, .text),
            FieldDefinition(otherGridCode, .text), FieldDefinition(otherOfficeCode, .text),
            FieldDefinition(communityCode, .text), FieldDefinition(areaSquareMetres, .real),
            FieldDefinition(householdsMoved, .integer), FieldDefinition(beyondTolerance, .integer),
            FieldDefinition(detail, .text),
        ]
    }

    /// The stored lookup index (`docs/spec-additions/lookup-index.md`): a table, registered as a
    /// GeoPackage extension of the same name, whose columns and bytes GridLookup owns.
    public enum LookupIndex {
        public static let table = "gridweave_lookup_index"
    }

    /// The layers `gridweave partition` writes, in order.
    public static let partitionLayers = [
        Grids.layer, MicroGrids.layer, BuildingAssignments.layer, ShopAssignments.layer, RoadAssignments.layer,
        UnplacedBuildings.layer,
    ]

    /// The layers a re-partition adds, in order.
    public static let repartitionLayers = [Changes.layer, Moves.layer, CodeHistory.layer]
}

extension PartitionSchema.Grids {
    /// The community of a grid whose row has no `community_code`: that of its code
    /// (`GridCode.community`), or empty for a code outside the scheme (grids drawn by hand may
    /// be coded anyhow, and still be looked up and checked).
    public static func impliedCommunityCode(ofGrid code: String) -> String {
        GridCode(code)?.community.description ?? ""
    }
}

extension PartitionSchema.MicroGrids {
    /// The grid of a micro-grid whose row has no `grid_code`: that of its code
    /// (`MicroGridCode.grid`), or empty for a code outside the scheme.
    public static func impliedGridCode(ofMicroGrid code: String) -> String {
        MicroGridCode(code)?.grid.description ?? ""
    }
}
