import FeatureIO
import Foundation
import GeometryEngine

/// Events to check: CSV with a header naming `id`, `lon` and `lat` (extra columns ignored).
struct EventsFile {
    struct Event {
        /// The line in the file (the header is line 1).
        var line: Int
        var id: String
        var lonLat: XY
    }

    struct BadRow {
        var line: Int
        var id: String?
        var reason: String
    }

    var events: [Event] = []
    var badRows: [BadRow] = []

    /// - Throws: `CoverageError` for a file that cannot be read or a header without id, lon or lat.
    static func read(_ path: String) throws -> EventsFile {
        let data: Data
        do {
            // Reading a FIFO nobody writes to would wait forever.
            try FileCheck.inputFile(path)
        } catch {
            throw CoverageError(error.message, file: path)
        }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CoverageError("cannot read the events file: \(error.localizedDescription)", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CoverageError("the events file is not UTF-8 text", file: path, line: 1)
        }
        var rows = parse(text)
        guard !rows.isEmpty else { throw CoverageError("the events file is empty: it needs a header id,lon,lat", file: path, line: 1) }
        let header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var columns: [String: Int] = [:]
        for name in ["id", "lon", "lat"] {
            guard let index = header.firstIndex(of: name) else {
                throw CoverageError("the header has no \(name) column (it has \(InputExcerpt.of(header.joined(separator: ","))))", file: path, line: 1)
            }
            columns[name] = index
        }
        let idColumn = columns["id"] ?? 0, lonColumn = columns["lon"] ?? 1, latColumn = columns["lat"] ?? 2
        var file = EventsFile()
        for row in rows {
            if row.fields.count == 1 && row.fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let id = row.fields.indices.contains(idColumn) ? row.fields[idColumn] : nil
            guard row.fields.count == header.count else {
                file.badRows.append(BadRow(line: row.line, id: id, reason: "\(row.fields.count) fields where the header has \(header.count)"))
                continue
            }
            let lonText = row.fields[lonColumn].trimmingCharacters(in: .whitespaces)
            let latText = row.fields[latColumn].trimmingCharacters(in: .whitespaces)
            guard let lon = Double(lonText), let lat = Double(latText), lon.isFinite, lat.isFinite else {
                file.badRows.append(BadRow(line: row.line, id: id, reason: "lon \"\(InputExcerpt.of(lonText, limit: 32))\", lat \"\(InputExcerpt.of(latText, limit: 32))\" are not both numbers"))
                continue
            }
            guard abs(lon) <= 180, abs(lat) <= 90 else {
                file.badRows.append(BadRow(line: row.line, id: id, reason: "lon \(lonText), lat \(latText) is not a place on Earth"))
                continue
            }
            file.events.append(Event(line: row.line, id: row.fields[idColumn], lonLat: XY(lon, lat)))
        }
        return file
    }

    /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
    static func parse(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        var atStart = true
        while let c = pending {
            pending = iterator.next()
            if quoted {
                if c == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = iterator.next() } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true; atStart = false
            case ",": fields.append(field); field = ""; atStart = false
            case "\r": continue
            case "\n":
                fields.append(field)
                records.append((recordLine, fields))
                fields = []; field = ""; line += 1; recordLine = line; atStart = true
            default: field.unicodeScalars.append(c); atStart = false
            }
        }
        if !atStart || !fields.isEmpty || !field.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        if let first = records.first?.fields.first, first.hasPrefix("\u{FEFF}") {
            records[0].fields[0] = String(first.dropFirst())
        }
        return records
    }
}
