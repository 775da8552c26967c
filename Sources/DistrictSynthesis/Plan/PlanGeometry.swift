import DistrictModel

// The city is planned in a local frame whose axes run along the street grid (u east along the
// grid, v north along it, metres). Everything is placed there with plain rectangle arithmetic;
// only assembly rotates and shifts the plan into the district CRS (`LocalFrame`).

/// A point of the plan's local frame.
struct PlanPoint: Hashable {
    var u: Double
    var v: Double

    init(_ u: Double, _ v: Double) {
        self.u = u
        self.v = v
    }
}

/// An axis-aligned rectangle of the local frame.
struct PlanRect: Hashable {
    var minU: Double
    var minV: Double
    var maxU: Double
    var maxV: Double

    init(minU: Double, minV: Double, maxU: Double, maxV: Double) {
        self.minU = minU
        self.minV = minV
        self.maxU = maxU
        self.maxV = maxV
    }

    /// The rectangle of half-sizes `halfU` by `halfV` around `center`.
    init(center: PlanPoint, halfU: Double, halfV: Double) {
        self.init(minU: center.u - halfU, minV: center.v - halfV, maxU: center.u + halfU, maxV: center.v + halfV)
    }

    var width: Double { maxU - minU }
    var height: Double { maxV - minV }
    var area: Double { width * height }
    var center: PlanPoint { PlanPoint((minU + maxU) / 2, (minV + maxV) / 2) }
    var shortSide: Double { min(width, height) }

    func inset(_ d: Double) -> PlanRect {
        PlanRect(minU: minU + d, minV: minV + d, maxU: maxU - d, maxV: maxV - d)
    }

    func inset(south: Double, east: Double, north: Double, west: Double) -> PlanRect {
        PlanRect(minU: minU + west, minV: minV + south, maxU: maxU - east, maxV: maxV - north)
    }

    /// The corners, counter-clockwise from the south-west one, closed.
    var ring: [PlanPoint] {
        [PlanPoint(minU, minV), PlanPoint(maxU, minV), PlanPoint(maxU, maxV), PlanPoint(minU, maxV), PlanPoint(minU, minV)]
    }
}

/// The four sides of a block or parcel, and the road along each.
enum Side: Int, CaseIterable {
    case south, east, north, west
}

/// Road widths and the land kept free of buildings along each class of road (the carriageway,
/// pavements and the building line): these make the bands where shops stand and where the
/// straddling building of the mess can lie across a community boundary without touching any
/// other building.
enum StreetProfile {
    /// Half the width from kerb to kerb plus pavement, metres.
    static func halfWidth(_ roadClass: RoadClass) -> Double {
        switch roadClass {
        case .arterial: 20
        case .secondary: 12
        case .branch: 6
        case .service: 3
        case .path: 1.5
        }
    }

    /// From the road centreline to the nearest building line, metres.
    static func setback(_ roadClass: RoadClass) -> Double {
        switch roadClass {
        case .arterial: 30
        case .secondary: 20
        case .branch: 12
        case .service: 6
        case .path: 3
        }
    }
}

/// Every point where a road meets another on a straight line of the plan (block corners and the
/// ends of branch roads), by line.
///
/// Community rings and road centrelines take a vertex at every such point on their edges, so
/// that two communities sharing a boundary share exactly the same segments (after rounding to
/// the millimetre, too): the coverage is edge-matched, with no slivers.
struct JunctionIndex {
    // Keyed by the bit pattern of the line's coordinate: the same line is always the same
    // Double, taken from the same array. Looked up only, never iterated in an order that matters.
    private var onVertical: [UInt64: [Double]] = [:]
    private var onHorizontal: [UInt64: [Double]] = [:]

    /// Records a junction: it lies on the vertical line `u = point.u` and the horizontal line `v = point.v`.
    mutating func add(_ point: PlanPoint) {
        onVertical[point.u.bitPattern, default: []].append(point.v)
        onHorizontal[point.v.bitPattern, default: []].append(point.u)
    }

    /// Sorts every line's junctions; call once, after the last `add`.
    mutating func finish() {
        for key in onVertical.keys { onVertical[key] = Self.sortedUnique(onVertical[key]!) }
        for key in onHorizontal.keys { onHorizontal[key] = Self.sortedUnique(onHorizontal[key]!) }
    }

