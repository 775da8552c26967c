import FeatureIO
import Foundation
import GeometryEngine
import Projections

/// The files of a coverage report: `index.html`, `summary.json` and `findings.geojson`.
public enum CoverageReport {
    /// The names of the files, in the order they are written.
    public static let fileNames = ["findings.geojson", "summary.json", "index.html"]

    /// Writes the report into `directory` (created when missing). Every file is built in memory
    /// first and then written to a temporary file renamed into place (`AtomicFile`), so that a
    /// failure leaves no file half-written; a report file that is a FIFO, a device or a
    /// directory is refused, a symbolic link written through.
    /// - Throws: `CoverageError` naming the directory or file that could not be written.
    public static func write(_ result: CoverageResult, to directory: String) throws {
        let contents = try [
            ("findings.geojson", findingsGeoJSON(result)),
            ("summary.json", summaryJSON(result)),
            ("index.html", HTMLPage(result: result).render()),
        ]
        do {
            try FileCheck.outputDirectory(directory)
        } catch {
            throw CoverageError(error.message, file: directory)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CoverageError("cannot create the report directory: \(error.localizedDescription)", file: directory)
        }
        let paths = contents.map { (directory as NSString).appendingPathComponent($0.0) }
        // Every file is checked before the first is written, so a refused one leaves no report half-replaced.
        for path in paths {
            do {
                _ = try FileCheck.outputFile(path)
            } catch {
                throw CoverageError(error.message, file: path)
            }
        }
        for (path, (_, text)) in zip(paths, contents) {
            try writeAtomically(text, to: path)
        }
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        do {
            try AtomicFile.write(Array(text.utf8), to: path)
        } catch let error as FeatureIOError {
            throw CoverageError(error.message, file: path)
        }
    }

    /// One feature per finding, in WGS 84 longitude/latitude (RFC 7946), with `id`, `kind`,
    /// `detail`, `subject` and `measure` (m² of a gap, households of a grid out of range, ...).
    public static func findingsGeoJSON(_ result: CoverageResult) throws -> String {
        let toWGS84 = try CoordinateTransformer(from: result.epsg, to: 4326)
        var features: [Feature] = []
        for finding in result.findings {
            var properties: [String: FieldValue] = [
                "id": .text(finding.id), "kind": .text(finding.kind.rawValue), "detail": .text(finding.detail), "detail_zh": .text(finding.chineseDetail),
                "subject": .text(finding.subject),
            ]
            if let measure = finding.measure { properties["measure"] = .real((measure * 100).rounded() / 100) }
            let geometry = try finding.geometry.map { try toWGS84.transform($0).mapCoordinates(roundDegrees) }
            features.append(Feature(geometry: geometry, properties: properties))
        }
        let layer = Layer(name: "findings", geometryType: "GEOMETRY", srs: .wgs84,
                          fields: [FieldDefinition("id", .text), FieldDefinition("kind", .text), FieldDefinition("detail", .text), FieldDefinition("detail_zh", .text),
                                   FieldDefinition("subject", .text), FieldDefinition("measure", .real)],
                          features: features)
        do {
            return try GeoJSON.encode(layer)
        } catch {
            throw CoverageError(error.message, file: "findings.geojson", featureID: error.row.map { "\($0 + 1)" })
        }
    }

    /// Nine decimals of a degree, about a millimetre: enough for a 0.3 m sliver, and stable bytes.
    static func roundDegrees(_ p: XY) -> XY {
        XY((p.x * 1e9).rounded() / 1e9, (p.y * 1e9).rounded() / 1e9)
    }

    /// The counts per kind and the headline numbers, keys sorted.
    public static func summaryJSON(_ result: CoverageResult) -> String {
        let s = result.statistics
        func string(_ text: String) -> String {
            var out = "\""
            for c in text.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default:
                    if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
                }
            }
            return out + "\""
        }
        let findings = result.counts.map { "    \(string($0.kind.rawValue)): \($0.count)" }.joined(separator: ",\n")
        let o = result.options
        return """
            {
              "communities": \(s.communities),
              "coverage_percent": \(String(format: "%.4f", s.coveragePercent)),
              "district": \(result.districtPath.map(string) ?? "null"),
              "epsg": \(result.epsg),
              "events": \(result.eventsPath.map(string) ?? "null"),
              "findings": {
            \(findings)
              },
              "grids": \(s.grids),
              "grids_file": \(string(result.gridsPath)),
              "households": \(s.households),
              "microgrids": \(s.microGrids),
              "notes": [\(result.notes.map(string).joined(separator: ", "))],
              "thresholds": {"dust_area_m2": \(o.dustArea), "grid_max": \(o.bounds.gridMax), "grid_min": \(o.bounds.gridMin), \
            "micro_max": \(o.bounds.microMax), "micro_min": \(o.bounds.microMin), "sliver_width_m": \(o.sliverWidth)},
              "total_findings": \(result.findings.count)
            }

            """
    }
}
