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
    /// A re-partition kept it as the previous partition drew it, and it fitted its bounds no
    /// better there; `earlier` is the reason that file gave (its `reason` fields), when it gave one.
    case keptFromPrevious(earlier: Written?)

    /// A reason as a partition file wrote it: the code and its two sentences, figures included.
    public struct Written: Sendable, Hashable {
        public var code: String
        public var english: String
        public var chinese: String

        public init(code: String, english: String, chinese: String) {
            self.code = code
            self.english = english
            self.chinese = chinese
        }
    }

    /// Whether the data leave no way to be within the bounds: every reason but `notBalanced`
    /// and `keptFromPrevious`.
    public var isForcedByData: Bool {
        switch self {
        case .notBalanced, .keptFromPrevious: false
        default: true
        }
    }

    /// The reason's name in the output's `reason` field (`grids`, `microgrids`) and the
    /// summary's count by reason: snake case, the same in every language.
    public var code: String {
        switch self {
        case .noHouseholds: "no_households"
        case .communityTooSmall: "community_too_small"
        case .partNotDivisible: "part_not_divisible"
        case .cutOff: "cut_off"
        case .indivisibleBuildingOrCompound: "indivisible_building_or_compound"
        case .tooManyMicroGrids: "too_many_micro_grids"
        case .gridTooSmall: "grid_too_small"
        case .gridNotDivisible: "grid_not_divisible"
        case .buildingsDoNotPack: "buildings_do_not_pack"
        case .indivisibleUnit: "indivisible_unit"
        case .indivisibleBuilding: "indivisible_building"
        case .noContiguousGrouping: "no_contiguous_grouping"
        case .notBalanced: "not_balanced"
        case .keptFromPrevious(let earlier): earlier?.code ?? "kept_from_previous"
        }
    }

    /// The kind of reason in a few words, without this grid's figures: a line of the summary's
    /// count by reason.
    public func label(_ language: Language = .english) -> String {
        switch (self, language) {
        case (.noHouseholds, .english): "land without housing, cut off"
        case (.noHouseholds, .chinese): "无住户的隔离用地"
        case (.communityTooSmall, .english): "community smaller than one grid"
        case (.communityTooSmall, .chinese): "社区不足一个网格"
        case (.partNotDivisible, .english): "part of a community no number of grids divides"
        case (.partNotDivisible, .chinese): "片区户数无法整分为网格"
        case (.cutOff, .english): "cut off by an arterial road or the community's shape"
        case (.cutOff, .chinese): "被主干道或社区形状隔开"
        case (.indivisibleBuildingOrCompound, .english): "an indivisible building or compound"
        case (.indivisibleBuildingOrCompound, .chinese): "含不可分的楼或小区"
        case (.tooManyMicroGrids, .english): "more than 99 micro-grids needed"
        case (.tooManyMicroGrids, .chinese): "需要超过 99 个微网格"
        case (.gridTooSmall, .english): "grid smaller than one micro-grid"
        case (.gridTooSmall, .chinese): "网格不足一个微网格"
        case (.gridNotDivisible, .english): "grid no number of micro-grids divides"
        case (.gridNotDivisible, .chinese): "网格户数无法整分为微网格"
        case (.buildingsDoNotPack, .english): "buildings cannot be grouped without splitting one"
        case (.buildingsDoNotPack, .chinese): "各楼不拆分无法分组"
        case (.indivisibleUnit, .english): "an indivisible entrance unit"
        case (.indivisibleUnit, .chinese): "含不可分的单元"
        case (.indivisibleBuilding, .english): "an indivisible building without entrance units"
        case (.indivisibleBuilding, .chinese): "含无单元可分的楼"
        case (.noContiguousGrouping, .english): "no grouping of its buildings, as they lie, is one piece each"
        case (.noContiguousGrouping, .chinese): "按楼的位置无法分成连片的微网格"
        case (.notBalanced, .english): "not balanced (the data allow it: the engine's shortfall)"
        case (.notBalanced, .chinese): "未能平衡（数据允许，引擎未做到）"
        case (.keptFromPrevious, .english): "kept from the previous partition"
        case (.keptFromPrevious, .chinese): "沿用上次划分"
        }
    }

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
        case .keptFromPrevious: "kept from the previous partition, which it fitted no better"
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
        case .keptFromPrevious: "沿用上次划分，在上次划分中同样超出范围"
        }
    }
}
