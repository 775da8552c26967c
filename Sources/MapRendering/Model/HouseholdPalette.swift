/// Household bounds of grids and micro-grids (data.md, `gridweave partition`).
public struct HouseholdBounds: Hashable, Sendable {
    public var gridMin: Int
    public var gridMax: Int
    public var microMin: Int
    public var microMax: Int

    public init(gridMin: Int = 150, gridMax: Int = 250, microMin: Int = 50, microMax: Int = 80) {
        self.gridMin = gridMin
        self.gridMax = gridMax
        self.microMin = microMin
        self.microMax = microMax
    }

    /// What is wrong with the bounds as flags give them, or nil when they make sense.
    public var problem: String? {
        if gridMin < 0 || microMin < 0 { return "household bounds must be 0 or more" }
        if gridMin > gridMax { return "--grid-min \(gridMin) is above --grid-max \(gridMax)" }
        if microMin > microMax { return "--micro-min \(microMin) is above --micro-max \(microMax)" }
        return nil
    }
}

/// The colours of a grid map: a sequential palette over the household bounds of a residential
/// grid, with grids outside the bounds in colours of their own, and dedicated and rural grids
/// (exempt from the bounds) in neutral ones.
public struct HouseholdPalette: Hashable, Sendable {
    /// One legend entry: a colour and what it stands for.
    public struct Entry: Hashable, Sendable {
        public var color: RGBColor
        public var label: String
    }

    public let bounds: HouseholdBounds

    public init(bounds: HouseholdBounds) {
        self.bounds = bounds
    }

    /// Light to dark blue-green (ColorBrewer YlGnBu), for the four classes inside the bounds.
    static let sequential: [RGBColor] = [RGBColor(hex: 0xedf8b1), RGBColor(hex: 0xc7e9b4), RGBColor(hex: 0x7fcdbb), RGBColor(hex: 0x41b6c4)]
    /// Below the bounds: pale violet; above them: orange-red. Both stand out of the blue-greens.
    public static let below = RGBColor(hex: 0xc9b3e6)
    public static let above = RGBColor(hex: 0xf4845f)
    public static let dedicated = RGBColor(hex: 0xd9d9d9)
    public static let rural = RGBColor(hex: 0xe8dcc0)
    public static let unknown = RGBColor(hex: 0xf2f2f2)

    /// The class limits inside the bounds: four classes of equal width.
    private var limits: [Int] {
        let span = Double(bounds.gridMax - bounds.gridMin + 1)
        return (1..<4).map { bounds.gridMin + Int((span * Double($0) / 4).rounded(.down)) }
    }

    /// The fill colour of a grid of this kind and household count.
    public func color(kind: String, households: Int?) -> RGBColor {
        switch kind {
        case "dedicated": return Self.dedicated
        case "rural": return Self.rural
        default: break
        }
        guard let households else { return Self.unknown }
        if households < bounds.gridMin { return Self.below }
        if households > bounds.gridMax { return Self.above }
        let index = limits.firstIndex { households < $0 } ?? 3
        return Self.sequential[index]
    }

    /// Every colour of the map with its meaning, for a legend.
    public var entries: [Entry] { entries(chinese: false) }

    /// Every colour of the map with its meaning, in English or in Chinese.
    public func entries(chinese: Bool) -> [Entry] {
        let limits = self.limits
        let starts = [bounds.gridMin] + limits
        let ends = limits.map { $0 - 1 } + [bounds.gridMax]
        var out = [Entry(color: Self.below, label: chinese ? "少于\(bounds.gridMin)（超出范围）" : "under \(bounds.gridMin) (out of range)")]
        for i in 0..<4 { out.append(Entry(color: Self.sequential[i], label: "\(starts[i])-\(ends[i])")) }
        out.append(Entry(color: Self.above, label: chinese ? "多于\(bounds.gridMax)（超出范围）" : "over \(bounds.gridMax) (out of range)"))
        out.append(Entry(color: Self.dedicated, label: chinese ? "专属网格（不限户数）" : "dedicated (no bounds)"))
        out.append(Entry(color: Self.rural, label: chinese ? "农村（不限户数）" : "rural (no bounds)"))
        return out
    }
}
