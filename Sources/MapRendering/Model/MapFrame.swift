public import GeometryEngine

/// Places a rectangle of the world (metres, y north) on a picture (pixels or SVG units, y down),
/// keeping the aspect ratio and a margin all round.
public struct MapFrame: Hashable, Sendable {
    /// The world rectangle shown.
    public let world: Envelope
    /// Picture units per metre.
    public let scale: Double
    /// The margin around the world rectangle, in picture units.
    public let margin: Double
    public let width: Double
    public let height: Double

    /// A frame `width` units wide showing `world`; the height follows from the aspect ratio.
    public init(world: Envelope, width: Double, margin: Double = 20) {
        let w = max(world.width, 1), h = max(world.height, 1)
        self.world = world
        self.margin = margin
        self.scale = max(width - 2 * margin, 1) / w
        self.width = width
        self.height = (h * scale + 2 * margin).rounded(.up)
    }

    /// The picture position of a world point.
    @inlinable
    public func point(_ p: XY) -> XY {
        XY(margin + (p.x - world.minX) * scale, margin + (world.maxY - p.y) * scale)
    }
}
