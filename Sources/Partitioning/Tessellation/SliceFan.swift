import GeometryEngine

/// How a building cut into slices shares out the land of its cell.
///
/// The cuts cross the footprint square to its long axis: the slices are its entrance units,
/// side by side. Beyond the footprint there are two ways to go on.
/// - Straight on, across the whole cell: a slice's land is the strip beside it. A building cut
///   in two grids gives each half the cell, which suits it.
/// - Split (`split`): the land on one side of the building goes to the first half of the
///   slices, the land on the other side to the rest, each side fanned out among its slices by
///   cuts leaning toward points spread evenly along the cell's far edge. For a building that
///   fills three grids or more in a deep cell (a slab alone in a large block), straight cuts
///   give the middle grids strips a few metres wide running the depth of the block; split,
///   each grid is a sector of one side.
///
/// Coordinates: `t` along the axis from `origin` (the footprint spans 0...`length`), `s`
/// across it (the footprint's minimum rotated rectangle spans `low`...`high`).
struct SliceFan {
    let origin: XY
    let along: XY
    let across: XY
    let length: Double
    let count: Int
    /// Where the cuts cross the axis: `cuts[k]` for k in 0...count, the footprint's ends included.
    let cuts: [Double]
    let low: Double
    let high: Double
    /// Where the cell ends across the axis on either side.
    let top: Double
    let bottom: Double
    /// With `split`, the first slice whose land lies below the footprint (`s < low`); the
    /// slices before it take the land above.
    let split: Int?
    /// Per cut (1..<count, stored from 0), where its line meets `top` and `bottom`, along the axis.
    let topTargets: [Double]
    let bottomTargets: [Double]

    /// The steepest lean of a cut beyond the footprint, as run over rise (about 70°).
    static let maxLean = 2.75
    /// Depth of the cell beyond the footprint assumed when it is less (metres).
    static let minDepth = 1.0
    /// How deep the cell must reach on both sides, in building lengths, for the land to be split.
    static let splitDepth = 0.5

    /// The slices of a building cut into `count` along `axis`, whose footprint's minimum
    /// rotated rectangle has the corners `footprint`, in a cell with the vertices `cell` (or
    /// those of the parts of it nearest the building); `splits` when the building fills three
    /// grids or more, so that the land is split if the cell is deep enough.
    init(axis: (origin: XY, direction: XY, length: Double), count: Int, footprint: [XY], cell: [XY], splits: Bool) {
        origin = axis.origin
        along = axis.direction
        across = XY(-axis.direction.y, axis.direction.x)
        length = axis.length
        self.count = count
        cuts = (0...count).map { axis.length * Double($0) / Double(count) }
        var low = 0.0, high = 0.0
        for point in footprint {
            let s = (point.x - origin.x) * across.x + (point.y - origin.y) * across.y
            low = Swift.min(low, s)
            high = Swift.max(high, s)
        }
        self.low = low
        self.high = high
        // The cell's reach on each side, and its span along the axis there.
        var top = high + Self.minDepth, bottom = low - Self.minDepth
        var topSpan = (min: 0.0, max: axis.length), bottomSpan = topSpan
        for point in cell {
            let t = (point.x - origin.x) * along.x + (point.y - origin.y) * along.y
            let s = (point.x - origin.x) * across.x + (point.y - origin.y) * across.y
            if s > high {
                top = Swift.max(top, s)
                topSpan = (Swift.min(topSpan.min, t), Swift.max(topSpan.max, t))
            } else if s < low {
                bottom = Swift.min(bottom, s)
                bottomSpan = (Swift.min(bottomSpan.min, t), Swift.max(bottomSpan.max, t))
            }
        }
        self.top = top
        self.bottom = bottom
        let straight = Array(cuts[1..<Swift.max(count, 1)])
        guard splits, count >= 3, Swift.min(top - high, low - bottom) >= Self.splitDepth * axis.length else {
            split = nil
            topTargets = straight
            bottomTargets = straight
            return
        }
        let m = (count + 1) / 2
        split = m
        // Cut k of the `of` cuts on a side leans toward the k-th of `of` points along its far
        // edge. The span covers the footprint's, so the cuts diverge; the clamped lean still
        // grows with k, so they keep their order.
        func spread(_ k: Int, of parts: Int, span: (min: Double, max: Double), depth: Double, cut: Int) -> Double {
            let t = straight[cut - 1]
            let target = span.min + (span.max - span.min) * Double(k) / Double(parts)
            return t + Swift.max(-Self.maxLean * depth, Swift.min(Self.maxLean * depth, target - t))
        }
        topTargets = (1..<count).map { k in k < m ? spread(k, of: m, span: topSpan, depth: top - high, cut: k) : straight[k - 1] }
        bottomTargets = (1..<count).map { k in
            k > m ? spread(k - m, of: count - m, span: bottomSpan, depth: low - bottom, cut: k) : straight[k - 1]
        }
    }

