import CSQLite
import Foundation
public import GeometryEngine

/// What a GeoPackage says about one of its layers, without reading its rows.
public struct LayerInfo: Hashable, Sendable {
    /// The table name.
    public var name: String
    /// `gpkg_contents.data_type`: `"features"` or `"attributes"` (`"aspatial"` in old GDAL files).
    public var dataType: String
    /// `gpkg_contents.identifier`, a human-readable name.
    public var identifier: String?
    /// The integer primary key column (`fid` in files we and GDAL write), nil when there is none.
    public var fidColumn: String?
    /// The geometry column, nil for an attribute table.
    public var geometryColumn: String?
    /// `gpkg_geometry_columns.geometry_type_name`, upper-cased; nil for an attribute table.
    public var geometryType: String?
    /// `gpkg_geometry_columns.srs_id` as written, including the undefined -1 and 0.
    public var srsID: Int32?
    /// The CRS: the `gpkg_spatial_ref_sys` row of `srsID` (organization, organizationID,
    /// definition). Nil for an attribute table and for the undefined rows -1 and 0. An srs_id
    /// with no row still gives a reference (organization `"NONE"`, definition `"undefined"`).
    public var srs: SpatialReference?
    /// The attribute columns in table order, without the fid and geometry columns.
    public var fields: [FieldDefinition]
    /// The extent recorded in `gpkg_contents` (not recomputed), nil when not recorded.
    public var extent: Envelope?
}

/// Reads layers from a GeoPackage file (OGC 12-128r18, version 1.0 to 1.4) through one
/// read-only SQLite connection.
///
/// Geometry blobs are decoded in Swift (`GeoPackageBinary`, then `WKB.decode`) straight from
/// SQLite's buffer. Not `Sendable`: read on one thread, hand the `Layer` values to others.
public final class GeoPackageReader {
    /// The file, as the caller named it.
    public let path: String
    /// The feature and attribute tables listed in `gpkg_contents`, in the order they were added.
    public let layerNames: [String]
    private let database: SQLiteDatabase

    /// Opens the GeoPackage at `path` read-only.
    /// - Throws: `FeatureIOError` of kind `.fileNotFound` when there is no file, `.notAGeoPackage`
    ///   when it is not SQLite or has no `gpkg_contents` table, `.notARegularFile` for a FIFO, a
    ///   socket or a device.
    public init(path: String) throws {
        guard FileCheck.kind(of: path) != .directory else {
            throw FeatureIOError(.notAGeoPackage, "is a directory, not a GeoPackage file", file: path)
        }
        // SQLite's open would wait forever on a FIFO nobody writes to.
        try FileCheck.inputFile(path)
        let database = try SQLiteDatabase(path: path, mode: .readOnly)
        do {
            let contentsTables = try database.query(
                "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'"
            ) { $0.int64(0) }
            guard contentsTables.first == 1 else {
                throw FeatureIOError(.notAGeoPackage, "an SQLite database without a gpkg_contents table is not a GeoPackage",
                                     file: path)
            }
        } catch let error as FeatureIOError where error.sqliteCode == SQLITE_NOTADB {
            throw FeatureIOError(.notAGeoPackage, "not an SQLite database, so not a GeoPackage", file: path,
                                 sqliteCode: error.sqliteCode)
        }
        self.layerNames = try database.query(
            "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes', 'aspatial') ORDER BY rowid"
        ) { $0.text(0) ?? "" }
        self.database = database
        self.path = path
    }

    /// The schema and CRS of layer `name`.
    /// - Throws: `FeatureIOError` of kind `.layerNotFound` when the file lists no such layer.
    public func layerInfo(_ name: String) throws -> LayerInfo {
        do {
            return try readInfo(name)
        } catch let error as FeatureIOError {
            throw error.located(file: path, layer: name)
        }
    }

    /// Reads every feature of layer `name`, in fid order.
    /// - Throws: `FeatureIOError`: `.layerNotFound`; `.invalidGeometry` (with the layer and fid)
    ///   for a geometry blob that is not GeoPackage binary or not WKB; `.unsupported` for an
    ///   extended geometry type.
    public func readLayer(_ name: String) throws -> Layer {
        do {
            let info = try readInfo(name)
            return Layer(name: info.name, geometryType: info.geometryType, srs: info.srs, fields: info.fields,
                         features: try readFeatures(info))
        } catch let error as FeatureIOError {
            throw error.located(file: path, layer: name)
        }
    }

    /// Reads every layer, in `layerNames` order.
    public func readAll() throws -> [Layer] {
        try layerNames.map(readLayer)
    }

