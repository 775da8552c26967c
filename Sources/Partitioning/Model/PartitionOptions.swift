/// Household bounds of grids and micro-grids, and how the work is run.
public struct PartitionOptions: Sendable, Hashable {
    /// Households of a grid: at least `gridMin`, about `gridTarget`, at most `gridMax`.
    public var gridMin: Int
    public var gridTarget: Int
    public var gridMax: Int
    /// Households of a micro-grid (微网格).
    public var microMin: Int
    public var microMax: Int
    /// Communities partitioned at once; nil uses every core.
    public var threads: Int?
    /// Whether an entrance unit with more households than a micro-grid allows (a tower's) is cut
    /// further, into floor groups drawn as equal slices of its footprint. Off: such a unit is one
    /// micro-grid, reported out of bounds as indivisible.
    public var cutsUnits: Bool
    /// Whether the timings record the process's peak memory per stage (`StageTimings.measuresPeaks`):
    /// on Linux this resets the process's high-water mark before each stage that runs alone.
    public var measuresPeakMemory = false

    public init(gridMin: Int = 150, gridTarget: Int = 200, gridMax: Int = 250, microMin: Int = 50, microMax: Int = 80,
                threads: Int? = nil, cutsUnits: Bool = true) {
        self.gridMin = gridMin
        self.gridTarget = gridTarget
        self.gridMax = gridMax
        self.microMin = microMin
        self.microMax = microMax
        self.threads = threads
        self.cutsUnits = cutsUnits
    }

    /// The micro-grid size aimed at: the middle of its bounds.
    public var microTarget: Int { (microMin + microMax) / 2 }

    var gridBounds: HouseholdBounds { HouseholdBounds(min: gridMin, target: gridTarget, max: gridMax) }
    var microBounds: HouseholdBounds { HouseholdBounds(min: microMin, target: microTarget, max: microMax) }

    /// Why the options cannot be used, or nil when they can.
    public var problem: String? {
        if gridMin < 1 || microMin < 1 { return "household minimums must be at least 1" }
        if !(gridMin <= gridTarget && gridTarget <= gridMax) { return "grid bounds must satisfy min <= target <= max" }
        if microMin > microMax { return "micro-grid bounds must satisfy min <= max" }
        if microMax > gridMax { return "micro-grid maximum must not exceed the grid maximum" }
        if let threads, threads < 1 { return "threads must be at least 1" }
        return nil
    }
}

/// Bounds of one level of the partition: households of a grid, or of a micro-grid.
public struct HouseholdBounds: Sendable, Hashable {
    public var min: Int
    public var target: Int
    public var max: Int

    public init(min: Int, target: Int, max: Int) {
        self.min = min
        self.target = target
        self.max = max
    }

    public func contains(_ households: Int) -> Bool { households >= min && households <= max }

    /// How far `households` is out of bounds: short of the minimum or over the maximum; 0 within.
    func violation(_ households: Int) -> Int {
        households < min ? min - households : Swift.max(0, households - max)
    }

    /// Regions to cut `households` into: the count whose mean is in bounds and nearest the target.
    func regionCount(for households: Int) -> Int {
        guard households > max else { return 1 }
        let low = Swift.max(1, (households + max - 1) / max)
        let high = households / min
        if low <= high {
            var best = low
            for k in low...high where abs(Double(households) / Double(k) - Double(target)) < abs(Double(households) / Double(best) - Double(target)) {
                best = k
            }
            return best
        }
        return Swift.max(1, Int((Double(households) / Double(target)).rounded()))
    }
}
