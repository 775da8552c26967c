public import Foundation
import GeometryEngine

/// Writes layers as a new GeoPackage 1.3 file that GDAL/OGR, QGIS and geopandas open as is.
///
/// Each feature layer gets an `fid INTEGER PRIMARY KEY AUTOINCREMENT` column, a `geom` column
/// declared with the layer's geometry type, and an R-tree spatial index (the
/// `gpkg_rtree_index` extension with its triggers). Attribute layers (`geometryType == nil`)
/// are plain tables with `data_type = 'attributes'`.
public enum GeoPackageWriter {
    /// The `last_change` written by default: 1970-01-01T00:00:00.000Z.
    ///
    /// A fixed time rather than the clock, so that the same layers always give a byte-identical
    /// file: partitions are compared, cached and checked into repositories by their bytes, and
    /// "codes are stable" (data.md) must hold for the file as well as for its rows.
    public static let fixedLastChange = Date(timeIntervalSince1970: 0)

    /// Writes `layers` to a new GeoPackage at `path`, replacing any file there only once the new
    /// one is complete.
    ///
    /// The file is built in one transaction with prepared statements under a temporary name in
    /// the same directory, flushed, and renamed over `path`; on any error the temporary file is
    /// removed and a previous file at `path` is left as it was.
    ///
    /// Each feature's `properties` must hold only fields of its layer, each NULL or of the
    /// field's type (an integer may go into a REAL field); each geometry must be of the layer's
    /// type (any type in a `GEOMETRY` layer; a multi-geometry also in a `GEOMETRYCOLLECTION`
    /// one) with finite coordinates. A feature without a fid gets the next free one.
    ///
    /// - Parameters:
    ///   - lastChange: the `gpkg_contents.last_change` of every layer. Defaults to
    ///     `fixedLastChange` so that output is byte-stable; pass the data's own time if it has one.
    /// - Throws: `FeatureIOError`: `.invalidLayer` for a reserved, duplicate or clashing name,
    ///   an unknown geometry type, or two different CRSs with one srs_id; `.invalidGeometry` and
    ///   `.invalidValue` (with layer, fid or row, and field) for a feature that does not fit,
    ///   or a fid given twice; `.write` when the file cannot be created or moved into place.
    public static func write(_ layers: [Layer], to path: String, lastChange: Date = fixedLastChange) throws {
        try write(layers, to: path, lastChange: lastChange, finishing: nil)
    }

    /// `write(_:to:lastChange:)`, then `finishing` on the finished file (its connection closed)
    /// before it is moved into place, to add tables of the caller's own (`gridweave partition`
    /// stores its lookup index); an error there leaves no file, as any other.
    public static func write(_ layers: [Layer], to path: String, lastChange: Date = fixedLastChange,
                             finishing: ((_ temporaryPath: String) throws -> Void)?) throws {
        let plan = try Plan(layers, file: path)
        let timestamp = lastChange.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        try AtomicFile.write(to: path) { temporary in
            // The connection (and its statements) is gone when fill returns, before the rename.
            try fill(temporary, plan, lastChange: timestamp)
            try finishing?(temporary)
        }
    }

    /// The layers checked, and the CRS rows they need, before a byte is written.
    private struct Plan {
        var layers: [Layer]
        var spatialReferences: [SpatialReference]

        init(_ layers: [Layer], file: String) throws {
            var byID = Dictionary(uniqueKeysWithValues: GeoPackageSchema.requiredSpatialReferences.map { ($0.srsID, $0) })
            var owner: [Int32: String] = [:]
            var names: Set<String> = []
            self.layers = []
            for var layer in layers {
                func invalid(_ message: String, field: String? = nil) -> FeatureIOError {
                    FeatureIOError(.invalidLayer, message, file: file, layer: layer.name, field: field)
                }
                let lowered = layer.name.lowercased()
                guard !layer.name.isEmpty else { throw invalid("a layer needs a name") }
                guard !["gpkg_", "rtree_", "sqlite_"].contains(where: lowered.hasPrefix) else {
                    throw invalid("names starting gpkg_, rtree_ or sqlite_ are reserved for GeoPackage and SQLite tables")
                }
                // SQLite table names ignore ASCII case.
                guard names.insert(lowered).inserted else { throw invalid("two layers have this name (letter case aside)") }
                var fieldNames: Set<String> = [GeoPackageSchema.fidColumn]
                if layer.geometryType != nil { fieldNames.insert(GeoPackageSchema.geometryColumn) }
                for field in layer.fields {
                    guard !field.name.isEmpty else { throw invalid("a field needs a name") }
                    guard fieldNames.insert(field.name.lowercased()).inserted else {
                        throw invalid("the name is taken by another field or by the fid or geometry column (letter case aside)",
                                      field: field.name)
                    }
                }
                if let type = layer.geometryType {
                    let upper = type.uppercased()
                    guard GeoPackageSchema.geometryTypes.contains(upper) else {
                        let known = GeoPackageSchema.geometryTypes.sorted().joined(separator: ", ")
                        throw invalid("unknown geometry type \(type) (expected one of \(known))")
                    }
                    layer.geometryType = upper
                    let srs = layer.srs ?? .undefinedCartesian
                    if let known = byID[srs.srsID], known != srs, owner[srs.srsID] != nil || known.isUndefined {
                        let other = owner[srs.srsID].map { "layer \($0)" } ?? "the GeoPackage's own undefined CRS"
                        throw invalid("srs_id \(srs.srsID) is already defined differently, by \(other)")
                    }
                    byID[srs.srsID] = srs
                    owner[srs.srsID] = owner[srs.srsID] ?? layer.name
                } else {
                    // An attribute table has no CRS.
                    layer.srs = nil
                }
                self.layers.append(layer)
            }
            spatialReferences = byID.values.sorted { $0.srsID < $1.srsID }
        }
    }

