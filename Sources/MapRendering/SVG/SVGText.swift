public import GeometryEngine

/// Text pieces of SVG and HTML: escaping, numbers with fixed precision, path data.
public enum SVGText {
    /// `s` with `&`, `<`, `>`, `"` and `'` escaped, safe in element text and in attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if c.value < 0x20 && c != "\t" && c != "\n" { out += " " } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// `value` with at most `decimals` digits after the point, trailing zeros dropped: the same
    /// text for the same number on every machine.
    public static func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let scaled = (value * factor).rounded()
        if scaled == 0 { return "0" }
        let negative = scaled < 0
        var digits = String(Int64(abs(scaled)))
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            let split = digits.index(digits.endIndex, offsetBy: -decimals)
            var fraction = String(digits[split...])
            while fraction.hasSuffix("0") { fraction.removeLast() }
            digits = String(digits[..<split]) + (fraction.isEmpty ? "" : "." + fraction)
        }
        return negative ? "-" + digits : digits
    }

    /// SVG path data for the polygons and lines of `geometry` placed by `frame`: one closed
    /// subpath per ring (use `fill-rule="evenodd"` for holes), one open subpath per line.
    public static func pathData(_ geometry: Geometry, frame: MapFrame, decimals: Int = 2) -> String {
        var out = ""
        func append(_ points: [XY], closed: Bool) {
            guard points.count >= 2 else { return }
            let count = closed && points.count > 2 && points.first == points.last ? points.count - 1 : points.count
            var last = ""
            for i in 0..<count {
                let p = frame.point(points[i])
                let pair = number(p.x, decimals: decimals) + " " + number(p.y, decimals: decimals)
                if i > 0 && pair == last { continue }
                out += (i == 0 ? "M" : "L") + pair
                last = pair
            }
            if closed { out += "Z" }
        }
        for polygon in geometry.polygons {
            for ring in polygon.rings { append(ring, closed: true) }
        }
        for line in geometry.lineStrings { append(line, closed: false) }
        return out
    }
}
