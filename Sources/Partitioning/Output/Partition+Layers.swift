public import FeatureIO
import Foundation
import GridLookup
import GridSchema
import Projections

extension Partition {
    /// The layers of `data.md`: `grids`, `microgrids`, `building_assignments`,
    /// `shop_assignments`, `road_assignments` and `unplaced_buildings`.
    /// - Throws: `ProjectionError` when the CRS is unknown to PROJ.
    public func layers() throws -> [Layer] {
        let crs = try CRSInfo.lookup(epsg: epsg)
        let srs = SpatialReference.epsg(Int32(epsg), name: crs.name, definition: crs.wkt)
        let outOfBounds = outOfBoundsByCode
        /// `reason`, `reason_en`, `reason_zh` of the grid or micro-grid `code`: null in bounds.
        func reason(_ code: String) -> [String: FieldValue] {
            let found = outOfBounds[code]
            return [PartitionSchema.Grids.reason: found.map { .text($0.reason.code) } ?? .null,
                    PartitionSchema.Grids.reasonEnglish: found.map { .text($0.words(.english)) } ?? .null,
                    PartitionSchema.Grids.reasonChinese: found.map { .text($0.words(.chinese)) } ?? .null]
        }
        let grids = Layer(
            name: PartitionSchema.Grids.layer, geometryType: PartitionSchema.Grids.geometryType, srs: srs,
            fields: PartitionSchema.Grids.fields,
            features: self.grids.enumerated().map { index, grid in
                let field = PartitionSchema.Grids.self
                return Feature(fid: Int64(index + 1), geometry: grid.geometry, properties: [
                    field.code: .text(grid.code), field.communityCode: .text(grid.communityCode), field.kind: .text(grid.kind.rawValue),
                    field.households: .integer(Int64(grid.households)), field.buildings: .integer(Int64(grid.buildings)),
                    field.shops: .integer(Int64(grid.shops)), field.roadMetres: .real(Self.centimetres(grid.roadMetres)),
                ].merging(reason(grid.code)) { $1 })
            })
        let microGrids = Layer(
            name: PartitionSchema.MicroGrids.layer, geometryType: PartitionSchema.MicroGrids.geometryType, srs: srs,
            fields: PartitionSchema.MicroGrids.fields,
            features: self.microGrids.enumerated().map { index, micro in
                let field = PartitionSchema.MicroGrids.self
                return Feature(fid: Int64(index + 1), geometry: micro.geometry, properties: [
                    field.code: .text(micro.code), field.gridCode: .text(micro.gridCode),
                    field.households: .integer(Int64(micro.households)), field.buildings: .integer(Int64(micro.buildings)),
                ].merging(reason(micro.code)) { $1 })
            })
        let assignments = Layer(
            name: PartitionSchema.BuildingAssignments.layer, fields: PartitionSchema.BuildingAssignments.fields,
            features: self.assignments.enumerated().map { index, row in
                let field = PartitionSchema.BuildingAssignments.self
                return Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    field.buildingID: .text(row.buildingID), field.gridCode: .text(row.gridCode),
                    field.microGridCode: .text(row.microGridCode), field.households: .integer(Int64(row.households)),
                ])
            })
        let shops = Layer(
            name: PartitionSchema.ShopAssignments.layer, fields: PartitionSchema.ShopAssignments.fields,
            features: shopAssignments.enumerated().map { index, row in
                let field = PartitionSchema.ShopAssignments.self
                return Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    field.shopID: .text(row.shopID), field.gridCode: .text(row.gridCode), field.microGridCode: .text(row.microGridCode),
                ])
            })
        let roads = Layer(
            name: PartitionSchema.RoadAssignments.layer, geometryType: PartitionSchema.RoadAssignments.geometryType, srs: srs,
            fields: PartitionSchema.RoadAssignments.fields,
            features: roadAssignments.enumerated().map { index, row in
                let field = PartitionSchema.RoadAssignments.self
                return Feature(fid: Int64(index + 1), geometry: row.geometry, properties: [
                    field.roadID: .text(row.roadID), field.gridCode: .text(row.gridCode),
                    field.lengthMetres: .real(Self.centimetres(row.lengthMetres)),
                ])
            })
        return [grids, microGrids, assignments, shops, roads, unplacedLayer()]
    }

    /// `unplaced_buildings`: one row per building with households in no grid, with the reason's
    /// code (`no_geometry`, `outside_communities`, ...) and words. Written even when empty, so
    /// that a reader can rely on it: `building_assignments` and `unplaced_buildings` together
    /// hold every household of the input.
    func unplacedLayer() -> Layer {
        Layer(
            name: PartitionSchema.UnplacedBuildings.layer, fields: PartitionSchema.UnplacedBuildings.fields,
            features: unplaced.enumerated().map { index, row in
                let field = PartitionSchema.UnplacedBuildings.self
                return Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    field.buildingID: .text(row.buildingID), field.households: .integer(Int64(row.households)),
                    field.reason: .text(row.reason.code), field.reasonEnglish: .text(row.reason.english),
                    field.reasonChinese: .text(row.reason.chinese), field.detail: row.detail.map { .text($0) } ?? .null,
                ])
            })
    }

    /// The out-of-bounds record of each grid and micro-grid outside its bounds, by code.
    public var outOfBoundsByCode: [String: PartitionFinding.OutOfBounds] {
        var found: [String: PartitionFinding.OutOfBounds] = [:]
        for finding in findings where finding.kind == .gridOutOfBounds || finding.kind == .microGridOutOfBounds {
            if let record = finding.outOfBounds { found[finding.featureID] = record }
        }
        return found
    }

    /// Metres rounded to the centimetre: what a planner reads, and the same bytes on every machine.
    static func centimetres(_ metres: Double) -> Double { (metres * 100).rounded() / 100 }

    /// Writes the partition as a GeoPackage at `path`, atomically (see `GeoPackageWriter`), with the
    /// lookup index of its grids stored beside them (`GridIndex.storeIndex(inFile:)`), so that
    /// `locate` and `serve` read it instead of building it.
    public func write(to path: String) throws {
        try GeoPackageWriter.write(try layers(), to: path, finishing: { try GridIndex.storeIndex(inFile: $0) })
    }
}
