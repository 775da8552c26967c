public import FeatureIO

extension GridRegister {
    /// A column of a sheet: its header in each language, its type, and its value in a row.
    struct Column<Row> {
        var english: String
        var chinese: String
        var type: FieldType
        var value: (Row) -> FieldValue

        func header(_ language: Language) -> String { language == .zh ? chinese : english }
    }

    /// The sheet names, in each language.
    public static func sheetNames(_ language: Language) -> (grids: String, microGrids: String, buildings: String) {
        language == .zh ? ("网格", "微网格", "楼栋") : ("grids", "micro-grids", "buildings")
    }

    /// The three sheets as attribute layers (no geometry): grids, micro-grids, buildings, with
    /// the headers of `language`; the office's fields keep the names they came with.
    public func sheets(_ language: Language) -> [Layer] {
        let names = Self.sheetNames(language)
        var gridColumns = Self.gridColumns(language)
        for (index, field) in officeFields.enumerated() {
            var header = index == 0 ? (language == .zh ? "原网格编码" : "office code") : field.name
            // The office's 网格编码 beside ours: the office's is marked as its own.
            while gridColumns.contains(where: { $0.header(language) == header }) {
                header += language == .zh ? "(原表)" : " (office)"
            }
            gridColumns.append(Column(english: header, chinese: header, type: field.type) { $0.office[index] })
        }
        return [Self.sheet(names.grids, gridColumns, grids, language),
                Self.sheet(names.microGrids, Self.microGridColumns(language), microGrids, language),
                Self.sheet(names.buildings, Self.buildingColumns, buildings, language)]
    }

    private static func sheet<Row>(_ name: String, _ columns: [Column<Row>], _ rows: [Row], _ language: Language) -> Layer {
        let headers = columns.map { $0.header(language) }
        return Layer(name: name, fields: zip(headers, columns).map { FieldDefinition($0, $1.type) },
                     features: rows.enumerated().map { index, row in
                         Feature(fid: Int64(index + 1), geometry: nil,
                                 properties: Dictionary(zip(headers, columns.map { $0.value(row) })) { first, _ in first })
                     })
    }

    private static func text(_ value: String?) -> FieldValue { value.map { .text($0) } ?? .null }
    private static func integer(_ value: Int64?) -> FieldValue { value.map { .integer($0) } ?? .null }
    private static func integer(_ value: Int?) -> FieldValue { value.map { .integer(Int64($0)) } ?? .null }
    private static func real(_ value: Double?) -> FieldValue { value.map { .real($0) } ?? .null }

    /// `南京东路第1社区第3网格`, `Nanjing Road 1 grid 3`: the community's name (else its code)
    /// and the sequence of the code; nil for a code outside the scheme.
    static func name(_ community: CommunityInfo, grid: Int?, microGrid: Int? = nil, _ language: Language) -> String? {
        guard let grid else { return nil }
        let place = community.name ?? community.code
        let micro = microGrid.map { language == .zh ? "第\($0)微网格" : " micro-grid \($0)" } ?? ""
        return language == .zh ? "\(place)第\(grid)网格\(micro)" : "\(place) grid \(grid)\(micro)"
    }

    private static func communityColumns<Row>(_ community: @escaping (Row) -> CommunityInfo) -> [Column<Row>] {
        [Column(english: "community code", chinese: "社区编码", type: .text) { text(community($0).code) },
         Column(english: "community name", chinese: "社区名称", type: .text) { text(community($0).name) },
         Column(english: "street code", chinese: "街道编码", type: .text) { text(community($0).streetCode) },
         Column(english: "street name", chinese: "街道名称", type: .text) { text(community($0).streetName) }]
    }

    private static func gridColumns(_ language: Language) -> [Column<GridRow>] {
        [Column(english: "grid code", chinese: "网格编码", type: .text) { text($0.code) },
         Column(english: "grid name", chinese: "网格名称", type: .text) { text(name($0.community, grid: $0.sequence, language)) }]
            + communityColumns(\.community) + [
            Column(english: "kind", chinese: "网格类型", type: .text) { text($0.kind) },
            Column(english: "households", chinese: "户数", type: .integer) { integer($0.households) },
            Column(english: "buildings", chinese: "楼栋数", type: .integer) { integer($0.buildings) },
            Column(english: "units", chinese: "单元数", type: .integer) { integer($0.units) },
            Column(english: "shops", chinese: "商铺数", type: .integer) { integer($0.shops) },
            Column(english: "road length (m)", chinese: "道路长度(米)", type: .real) { real($0.roadMetres) },
            Column(english: "area (m²)", chinese: "面积(平方米)", type: .real) { real($0.areaSquareMetres) },
        ]
    }

    private static func microGridColumns(_ language: Language) -> [Column<MicroGridRow>] {
        [Column(english: "micro-grid code", chinese: "微网格编码", type: .text) { text($0.code) },
         Column(english: "micro-grid name", chinese: "微网格名称", type: .text) {
             text(name($0.community, grid: $0.gridSequence, microGrid: $0.sequence, language))
         },
         Column(english: "grid code", chinese: "网格编码", type: .text) { text($0.gridCode) }]
            + communityColumns(\.community) + [
            Column(english: "households", chinese: "户数", type: .integer) { integer($0.households) },
            Column(english: "buildings", chinese: "楼栋数", type: .integer) { integer($0.buildings) },
            Column(english: "units", chinese: "单元数", type: .integer) { integer($0.units) },
            Column(english: "area (m²)", chinese: "面积(平方米)", type: .real) { real($0.areaSquareMetres) },
        ]
    }

    private static var buildingColumns: [Column<BuildingRow>] {
        [Column(english: "building id", chinese: "楼栋编号", type: .text) { text($0.buildingID) },
         Column(english: "grid code", chinese: "网格编码", type: .text) { text($0.gridCode) },
         Column(english: "micro-grid code", chinese: "微网格编码", type: .text) { text($0.microGridCode) }]
            + communityColumns(\.community) + [
            Column(english: "households", chinese: "户数", type: .integer) { integer($0.households) },
            Column(english: "units", chinese: "单元数", type: .integer) { integer($0.units) },
        ]
    }
}
