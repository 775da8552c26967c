import Foundation
import GridLookup

/// A lookup's answer in a form every interface can be brought to: a JSON result, a CSV row,
/// a `PointLocation` from the index.
struct Answer: Hashable, CustomStringConvertible {
    var gridCode: String
    var microGridCode: String
    var communityCode: String
    var status: String
    /// Metres; nil when outside or invalid.
    var distance: Double?

    /// From a result object of the server (`null` as empty, like the CSV).
    init?(json: Any?) {
        guard let object = json as? [String: Any], let status = object["status"] as? String else { return nil }
        func text(_ key: String) -> String { object[key] as? String ?? "" }
        gridCode = text("grid_code")
        microGridCode = text("microgrid_code")
        communityCode = text("community_code")
        self.status = status
        distance = (object["distance_m"] as? NSNumber)?.doubleValue
    }

    /// From a row of `gridweave locate`: id, grid_code, microgrid_code, community_code, status, distance_m.
    init(csv fields: [String]) {
        gridCode = fields[1]
        microGridCode = fields[2]
        communityCode = fields[3]
        status = fields[4]
        distance = Double(fields[5])
    }

    /// From the index itself, with the distance rounded to centimetres as every interface writes it.
    init(_ location: PointLocation, in index: GridIndex) {
        gridCode = location.grid.map { index.grids[$0].code } ?? ""
        microGridCode = location.microGrid.map { index.microGrids[$0].code } ?? ""
        communityCode = location.grid.map { index.grids[$0].communityCode } ?? ""
        status = location.status.description
        distance = location.distance.map { ($0 * 100).rounded() / 100 }
    }

    var description: String {
        "\(status) \(gridCode)/\(microGridCode)/\(communityCode) \(distance.map { "\($0) m" } ?? "-")"
    }
}

/// Rows of a CSV without quoted fields, header dropped.
func csvRows(_ text: String) -> [[String]] {
    text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
}