    private static func fill(_ path: String, _ plan: Plan, lastChange: String) throws {
        let database = try SQLiteDatabase(path: path, mode: .create)
        // The file is private until renamed, so it needs neither a journal nor fsync per commit.
        // The page size is GDAL's and SQLite's usual default, pinned so that the bytes do not
        // depend on how this SQLite was built.
        try database.execute("""
            PRAGMA page_size = 4096;
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA application_id = \(GeoPackageSchema.applicationID);
            PRAGMA user_version = \(GeoPackageSchema.userVersion);
            BEGIN;
            \(GeoPackageSchema.coreTables)
            """)
        let insertSRS = try database.prepare("""
            INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for srs in plan.spatialReferences {
            try insertSRS.bind(srs.name, at: 1)
            try insertSRS.bind(Int64(srs.srsID), at: 2)
            try insertSRS.bind(srs.organization, at: 3)
            try insertSRS.bind(Int64(srs.organizationID), at: 4)
            try insertSRS.bind(srs.definition, at: 5)
            try insertSRS.bind(srs.description.map(FieldValue.text) ?? .null, at: 6)
            try insertSRS.step()
            insertSRS.reset()
        }
        for layer in plan.layers {
            do {
                try LayerWriter(database: database, layer: layer, lastChange: lastChange).write()
            } catch let error as FeatureIOError {
                throw error.located(layer: layer.name)
            }
        }
        try database.execute("COMMIT")
    }
}

/// Writes one layer: its table, rows, R-tree, triggers and metadata rows.
private struct LayerWriter {
    let database: SQLiteDatabase
    let layer: Layer
    let lastChange: String
    var srsID: Int32 { layer.srs?.srsID ?? SpatialReference.undefinedCartesian.srsID }
    var table: String { quoteIdentifier(layer.name) }

    func write() throws {
        let fid = GeoPackageSchema.fidColumn
        let geom = GeoPackageSchema.geometryColumn
        var columns = ["\(quoteIdentifier(fid)) INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
        if let type = layer.geometryType { columns.append("\(quoteIdentifier(geom)) \(type)") }
        columns += layer.fields.map { "\(quoteIdentifier($0.name)) \($0.type.rawValue)" }
        try database.execute("CREATE TABLE \(table) (\(columns.joined(separator: ", ")))")

        let (extent, index) = try insertFeatures()

        let contents = try database.prepare("""
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
            VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)
            """)
        try contents.bind(layer.name, at: 1)
        try contents.bind(layer.geometryType == nil ? "attributes" : "features", at: 2)
        try contents.bind(layer.name, at: 3)
        try contents.bind(lastChange, at: 4)
        if let extent {
            for (offset, value) in [extent.minX, extent.minY, extent.maxX, extent.maxY].enumerated() {
                try contents.bind(value, at: 5 + Int32(offset))
            }
        }
        if layer.geometryType != nil { try contents.bind(Int64(srsID), at: 9) }
        try contents.step()

        guard let type = layer.geometryType else { return }
        let geometryColumns = try database.prepare("""
            INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
            VALUES (?, ?, ?, ?, 0, 0)
            """)
        try geometryColumns.bind(layer.name, at: 1)
        try geometryColumns.bind(geom, at: 2)
        try geometryColumns.bind(type, at: 3)
        try geometryColumns.bind(Int64(srsID), at: 4)
        try geometryColumns.step()
        try writeSpatialIndex(index)
    }

    /// Inserts every feature; returns the layer's extent and each indexed fid's envelope.
    private func insertFeatures() throws -> (extent: Envelope?, index: [(id: Int64, envelope: Envelope)]) {
        var columns = [quoteIdentifier(GeoPackageSchema.fidColumn)]
        if layer.geometryType != nil { columns.append(quoteIdentifier(GeoPackageSchema.geometryColumn)) }
        columns += layer.fields.map { quoteIdentifier($0.name) }
        let insert = try database.prepare("""
            INSERT INTO \(table) (\(columns.joined(separator: ", "))) \
            VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
            """)
        let firstField: Int32 = layer.geometryType == nil ? 2 : 3
        let fieldNames = Set(layer.fields.map(\.name))
        var blob: [UInt8] = []
        var extent: Envelope?
        var index: [(id: Int64, envelope: Envelope)] = []
        index.reserveCapacity(layer.features.count)

        for (row, feature) in layer.features.enumerated() {
            do {
                if let fid = feature.fid { try insert.bind(fid, at: 1) } else { try insert.bindNull(1) }
                var envelope: Envelope?
                if layer.geometryType != nil {
                    envelope = try bindGeometry(feature.geometry, to: insert, blob: &blob)
                } else if feature.geometry != nil {
                    throw FeatureIOError(.invalidGeometry, "an attribute table (no geometry type) cannot hold a geometry")
                }
                var matched = 0
                for (offset, field) in layer.fields.enumerated() {
                    let given = feature.properties[field.name]
                    if given != nil { matched += 1 }
                    let value = given ?? .null
                    guard field.type.accepts(value) else {
                        throw FeatureIOError(.invalidValue, "\(value) (\(value.type?.rawValue ?? "NULL")) does not fit the field's "
                                             + "type \(field.type.rawValue)", field: field.name)
                    }
                    let parameter = firstField + Int32(offset)
                    if field.type == .real, case .integer(let integer) = value {
                        try insert.bind(Double(integer), at: parameter)
                    } else {
                        try insert.bind(value, at: parameter)
                    }
                }
                if matched != feature.properties.count {
                    let unknown = feature.properties.keys.filter { !fieldNames.contains($0) }.sorted()
                    throw FeatureIOError(.invalidValue, "the layer has no field named \(unknown.joined(separator: ", "))",
                                         field: unknown.first)
                }
                do {
                    try insert.step()
                } catch let error as FeatureIOError where error.sqliteCode == sqliteConstraintPrimaryKey {
                    throw FeatureIOError(.invalidValue, "fid \(feature.fid ?? 0) is taken by an earlier feature",
                                         field: GeoPackageSchema.fidColumn)
                }
                insert.reset()
                if let envelope {
                    // The rowid is the fid: the one given, or the one SQLite just assigned.
                    index.append((database.lastInsertRowID, envelope))
                    extent = extent?.union(envelope) ?? envelope
                }
            } catch let error as FeatureIOError {
                insert.reset()
                throw error.located(featureID: feature.fid.map(String.init), row: row)
            }
        }
        return (extent, index)
    }

    /// Binds the geometry blob (or NULL) as parameter 2; returns the envelope to index.
    private func bindGeometry(_ geometry: Geometry?, to insert: SQLiteStatement, blob: inout [UInt8]) throws -> Envelope? {
        guard let geometry else {
            try insert.bindNull(2)
            return nil
        }
        guard accepts(geometry) else {
            throw FeatureIOError(.invalidGeometry, "a \(geometry.typeName) cannot go into a \(layer.geometryType ?? "") layer")
        }
        let envelope: Envelope?
        do {
            envelope = try geometry.checkedEnvelope()
        } catch {
            throw FeatureIOError(.invalidGeometry, "coordinate \(error.point) is not a finite number")
        }
        GeoPackageBinary.encode(geometry, srsID: srsID, envelope: envelope, into: &blob)
        try insert.bind(blob: blob, at: 2)
        return envelope
    }

    /// Whether the layer's declared geometry type admits `geometry` (GeoPackage 1.3, Annex E).
    private func accepts(_ geometry: Geometry) -> Bool {
        switch layer.geometryType {
        case "GEOMETRY": true
        case "GEOMETRYCOLLECTION":
            switch geometry {
            case .geometryCollection, .multiPoint, .multiLineString, .multiPolygon: true
            default: false
            }
        case let type: geometry.typeName == type
        }
    }

    /// Creates and fills `rtree_<t>_geom`, then its triggers and extension row.
    private func writeSpatialIndex(_ index: [(id: Int64, envelope: Envelope)]) throws {
        let geom = GeoPackageSchema.geometryColumn
        let rtree = quoteIdentifier(GeoPackageSchema.rtreeTable(layer.name))
        try database.execute("CREATE VIRTUAL TABLE \(rtree) USING rtree(id, minx, maxx, miny, maxy)")
        try RTreeBulkLoader(database: database, table: GeoPackageSchema.rtreeTable(layer.name)).load(index)
        try database.execute(GeoPackageSchema.rtreeTriggers(table: layer.name))
        let rtreeExtension = GeoPackageSchema.rtreeExtension
        try database.execute("""
            INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
            VALUES (\(quoteLiteral(layer.name)), \(quoteLiteral(geom)), \(quoteLiteral(rtreeExtension.name)), \
            \(quoteLiteral(rtreeExtension.definition)), \(quoteLiteral(rtreeExtension.scope)))
            """)
    }
}