    private static func sortedUnique(_ values: [Double]) -> [Double] {
        var sorted = values.sorted()
        var write = 0
        for value in sorted where write == 0 || sorted[write - 1] != value {
            sorted[write] = value
            write += 1
        }
        sorted.removeSubrange(write...)
        return sorted
    }

    /// The junctions strictly between `a` and `b` on a line, ordered from `a` towards `b`.
    private static func between(_ values: [Double]?, _ a: Double, _ b: Double) -> [Double] {
        guard let values, !values.isEmpty else { return [] }
        let low = min(a, b), high = max(a, b)
        var first = lowerBound(values, low)
        if first < values.count, values[first] == low { first += 1 }
        var inside: [Double] = []
        while first < values.count, values[first] < high {
            inside.append(values[first])
            first += 1
        }
        return a <= b ? inside : inside.reversed()
    }

    private static func lowerBound(_ values: [Double], _ target: Double) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// `points` (an axis-parallel polyline) with every junction on each edge inserted in order.
    func densified(_ points: [PlanPoint]) -> [PlanPoint] {
        guard let first = points.first else { return [] }
        var result = [first]
        for (a, b) in zip(points, points.dropFirst()) {
            if a.u == b.u {
                for v in Self.between(onVertical[a.u.bitPattern], a.v, b.v) { result.append(PlanPoint(a.u, v)) }
            } else if a.v == b.v {
                for u in Self.between(onHorizontal[a.v.bitPattern], a.u, b.u) { result.append(PlanPoint(u, a.v)) }
            }
            result.append(b)
        }
        return result
    }
}

/// Where `count` rectangles of `length` by `depth` fit in `rect` in a regular grid: the number of
/// columns and rows, and the centres row by row from the south-west, the whole grid centred in
/// `rect` less `margin`.
struct GridLayout {
    var columns: Int
    var rows: Int
    var length: Double
    var depth: Double
    var gapU: Double
    var gapV: Double
    var origin: PlanPoint

    init(in rect: PlanRect, length: Double, depth: Double, gapU: Double, gapV: Double, margin: Double) {
        let usableU = rect.width - 2 * margin, usableV = rect.height - 2 * margin
        columns = usableU >= length ? Int((usableU + gapU) / (length + gapU)) : 0
        rows = usableV >= depth ? Int((usableV + gapV) / (depth + gapV)) : 0
        self.length = length
        self.depth = depth
        self.gapU = gapU
        self.gapV = gapV
        origin = PlanPoint(0, 0)
        origin = centredOrigin(in: rect)
    }

    var count: Int { columns * rows }

    /// Keeps at most `limit` slots, dropping rows (then columns) from the longer side, and recentres.
    mutating func limit(to limit: Int, in rect: PlanRect) {
        while count > limit {
            if rows >= columns, rows > 1 { rows -= 1 } else if columns > 1 { columns -= 1 } else { rows -= 1 }
        }
        origin = centredOrigin(in: rect)
    }

    private func centredOrigin(in rect: PlanRect) -> PlanPoint {
        let usedU = Double(columns) * length + Double(max(columns - 1, 0)) * gapU
        let usedV = Double(rows) * depth + Double(max(rows - 1, 0)) * gapV
        return PlanPoint(rect.minU + (rect.width - usedU) / 2 + length / 2, rect.minV + (rect.height - usedV) / 2 + depth / 2)
    }

    func center(column: Int, row: Int) -> PlanPoint {
        PlanPoint(origin.u + Double(column) * (length + gapU), origin.v + Double(row) * (depth + gapV))
    }

    /// The slots row by row from the south, west to east in each row.
    var centers: [PlanPoint] {
        var result: [PlanPoint] = []
        result.reserveCapacity(count)
        for row in 0..<rows {
            for column in 0..<columns { result.append(center(column: column, row: row)) }
        }
        return result
    }

    /// The middle of the gap east of `column`.
    func gapCentreU(afterColumn column: Int) -> Double {
        origin.u + Double(column) * (length + gapU) + length / 2 + gapU / 2
    }
}
