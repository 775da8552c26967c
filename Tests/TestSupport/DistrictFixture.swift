import Foundation

/// A small district written as a folder of GeoJSON files, built feature by feature, for tests
/// that need exact control over what is in the input (including what is wrong with it).
public struct DistrictFixture {
    public var layers: [String: [[String: Any]]] = [:]

    public init() {}

    /// An axis-aligned rectangle ring in lon/lat, closed.
    public static func rectangle(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> [[Double]] {
        [[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY], [minX, minY]]
    }

    public mutating func add(_ layer: String, properties: [String: Any], geometry: [String: Any]?) {
        layers[layer, default: []].append([
            "type": "Feature",
            "properties": properties,
            "geometry": geometry ?? NSNull(),
        ])
    }

    public mutating func addPolygon(_ layer: String, _ properties: [String: Any], rings: [[[Double]]]) {
        add(layer, properties: properties, geometry: ["type": "Polygon", "coordinates": rings])
    }

    /// A district around Shanghai (121.47 E, 31.23 N): two communities side by side, each
    /// 0.01° wide, with a few buildings in each.
    public static func twoCommunities() -> DistrictFixture {
        var fixture = DistrictFixture()
        fixture.addPolygon("communities", ["code": "310101002001", "name": "West"], rings: [rectangle(121.47, 31.23, 121.48, 31.24)])
        fixture.addPolygon("communities", ["code": "310101002002", "name": "East"], rings: [rectangle(121.48, 31.23, 121.49, 31.24)])
        for i in 0..<4 {
            let x = 121.471 + Double(i) * 0.002
            fixture.addPolygon("buildings", ["id": "w\(i)", "households": 40 + i], rings: [rectangle(x, 31.231, x + 0.0005, 31.2312)])
            let e = 121.481 + Double(i) * 0.002
            fixture.addPolygon("buildings", ["id": "e\(i)", "households": 30], rings: [rectangle(e, 31.231, e + 0.0005, 31.2312)])
        }
        return fixture
    }

    /// Writes one `<layer>.geojson` per layer into `directory` (created if needed).
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, features) in layers {
            let collection: [String: Any] = ["type": "FeatureCollection", "features": features]
            let data = try JSONSerialization.data(withJSONObject: collection, options: [.sortedKeys])
            try data.write(to: directory.appendingPathComponent("\(name).geojson"))
        }
    }
}
