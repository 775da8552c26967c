/// Where a point falls among the grids: the answer of `GridIndex.locate`.
///
/// Grids and micro-grids are given by their position in `GridIndex.grids` and
/// `GridIndex.microGrids` (the order of the file), so that a batch of answers is a flat array
/// with no strings in it.
public struct PointLocation: Hashable, Sendable {
    /// How the point relates to the grids.
    public enum Status: UInt8, Hashable, Sendable, CustomStringConvertible {
        /// In a grid, or on its boundary (by the boundary rule of `GridIndex`).
        case inside
        /// Outside every grid, but within the tolerance of one: the nearest.
        case near
        /// Farther than the tolerance from every grid.
        case outside

        public var description: String {
            switch self {
            case .inside: "inside"
            case .near: "near"
            case .outside: "outside"
            }
        }
    }

    public var status: Status
    /// -1 for none: kept as Int32 so that a location is 24 bytes.
    var gridNumber: Int32
    var microGridNumber: Int32
    /// Metres; NaN when outside.
    var metres: Double

    public init(status: Status, grid: Int?, microGrid: Int?, distance: Double?) {
        self.status = status
        self.gridNumber = grid.map { Int32($0) } ?? -1
        self.microGridNumber = microGrid.map { Int32($0) } ?? -1
        self.metres = distance ?? .nan
    }

    @inline(__always)
    init(_ status: Status, grid: Int32, microGrid: Int32, metres: Double) {
        self.status = status
        self.gridNumber = grid
        self.microGridNumber = microGrid
        self.metres = metres
    }

    /// Nowhere near a grid.
    public static let outside = PointLocation(.outside, grid: -1, microGrid: -1, metres: .nan)

    /// The grid's position in `GridIndex.grids`: the grid holding the point (`inside`) or the
    /// nearest one (`near`); nil when `outside`.
    public var grid: Int? { gridNumber >= 0 ? Int(gridNumber) : nil }

    /// The micro-grid's position in `GridIndex.microGrids`: always one of `grid`'s micro-grids;
    /// nil when the grid has none (or the point is `outside`).
    public var microGrid: Int? { microGridNumber >= 0 ? Int(microGridNumber) : nil }

    /// Metres to the grid: 0 when `inside`, the distance when `near`, nil when `outside`.
    public var distance: Double? { metres.isNaN ? nil : metres }

    public static func == (a: PointLocation, b: PointLocation) -> Bool {
        a.status == b.status && a.gridNumber == b.gridNumber && a.microGridNumber == b.microGridNumber
            && (a.metres == b.metres || (a.metres.isNaN && b.metres.isNaN))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(gridNumber)
        hasher.combine(microGridNumber)
        hasher.combine(metres.isNaN ? 0 : metres)
    }
}
