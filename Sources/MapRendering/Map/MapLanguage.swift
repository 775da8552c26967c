/// The language of a map's or sheet's words (the data's own names are never translated).
public enum MapLanguage: String, Sendable, CaseIterable {
    case zh, en

    /// The word for `key` in this language.
    func callAsFunction(_ key: MapWord) -> String {
        switch self {
        case .zh: key.chinese
        case .en: key.english
        }
    }
}

/// Every fixed word a map or sheet prints, in both languages.
enum MapWord {
    case householdsPerGrid, buildingsShade, buildingsByMicroGrid, gridOutline, microGridOutline, communityBoundary
    case arterial, secondary, branch, service, path, shop, dedicatedSite, north, crs, data
    case grid, microGrid, community, street, households, buildings, building, units, code, name, kind, continued
    case gridSheet, atlasIndex, page, office, noBuildings, householdsUnknown

    var english: String {
        switch self {
        case .householdsPerGrid: "Households per grid"
        case .buildingsShade: "Buildings by households"
        case .buildingsByMicroGrid: "Buildings by micro-grid"
        case .gridOutline: "grid"
        case .microGridOutline: "micro-grid"
        case .communityBoundary: "community boundary"
        case .arterial: "arterial road"
        case .secondary: "secondary road"
        case .branch: "branch road"
        case .service: "service road"
        case .path: "path"
        case .shop: "shop"
        case .dedicatedSite: "dedicated grid site"
        case .north: "N"
        case .crs: "CRS"
        case .data: "Data"
        case .grid: "Grid"
        case .microGrid: "Micro-grid"
        case .community: "Community"
        case .street: "Street"
        case .households: "Households"
        case .buildings: "Buildings"
        case .building: "Building"
        case .units: "Units"
        case .code: "Code"
        case .name: "Name"
        case .kind: "Kind"
        case .continued: "continued"
        case .gridSheet: "Grid sheet"
        case .atlasIndex: "Grids of the district"
        case .page: "Page"
        case .office: "Office records"
        case .noBuildings: "No building in this grid."
        case .householdsUnknown: "unknown"
        }
    }

    var chinese: String {
        switch self {
        case .householdsPerGrid: "网格户数"
        case .buildingsShade: "楼栋户数"
        case .buildingsByMicroGrid: "楼栋所属微网格"
        case .gridOutline: "网格"
        case .microGridOutline: "微网格"
        case .communityBoundary: "社区界线"
        case .arterial: "主干路"
        case .secondary: "次干路"
        case .branch: "支路"
        case .service: "内部道路"
        case .path: "步行道"
        case .shop: "商铺"
        case .dedicatedSite: "专属网格单位"
        case .north: "北"
        case .crs: "坐标系"
        case .data: "数据来源"
        case .grid: "网格"
        case .microGrid: "微网格"
        case .community: "社区"
        case .street: "街道"
        case .households: "户数"
        case .buildings: "楼栋"
        case .building: "楼栋"
        case .units: "单元"
        case .code: "编码"
        case .name: "名称"
        case .kind: "类型"
        case .continued: "续"
        case .gridSheet: "网格工作图"
        case .atlasIndex: "网格目录"
        case .page: "页"
        case .office: "网格信息"
        case .noBuildings: "本网格内无楼栋。"
        case .householdsUnknown: "未知"
        }
    }
}
