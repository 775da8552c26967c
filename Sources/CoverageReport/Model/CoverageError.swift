/// Why a coverage check could not run: input that cannot be read, named by file, layer,
/// feature, field or row. Problems in readable input are findings, not errors.
public struct CoverageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String?
    public var layer: String?
    public var featureID: String?
    public var field: String?
    /// The line in a CSV file (the header is line 1).
    public var line: Int?
    public var message: String

    public init(_ message: String, file: String? = nil, layer: String? = nil, featureID: String? = nil, field: String? = nil,
                line: Int? = nil) {
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.field = field
        self.line = line
        self.message = message
    }

    /// `error: grids.gpkg, layer grids, feature 12, field code: ...`
    public var description: String {
        let location = [file, layer.map { "layer \($0)" }, featureID.map { "feature \($0)" }, field.map { "field \($0)" },
                        line.map { "line \($0)" }].compactMap { $0 }
        return location.isEmpty ? "error: \(message)" : "error: \(location.joined(separator: ", ")): \(message)"
    }
}
