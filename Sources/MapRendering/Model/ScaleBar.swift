public import GeometryEngine

extension GridMap {
    /// Where a grid's label goes: a point inside it (GEOS's point on surface).
    public static func labelPoint(_ geometry: Geometry) -> XY? {
        PreparedMap.labelPoint(geometry)
    }
}

/// A scale bar of a round length (1, 2 or 5 times a power of ten metres) that fits `maxUnits`.
public struct ScaleBar: Hashable, Sendable {
    public let metres: Double
    public let units: Double

    public init(metresPerUnit: Double, maxUnits: Double) {
        let maxMetres = max(metresPerUnit * maxUnits, 1e-9)
        var power = 1.0
        while power * 10 <= maxMetres { power *= 10 }
        while power > maxMetres { power /= 10 }
        let metres = [5.0, 2.0, 1.0].map { $0 * power }.first { $0 <= maxMetres } ?? power
        self.metres = metres
        self.units = metres / metresPerUnit
    }

    /// `500 m`, `2 km`.
    public var label: String {
        metres >= 1000 ? "\(SVGText.number(metres / 1000, decimals: 1)) km" : "\(SVGText.number(metres, decimals: 1)) m"
    }
}
