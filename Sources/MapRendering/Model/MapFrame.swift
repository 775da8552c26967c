public import GeometryEngine

/// Places a rectangle of the world (metres, y north) on a picture (points, pixels or SVG
/// units, y down), keeping the aspect ratio.
public struct MapFrame: Hashable, Sendable {
    /// The world rectangle shown.
    public let world: Envelope
    /// Picture units per metre.
    public let scale: Double
    /// The margin around the world rectangle, in picture units.
    public let margin: Double
    public let width: Double
    public let height: Double
    /// Where the world's north-west corner lands on the picture.
    public let originX: Double
    public let originY: Double

    /// A frame `width` units wide showing `world`; the height follows from the aspect ratio.
    public init(world: Envelope, width: Double, margin: Double = 20) {
        let w = max(world.width, 1), h = max(world.height, 1)
        self.world = world
        self.margin = margin
        self.scale = max(width - 2 * margin, 1) / w
        self.width = width
        self.height = (h * scale + 2 * margin).rounded(.up)
        self.originX = margin
        self.originY = margin
    }

    /// `world` as large as fits in the box at (`x`, `y`) of `width` × `height`, centred in it.
    public init(world: Envelope, x: Double, y: Double, width: Double, height: Double) {
        let w = max(world.width, 1), h = max(world.height, 1)
        let scale = min(width / w, height / h)
        self.world = world
        self.scale = scale
        self.margin = 0
        self.width = width
        self.height = height
        self.originX = x + (width - w * scale) / 2
        self.originY = y + (height - h * scale) / 2
    }

    /// The picture position of a world point.
    @inlinable
    public func point(_ p: XY) -> XY {
        XY(originX + (p.x - world.minX) * scale, originY + (world.maxY - p.y) * scale)
    }
}
