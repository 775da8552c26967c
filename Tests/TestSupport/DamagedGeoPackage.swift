import Foundation
import GeometryEngine

/// Damages a GeoPackage the way a foreign tool can and GridWeave's writer never would: the
/// geometry of the feature at `offset` (in rowid order) of `layer` is replaced by `geometry`
/// with its first coordinate's x made NaN. Done by SQL with the `sqlite3` command (the layer's
/// R-tree triggers call functions only a spatial SQLite has, so they are dropped first).
public func putNaNCoordinate(into path: String, layer: String, offset: Int, geometry: Geometry, srsID: Int) throws {
    var first = true
    let broken = geometry.mapCoordinates { point in
        defer { first = false }
        return first ? XY(.nan, point.y) : point
    }
    // A GeoPackage binary header: "GP", version 0, flags 1 (little-endian, no envelope), srs_id.
    var blob: [UInt8] = [0x47, 0x50, 0x00, 0x01]
    withUnsafeBytes(of: Int32(srsID).littleEndian) { blob += $0 }
    blob += WKB.encode(broken)
    let hex = blob.map { String(format: "%02X", $0) }.joined()
    let sqlite = URL(fileURLWithPath: "/usr/bin/sqlite3")
    let triggers = try runProcess(sqlite, [path, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '\(layer)'"])
    let drops = triggers.stdout.split(separator: "\n").map { "DROP TRIGGER \"\($0)\";" }.joined()
    let update = "UPDATE \"\(layer)\" SET geom = X'\(hex)' WHERE rowid = (SELECT rowid FROM \"\(layer)\" ORDER BY rowid LIMIT 1 OFFSET \(offset))"
    let patched = try runProcess(sqlite, [path, drops + update])
    guard patched.status == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "sqlite3: \(patched.stderr)"])
    }
}
