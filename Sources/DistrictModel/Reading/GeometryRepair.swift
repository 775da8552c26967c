import GeometryEngine

/// Cleans input geometry the way real data needs: closes open rings, drops degenerate ones,
/// repairs invalid polygons with make-valid. Each change comes back as a note for the report.
enum GeometryRepair {
    struct Result {
        var geometry: Geometry?
        var note: String?

        init(geometry: Geometry?, note: String? = nil) {
            self.geometry = geometry
            self.note = note
        }
    }

    /// A valid polygonal geometry (Polygon or MultiPolygon) from `geometry`, or nil when
    /// nothing of it is an area.
    static func polygonal(_ geometry: Geometry, context: GEOSContext) -> Result {
        var notes: [String] = []
        var polygons: [Polygon] = []
        for polygon in geometry.polygons {
            var rings: [[XY]] = []
            for ring in polygon.rings {
                var ring = ring
                if let first = ring.first, first != ring.last {
                    ring.append(first)
                    notes.append("closed an open ring")
                }
                guard ring.count >= 4 else {
                    notes.append(rings.isEmpty ? "dropped a polygon with fewer than 3 corners" : "dropped a degenerate hole")
                    if rings.isEmpty { break } else { continue }
                }
                rings.append(ring)
            }
            if !rings.isEmpty { polygons.append(Polygon(rings: rings)) }
        }
        guard !polygons.isEmpty else {
            return Result(geometry: nil, note: (notes + ["no area left"]).joined(separator: "; "))
        }
        var result: Geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
        do {
            let object = try GEOSObject(result, context: context)
            if try !object.isValid() {
                let reason = try object.validityReason()
                let repaired = try object.makeValid().geometry().polygons
                guard !repaired.isEmpty else {
                    return Result(geometry: nil, note: (notes + ["invalid (\(reason)) and no area left after make-valid"]).joined(separator: "; "))
                }
                result = repaired.count == 1 ? .polygon(repaired[0]) : .multiPolygon(repaired)
                notes.append("invalid (\(reason)): repaired with make-valid")
            }
        } catch {
            return Result(geometry: nil, note: (notes + ["GEOS cannot build it: \(error)"]).joined(separator: "; "))
        }
        return Result(geometry: result, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// The line strings of `geometry` with at least two distinct points, or nil when none.
    static func lineal(_ geometry: Geometry) -> Result {
        let lines = geometry.lineStrings.filter { Set($0).count >= 2 }
        guard !lines.isEmpty else { return Result(geometry: nil, note: "no line with two distinct points") }
        let dropped = geometry.lineStrings.count - lines.count
        let note = dropped > 0 ? "dropped \(dropped) degenerate line(s)" : nil
        return Result(geometry: lines.count == 1 ? .lineString(lines[0]) : .multiLineString(lines), note: note)
    }
}
