public import FeatureIO
import Foundation
import GridLookup
import Projections

extension Partition {
    /// The layers of `data.md`: `grids`, `microgrids`, `building_assignments`,
    /// `shop_assignments`, `road_assignments` and `unplaced_buildings`.
    /// - Throws: `ProjectionError` when the CRS is unknown to PROJ.
    public func layers() throws -> [Layer] {
        let crs = try CRSInfo.lookup(epsg: epsg)
        let srs = SpatialReference.epsg(Int32(epsg), name: crs.name, definition: crs.wkt)
        let grids = Layer(
            name: "grids", geometryType: "POLYGON", srs: srs,
            fields: [FieldDefinition("code", .text), FieldDefinition("community_code", .text), FieldDefinition("kind", .text),
                     FieldDefinition("households", .integer), FieldDefinition("buildings", .integer),
                     FieldDefinition("shops", .integer), FieldDefinition("road_m", .real)],
            features: self.grids.enumerated().map { index, grid in
                Feature(fid: Int64(index + 1), geometry: grid.geometry, properties: [
                    "code": .text(grid.code), "community_code": .text(grid.communityCode), "kind": .text(grid.kind.rawValue),
                    "households": .integer(Int64(grid.households)), "buildings": .integer(Int64(grid.buildings)),
                    "shops": .integer(Int64(grid.shops)), "road_m": .real(Self.centimetres(grid.roadMetres)),
                ])
            })
        let microGrids = Layer(
            name: "microgrids", geometryType: "POLYGON", srs: srs,
            fields: [FieldDefinition("code", .text), FieldDefinition("grid_code", .text),
                     FieldDefinition("households", .integer), FieldDefinition("buildings", .integer)],
            features: self.microGrids.enumerated().map { index, micro in
                Feature(fid: Int64(index + 1), geometry: micro.geometry, properties: [
                    "code": .text(micro.code), "grid_code": .text(micro.gridCode),
                    "households": .integer(Int64(micro.households)), "buildings": .integer(Int64(micro.buildings)),
                ])
            })
        let assignments = Layer(
            name: "building_assignments",
            fields: [FieldDefinition("building_id", .text), FieldDefinition("grid_code", .text),
                     FieldDefinition("microgrid_code", .text), FieldDefinition("households", .integer)],
            features: self.assignments.enumerated().map { index, row in
                Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    "building_id": .text(row.buildingID), "grid_code": .text(row.gridCode),
                    "microgrid_code": .text(row.microGridCode), "households": .integer(Int64(row.households)),
                ])
            })
        let shops = Layer(
            name: "shop_assignments",
            fields: [FieldDefinition("shop_id", .text), FieldDefinition("grid_code", .text), FieldDefinition("microgrid_code", .text)],
            features: shopAssignments.enumerated().map { index, row in
                Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    "shop_id": .text(row.shopID), "grid_code": .text(row.gridCode), "microgrid_code": .text(row.microGridCode),
                ])
            })
        let roads = Layer(
            name: "road_assignments", geometryType: "LINESTRING", srs: srs,
            fields: [FieldDefinition("road_id", .text), FieldDefinition("grid_code", .text), FieldDefinition("length_m", .real)],
            features: roadAssignments.enumerated().map { index, row in
                Feature(fid: Int64(index + 1), geometry: row.geometry, properties: [
                    "road_id": .text(row.roadID), "grid_code": .text(row.gridCode), "length_m": .real(Self.centimetres(row.lengthMetres)),
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
            name: "unplaced_buildings",
            fields: [FieldDefinition("building_id", .text), FieldDefinition("households", .integer), FieldDefinition("reason", .text),
                     FieldDefinition("reason_en", .text), FieldDefinition("reason_zh", .text), FieldDefinition("detail", .text)],
            features: unplaced.enumerated().map { index, row in
                Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    "building_id": .text(row.buildingID), "households": .integer(Int64(row.households)),
                    "reason": .text(row.reason.code), "reason_en": .text(row.reason.english), "reason_zh": .text(row.reason.chinese),
                    "detail": row.detail.map { .text($0) } ?? .null,
                ])
            })
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