    private func readInfo(_ name: String) throws -> LayerInfo {
        let contents = try database.query(
            "SELECT data_type, identifier, min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?",
            bind: { try $0.bind(name, at: 1) }
        ) { row in
            (dataType: row.text(0) ?? "", identifier: row.text(1),
             extent: (0...3).contains { row.isNull($0) } ? nil
                : Envelope(minX: row.double(2), minY: row.double(3), maxX: row.double(4), maxY: row.double(5)))
        }
        guard let contents = contents.first, ["features", "attributes", "aspatial"].contains(contents.dataType) else {
            let known = layerNames.isEmpty ? "it has none" : "it has \(InputExcerpt.of(layerNames.joined(separator: ", ")))"
            throw FeatureIOError(.layerNotFound, "no feature or attribute table named \(InputExcerpt.of(name)) (\(known))")
        }
        var info = LayerInfo(name: name, dataType: contents.dataType, identifier: contents.identifier, fields: [],
                             extent: contents.extent)
        if contents.dataType == "features" {
            let columns = try database.query(
                "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                bind: { try $0.bind(name, at: 1) }
            ) { row in
                (column: row.text(0) ?? "", type: (row.text(1) ?? "GEOMETRY").uppercased(),
                 srsID: Int32(truncatingIfNeeded: row.int64(2)))
            }
            guard let column = columns.first else {
                throw FeatureIOError(.invalidLayer, "listed as features in gpkg_contents but has no gpkg_geometry_columns row")
            }
            info.geometryColumn = column.column
            info.geometryType = column.type
            info.srsID = column.srsID
            info.srs = try spatialReference(column.srsID)
        }
        let columns = try database.query("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid",
                                         bind: { try $0.bind(name, at: 1) }) { row in
            (name: row.text(0) ?? "", type: row.text(1) ?? "", primaryKey: row.int64(2))
        }
        guard !columns.isEmpty else { throw FeatureIOError(.invalidLayer, "listed in gpkg_contents but the table does not exist") }
        let primaryKeys = columns.filter { $0.primaryKey > 0 }
        if primaryKeys.count == 1, primaryKeys[0].type.uppercased() == "INTEGER" {
            info.fidColumn = primaryKeys[0].name
        }
        info.fields = columns
            .filter { $0.name != info.fidColumn && $0.name != info.geometryColumn }
            .map { FieldDefinition($0.name, FieldType(declaredType: $0.type)) }
        return info
    }

    /// The CRS of `srsID`; nil for the undefined rows.
    private func spatialReference(_ srsID: Int32) throws -> SpatialReference? {
        let rows = try database.query(
            "SELECT srs_name, organization, organization_coordsys_id, definition, description FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
            bind: { try $0.bind(Int64(srsID), at: 1) }
        ) { row in
            SpatialReference(srsID: srsID, organization: row.text(1) ?? "", organizationID: Int32(truncatingIfNeeded: row.int64(2)),
                             name: row.text(0) ?? "", definition: row.text(3) ?? "", description: row.text(4))
        }
        guard let srs = rows.first else {
            return SpatialReference(srsID: srsID, organization: "NONE", organizationID: srsID,
                                    name: "srs_id \(srsID), not in gpkg_spatial_ref_sys", definition: "undefined")
        }
        return srs.isUndefined ? nil : srs
    }

    private func readFeatures(_ info: LayerInfo) throws -> [Feature] {
        var columns: [String] = []
        if let fid = info.fidColumn { columns.append(fid) }
        if let geometry = info.geometryColumn { columns.append(geometry) }
        columns += info.fields.map(\.name)
        var sql = "SELECT \(columns.map(quoteIdentifier).joined(separator: ", ")) FROM \(quoteIdentifier(info.name))"
        if let fid = info.fidColumn { sql += " ORDER BY \(quoteIdentifier(fid))" }
        let statement = try database.prepare(sql)
        let fidIndex: Int32? = info.fidColumn == nil ? nil : 0
        let geometryIndex: Int32? = info.geometryColumn == nil ? nil : (fidIndex == nil ? 0 : 1)
        let firstField = Int32(columns.count - info.fields.count)
        var features: [Feature] = []
        while try statement.step() {
            let fid = fidIndex.flatMap { statement.isNull($0) ? nil : statement.int64($0) }
            var geometry: Geometry?
            if let geometryIndex, !statement.isNull(geometryIndex) {
                geometry = try readGeometry(statement, geometryIndex, fid: fid, row: features.count)
            }
            var properties: [String: FieldValue] = [:]
            properties.reserveCapacity(info.fields.count)
            for (offset, field) in info.fields.enumerated() {
                properties[field.name] = statement.value(firstField + Int32(offset))
            }
            features.append(Feature(fid: fid, geometry: geometry, properties: properties))
        }
        return features
    }

    private func readGeometry(_ statement: SQLiteStatement, _ column: Int32, fid: Int64?, row: Int) throws -> Geometry {
        func failure(_ kind: FeatureIOError.Kind, _ message: String) -> FeatureIOError {
            FeatureIOError(kind, message, featureID: fid.map(String.init), row: fid == nil ? row : nil)
        }
        guard sqlite3_column_type(statement.handle, column) == SQLITE_BLOB else {
            throw failure(.invalidGeometry, "geometry is stored as a number or text, not a GeoPackage geometry blob")
        }
        do {
            return try statement.withBlob(column) { bytes throws(GeoPackageBinary.DecodeError) in
                try GeoPackageBinary.decode(bytes)
            }
        } catch .malformed(let message) {
            throw failure(.invalidGeometry, message)
        } catch .extendedType {
            throw failure(.unsupported, "geometry has an extended GeoPackage geometry type, which this reader does not read")
        }
    }
}

@available(*, unavailable)
extension GeoPackageReader: Sendable {}
