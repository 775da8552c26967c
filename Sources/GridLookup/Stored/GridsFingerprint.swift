import CSQLite
import FeatureIO
import GridSchema

/// The hash of what a lookup index is built from: the rows of a grids file's `grids` and
/// `microgrids` layers, their geometries' bytes and the fields the index reads, and the layers'
/// CRSs. A stored index answers only for the grids whose fingerprint it carries; a file edited
/// after `partition` (a geometry moved in QGIS, a code changed, a row added or deleted) has
/// another fingerprint, and the index is built again.
///
/// The bytes hashed (XXH64, seed 0), so that another tool can compute the same value:
///
/// - the text `gridweave-grids-v1\n`;
/// - per layer, `grids` then `microgrids`: `layer NAME absent\n` when the file has no such
///   table; else `layer NAME srs ORG:ID fields F1,F2,...\n` (ORG:ID from `gpkg_spatial_ref_sys`
///   for the layer's `srs_id`, empty when there is none; the fields are those of the index,
///   `code,community_code,kind` for grids and `code,grid_code` for micro-grids, each present or
///   shown as `-`), then per row in fid order: the fid (8 bytes, little endian), the geometry and
///   each present field as a value: one tag byte (0 NULL, 1 integer, 2 real, 3 text, 4 blob),
///   then 8 bytes little endian for an integer or a real (its IEEE 754 bits), or the length
///   (8 bytes little endian) and the bytes for a text or a blob.
enum GridsFingerprint {
    /// The fields of each layer that the index reads.
    static let fields: [(layer: String, fields: [String])] = [
        (PartitionSchema.Grids.layer, [PartitionSchema.Grids.code, PartitionSchema.Grids.communityCode, PartitionSchema.Grids.kind]),
        (PartitionSchema.MicroGrids.layer, [PartitionSchema.MicroGrids.code, PartitionSchema.MicroGrids.gridCode]),
    ]

    /// Why a fingerprint cannot be taken: the file is not a grids file this code can hash (the
    /// index is then built, which reports what is wrong with the file).
    struct Unavailable: Error {
        var reason: String
    }

    /// The fingerprint of the grids in the open file.
    static func compute(_ database: SQLiteDatabase) throws -> UInt64 {
        var stream = ByteStream()
        stream.append(text: "gridweave-grids-v1\n")
        for (layer, fields) in fields {
            try append(layer, fields: fields, from: database, to: &stream)
        }
        return stream.hash.finalize()
    }

    private static func append(_ layer: String, fields: [String], from database: SQLiteDatabase, to stream: inout ByteStream) throws {
        let columns = try database.query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid",
                                         bind: { try $0.bind(layer, at: 1) }, row: { ($0.text(0) ?? "", $0.int64(1)) })
        guard !columns.isEmpty else {
            stream.append(text: "layer \(layer) absent\n")
            return
        }
        let geometry = try database.query(
            "SELECT g.column_name, s.organization, s.organization_coordsys_id FROM gpkg_geometry_columns g "
                + "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = ?",
            bind: { try $0.bind(layer, at: 1) }, row: { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2) ?? "") })
        guard let found = geometry.first else {
            throw Unavailable(reason: "the layer \(layer) has no geometry column")
        }
        let (geometryColumn, organization, identifier) = found
        guard let fid = columns.first(where: { $0.1 == 1 })?.0 else {
            throw Unavailable(reason: "the layer \(layer) has no fid column")
        }
        let names = Set(columns.map(\.0))
        let present = fields.map { names.contains($0) ? $0 : nil }
        let srs = organization.isEmpty ? "" : "\(organization.uppercased()):\(identifier)"
        stream.append(text: "layer \(layer) srs \(srs) fields \(present.map { $0 ?? "-" }.joined(separator: ","))\n")
        let selected = [fid, geometryColumn] + present.compactMap { $0 }
        let statement = try database.prepare(
            "SELECT \(selected.map(quoteIdentifier).joined(separator: ", ")) FROM \(quoteIdentifier(layer)) ORDER BY \(quoteIdentifier(fid))")
        let valueCount = Int32(selected.count)
        while try statement.step() {
            stream.append(integer: statement.int64(0))
            for column in 1..<valueCount {
                stream.append(value: statement, column)
            }
        }
    }
}

/// Bytes in the fingerprint's encoding, hashed as they come (a city's rows are tens of
/// megabytes: gathering them first cost more than reading them).
struct ByteStream {
    var hash = XXHash64()

    mutating func append(text: String) {
        var text = text
        text.withUTF8 { hash.update(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(integer value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { hash.update($0) }
    }

    mutating func append(tag: UInt8) {
        withUnsafeBytes(of: tag) { hash.update($0) }
    }

    mutating func append(value statement: SQLiteStatement, _ column: Int32) {
        // sqlite3_column_type returns the storage class of the value in the current row.
        switch sqlite3_column_type(statement.handle, column) {
        case SQLITE_INTEGER:
            append(tag: 1)
            append(integer: statement.int64(column))
        case SQLITE_FLOAT:
            append(tag: 2)
            append(integer: Int64(bitPattern: statement.double(column).bitPattern))
        case SQLITE_TEXT:
            append(tag: 3)
            // sqlite3_column_text returns NULL only for NULL or out of memory; its length follows.
            let pointer = sqlite3_column_text(statement.handle, column)
            let count = Int(sqlite3_column_bytes(statement.handle, column))
            append(integer: Int64(count))
            if let pointer { hash.update(UnsafeRawBufferPointer(start: pointer, count: count)) }
        case SQLITE_BLOB:
            append(tag: 4)
            statement.withBlob(column) { blob in
                append(integer: Int64(blob.count))
                hash.update(blob)
            }
        default:
            append(tag: 0)
        }
    }
}
