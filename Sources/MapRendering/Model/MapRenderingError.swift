/// Why a map could not be drawn: the grids file, the layer and the feature at fault.
public struct MapRenderingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String?
    public var layer: String?
    public var featureID: String?
    public var message: String

    public init(_ message: String, file: String? = nil, layer: String? = nil, featureID: String? = nil) {
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.message = message
    }

    /// `error: grids.gpkg, layer grids, feature 7: ...`
    public var description: String {
        let location = [file, layer.map { "layer \($0)" }, featureID.map { "feature \($0)" }].compactMap { $0 }
        return location.isEmpty ? "error: \(message)" : "error: \(location.joined(separator: ", ")): \(message)"
    }
}
