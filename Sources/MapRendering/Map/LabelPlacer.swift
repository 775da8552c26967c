import GeometryEngine

/// Places labels greedily, first come first served: a label whose box overlaps one already
/// placed is dropped, so that the most important labels (offered first) win at any scale.
/// Boxes are bucketed on a coarse grid, so that thousands of labels place in linear time.
struct LabelPlacer {
    private var boxes: [Envelope] = []
    private var buckets: [Int64: [Int]] = [:]
    private let cell: Double

    /// - Parameter cell: the bucket size in picture units (about a long label's width).
    init(cell: Double = 80) {
        self.cell = cell
    }

    private func keys(_ box: Envelope) -> [Int64] {
        let x0 = Int64((box.minX / cell).rounded(.down)), x1 = Int64((box.maxX / cell).rounded(.down))
        let y0 = Int64((box.minY / cell).rounded(.down)), y1 = Int64((box.maxY / cell).rounded(.down))
        var out: [Int64] = []
        for x in x0...x1 { for y in y0...y1 { out.append(x &* 1_000_003 &+ y) } }
        return out
    }

    /// Whether `box` is free; it is taken when it is.
    mutating func place(_ box: Envelope) -> Bool {
        let keys = keys(box)
        for key in keys {
            for other in buckets[key] ?? [] where boxes[other].intersects(box) { return false }
        }
        reserve(box, keys: keys)
        return true
    }

    /// Takes `box` whatever lies there (a legend, a north arrow): later labels avoid it.
    mutating func reserve(_ box: Envelope) {
        reserve(box, keys: keys(box))
    }

    private mutating func reserve(_ box: Envelope, keys: [Int64]) {
        boxes.append(box)
        for key in keys { buckets[key, default: []].append(boxes.count - 1) }
    }
}
