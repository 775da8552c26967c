/// Why a grid or a micro-grid is outside its household bounds. Statistics count from it
/// (`isForcedByData`); its words, in English or Chinese, are what a planner reads.
public enum BoundsReason: Sendable, Hashable {
    // Grids.
    /// Land without housing, cut off from the rest of the community.
    case noHouseholds
    /// The whole community holds fewer households than one grid's minimum.
    case communityTooSmall(households: Int)
    /// The part of the community the grid lies in (apart from the rest by arterial roads or
    /// its shape) holds a number of households that no number of grids divides within the bounds.
    case partNotDivisible(households: Int)
    /// Cut off from the rest of the community with fewer households than a grid's minimum.
    case cutOff(households: Int)
    /// It holds an indivisible building or compound of this many households.
    case indivisibleBuildingOrCompound(households: Int)

    // Micro-grids.
    /// The grid would need more than 99 micro-grids (the most a 2-digit code numbers): its
    /// micro-grids hold about `target` households instead.
    case tooManyMicroGrids(gridHouseholds: Int, target: Int)
    /// The grid holds fewer households than a micro-grid's minimum.
    case gridTooSmall(households: Int)
    /// No number of micro-grids divides the grid's households within the bounds.
    case gridNotDivisible(households: Int)
    /// The grid's buildings (households each) cannot be grouped within the bounds without splitting one.
    case buildingsDoNotPack(weights: [Int])
    /// An entrance unit of more households than a micro-grid holds.
    case indivisibleUnit(households: Int, building: String)
    /// A building of more households than a micro-grid holds, with no entrance units to cut along.
    case indivisibleBuilding(households: Int, building: String)
    /// Every grouping of the grid's buildings, as they lie, was tried: none makes micro-grids
    /// that are each one piece and within the bounds.
    case noContiguousGrouping

    // Either.
    /// The balancing found no way; the data do not rule one out.
    case notBalanced

    /// Whether the data leave no way to be within the bounds: every reason but `notBalanced`.
    public var isForcedByData: Bool { self != .notBalanced }

    public enum Language: String, Sendable, CaseIterable {
        case english = "en", chinese = "zh"
    }

    /// The reason in words, for the summary.
    public func words(_ language: Language = .english) -> String {
        switch language {
        case .english: english
        case .chinese: chinese
        }
    }

    private var english: String {
        switch self {
        case .noHouseholds: "no households (land without housing, cut off from the rest of the community)"
        case .communityTooSmall(let h): "the community holds only \(h) households"
        case .partNotDivisible(let h): "its part of the community holds \(h) households, which no number of grids divides within the bounds"
        case .cutOff(let h):
            "cut off from the rest of the community (by an arterial road or the community's shape) with only \(h) households"
        case .indivisibleBuildingOrCompound(let h):
            "holds an indivisible building or compound of \(h) households: no combination with its neighbours falls within the bounds"
        case .tooManyMicroGrids(let grid, let target):
            "the grid's \(grid) households would need more than 99 micro-grids, the most a 2-digit code numbers: micro-grids of about \(target) households instead"
        case .gridTooSmall(let h): "the grid holds only \(h) households"
        case .gridNotDivisible(let h): "the grid's \(h) households are divided within the bounds by no number of micro-grids"
        case .buildingsDoNotPack(let weights):
            "the grid's buildings (\(weights.map(String.init).joined(separator: ", ")) households) cannot be grouped within the bounds without splitting one"
        case .indivisibleUnit(let h, let building): "an indivisible entrance unit of \(h) households (building \(building))"
        case .indivisibleBuilding(let h, let building):
            "an indivisible building of \(h) households with no entrance units to cut along (building \(building))"
        case .noContiguousGrouping:
            "the grid's buildings, as they lie, make no micro-grids within the bounds that are each one piece (every grouping tried)"
        case .notBalanced: "could not be balanced with its neighbours"
        }
    }

    private var chinese: String {
        switch self {
        case .noHouseholds: "无住户（无住宅用地，与社区其余部分隔开）"
        case .communityTooSmall(let h): "社区仅有 \(h) 户"
        case .partNotDivisible(let h): "所在片区有 \(h) 户，任何网格数都无法使每格户数在范围内"
        case .cutOff(let h): "被主干道或社区形状与社区其余部分隔开，仅有 \(h) 户"
        case .indivisibleBuildingOrCompound(let h): "含一栋不可分的楼或小区（\(h) 户），与相邻单元的任何组合都不在范围内"
        case .tooManyMicroGrids(let grid, let target): "网格 \(grid) 户需要超过 99 个微网格（两位编码的上限），改为每个微网格约 \(target) 户"
        case .gridTooSmall(let h): "网格仅有 \(h) 户"
        case .gridNotDivisible(let h): "网格 \(h) 户，任何微网格数都无法使每格户数在范围内"
        case .buildingsDoNotPack(let weights): "网格内各楼（\(weights.map(String.init).joined(separator: "、")) 户）不拆分任何一栋就无法分组到范围内"
        case .indivisibleUnit(let h, let building): "一个不可分的单元有 \(h) 户（楼 \(building)）"
        case .indivisibleBuilding(let h, let building): "一栋不可分的楼有 \(h) 户，且无单元可分（楼 \(building)）"
        case .noContiguousGrouping: "按楼的位置，任何分组都无法得到每个都连成一片且户数在范围内的微网格（已穷举）"
        case .notBalanced: "未能与相邻单元平衡"
        }
    }
}
