public import FeatureIO
import Foundation
import Projections

extension Partition {
    /// The layers of `data.md`: `grids`, `microgrids` and `building_assignments`.
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
                    "shops": .integer(0), "road_m": .real(0),
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
        return [grids, microGrids, assignments]
    }

    /// Writes the partition as a GeoPackage at `path`, atomically (see `GeoPackageWriter`).
    public func write(to path: String) throws {
        try GeoPackageWriter.write(try layers(), to: path)
    }
}