    /// Where cut `k` (1..<count) crosses the line `s` across the axis, along it.
    func cut(_ k: Int, at s: Double) -> Double {
        let t = cuts[k]
        if s > high { return t + (topTargets[k - 1] - t) * (s - high) / (top - high) }
        if s < low { return t + (bottomTargets[k - 1] - t) * (low - s) / (low - bottom) }
        return t
    }

    /// The slice whose land `point` is in.
    func slice(of point: XY) -> Int {
        let t = (point.x - origin.x) * along.x + (point.y - origin.y) * along.y
        let s = (point.x - origin.x) * across.x + (point.y - origin.y) * across.y
        guard let m = split else { return (1..<Swift.max(count, 1)).count { t > cut($0, at: s) } }
        if s > high { return (1..<m).count { t > cut($0, at: s) } }
        if s < low { return m + (m + 1..<count).count { t > cut($0, at: s) } }
        // Beside the footprint's ends, the axis line parts the two sides.
        let above = s >= (low + high) / 2
        if t < 0 { return above ? 0 : m }
        if t > length { return above ? m - 1 : count - 1 }
        return (1..<count).count { t > cut($0, at: s) }
    }

    /// Whether `point`, outside the footprint's rectangle, lies above its long axis; nil inside.
    func sideBeyondFootprint(_ point: XY) -> Bool? {
        let t = (point.x - origin.x) * along.x + (point.y - origin.y) * along.y
        let s = (point.x - origin.x) * across.x + (point.y - origin.y) * across.y
        guard t < 0 || t > length || s < low || s > high else { return nil }
        return s > (low + high) / 2
    }

    /// The cuts as lines, reaching `reach` metres beyond the footprint on either side.
    func lines(reach: Double) -> [[XY]] {
        func point(_ t: Double, _ s: Double) -> XY {
            XY(origin.x + along.x * t + across.x * s, origin.y + along.y * t + across.y * s)
        }
        let upper = high + reach, lower = low - reach
        guard let m = split else {
            return (1..<Swift.max(count, 1)).map { [point(cut($0, at: lower), lower), point(cuts[$0], low), point(cuts[$0], high), point(cut($0, at: upper), upper)] }
        }
        // The axis beyond the ends, and the footprint's edges where its slices take no land
        // beyond, through the very points where the cuts meet them: a cut that ends a rounding
        // error short of a line is not noded to it, and polygonize drops it.
        let mid = (low + high) / 2
        var lines: [[XY]] = [[point(-reach, mid), point(0, mid)], [point(length, mid), point(length + reach, mid)],
                             cuts[m...].map { point($0, high) } + [point(length, mid)],
                             [point(0, mid)] + cuts[...m].map { point($0, low) }]
        for k in 1..<count {
            var line = [point(cuts[k], low), point(cuts[k], high)]
            if k < m { line.append(point(cut(k, at: upper), upper)) }
            if k > m { line.insert(point(cut(k, at: lower), lower), at: 0) }
            lines.append(line)
        }
        return lines
    }
}
