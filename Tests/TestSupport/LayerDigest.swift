import CSQLite
import Foundation

/// The SHA-256 of every table a GeoPackage holds for its user (its feature and attribute
/// layers, as `gpkg_contents` lists them), over the table's columns (name and declared type)
/// and then its rows in rowid order, each value with its storage class: integers and reals by
/// their bits, text and blobs (the geometry) byte for byte. Two files with equal digests hold
/// the same layers, rows and geometries exactly; timestamps in the GeoPackage's own tables do
/// not count.
public func layerDigests(ofGeoPackage path: String) throws -> [String: String] {
    var handle: OpaquePointer?
    // returns SQLITE_OK on success; the handle must be closed even on failure
    let opened = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil)
    defer { sqlite3_close(handle) }
    guard opened == SQLITE_OK, let db = handle else { throw DigestError(path: path, message: "cannot open") }
    let tables = try rows(db, "SELECT table_name FROM gpkg_contents ORDER BY table_name", path: path).map { row in
        String(decoding: row[0].bytes, as: UTF8.self)
    }
    var digests: [String: String] = [:]
    for table in tables {
        var hasher = SHA256()
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        for column in try rows(db, "SELECT name, type FROM pragma_table_info('\(table.replacingOccurrences(of: "'", with: "''"))') ORDER BY cid", path: path) {
            hasher.update("column \(String(decoding: column[0].bytes, as: UTF8.self)) \(String(decoding: column[1].bytes, as: UTF8.self))\n")
        }
        for row in try rows(db, "SELECT * FROM \(quoted) ORDER BY rowid", path: path) {
            for value in row {
                hasher.update([value.type])
                hasher.update(withUnsafeBytes(of: UInt64(value.bytes.count).littleEndian) { Array($0) })
                hasher.update(value.bytes)
            }
            hasher.update([0x0A])
        }
        digests[table] = hasher.hexDigest()
    }
    return digests
}

public struct DigestError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

private struct Value {
    var type: UInt8
    var bytes: [UInt8]
}

private func rows(_ db: OpaquePointer, _ sql: String, path: String) throws -> [[Value]] {
    var statement: OpaquePointer?
    // returns SQLITE_OK when the SQL compiled
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
        throw DigestError(path: path, message: String(cString: sqlite3_errmsg(db)))
    }
    defer { sqlite3_finalize(statement) }
    var result: [[Value]] = []
    while true {
        // returns SQLITE_ROW per row, SQLITE_DONE at the end, anything else on error
        let step = sqlite3_step(statement)
        if step == SQLITE_DONE { break }
        guard step == SQLITE_ROW else { throw DigestError(path: path, message: String(cString: sqlite3_errmsg(db))) }
        var row: [Value] = []
        for column in 0..<sqlite3_column_count(statement) {
            let type = sqlite3_column_type(statement, column)
            switch type {
            case SQLITE_INTEGER:
                row.append(Value(type: 1, bytes: withUnsafeBytes(of: sqlite3_column_int64(statement, column).littleEndian) { Array($0) }))
            case SQLITE_FLOAT:
                row.append(Value(type: 2, bytes: withUnsafeBytes(of: sqlite3_column_double(statement, column).bitPattern.littleEndian) { Array($0) }))
            case SQLITE_NULL:
                row.append(Value(type: 5, bytes: []))
            default:
                let count = Int(sqlite3_column_bytes(statement, column))
                let pointer = type == SQLITE_TEXT
                    ? UnsafeRawPointer(sqlite3_column_text(statement, column))
                    : sqlite3_column_blob(statement, column)
                let bytes = pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
                row.append(Value(type: UInt8(type), bytes: bytes))
            }
        }
        result.append(row)
    }
    return result
}
