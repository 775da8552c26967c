import DistrictModel
import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import MapRendering
import Projections

/// Checks a grids file against data.md's invariants, and optionally against its district and a
/// file of events: gaps, overlaps, slivers, disconnected and invalid grids, micro-grids that do
/// not tile their grid, household counts out of bounds, buildings, shops and roads in no grid,
/// events in no grid.
///
/// Every area, width and distance is measured in the metric working CRS of the data. GEOS 3.11
/// has no coverage validator, so gaps are differences (community minus the union of its grids)
/// and overlaps are pairwise intersections of grids whose envelopes meet (an STRtree). Pieces
/// under `dustArea` m² or under a centimetre wide are numeric noise and ignored; a piece that a
/// negative buffer of half the sliver width erases is a sliver.
public enum CoverageCheck {
    /// A step of the check and how far it is, for a progress bar.
    public typealias Progress = (_ step: String, _ done: Int, _ total: Int) -> Void

    /// Runs every check that the input allows.
    /// - Throws: `CoverageError` (or `DistrictError` for the district) when input cannot be read;
    ///   `GeometryError` when GEOS fails.
    public static func run(gridsPath: String, options: CoverageOptions = CoverageOptions(),
                           progress: Progress? = nil) throws -> CoverageResult {
        let file = try PartitionFile.read(gridsPath)
        var district: District?
        if let path = options.districtPath {
            let read = try DistrictReader.read(path, options: DistrictReadOptions(datum: options.datum))
            district = try read.district.projected(to: file.epsg)
        }
        var events: EventsFile?
        if let path = options.eventsPath { events = try EventsFile.read(path) }
        let checker = try Checker(file: file, district: district, options: options, progress: progress)
        try checker.checkValidity()
        try checker.checkOverlaps()
        try checker.checkGaps()
        try checker.checkCommunities()
        try checker.checkMicroGrids()
        checker.checkHouseholds()
        try checker.checkAssignments()
        if let events { try checker.checkEvents(events) }

        var findings = checker.findings.sorted { a, b in
            if a.kind != b.kind { return a.kind < b.kind }
            if a.subject != b.subject { return a.subject < b.subject }
            let ea = a.geometry?.envelope, eb = b.geometry?.envelope
            if ea?.minX != eb?.minX { return (ea?.minX ?? 0) < (eb?.minX ?? 0) }
            if ea?.minY != eb?.minY { return (ea?.minY ?? 0) < (eb?.minY ?? 0) }
            return a.detail < b.detail
        }
        var numbers: [FindingKind: Int] = [:]
        for i in findings.indices {
            numbers[findings[i].kind, default: 0] += 1
            findings[i].id = "\(findings[i].kind.rawValue)-\(numbers[findings[i].kind] ?? 0)"
        }
        let communities = district?.communities.count ?? Set(file.grids.map(\.communityCode)).count
        let statistics = CoverageStatistics(
            communities: communities, grids: file.grids.count, microGrids: file.microGrids?.count ?? 0,
            households: file.grids.reduce(0) { $0 + ($1.households ?? 0) },
            coveragePercent: checker.coveredArea.total > 0 ? 100 * checker.coveredArea.covered / checker.coveredArea.total : 100,
            area: checker.coveredArea.total)
        // The district goes on the report's map, under the grids.
        var map = file.map(bounds: options.bounds)
        map.district = district
        return CoverageResult(gridsPath: DatabaseConnection.displayName(gridsPath), districtPath: options.districtPath, eventsPath: options.eventsPath,
                              epsg: file.epsg, findings: findings, statistics: statistics, map: map,
                              notes: checker.notes, options: options)
    }
}

/// The state of one check: one GEOS context, the grids as GEOS objects and in an STRtree.
private final class Checker {
    let file: PartitionFile
    let district: District?
    let options: CoverageOptions
    let progress: CoverageCheck.Progress?
    let context = GEOSContext()
    /// Valid versions of the grids (made valid when they were not), in file order.
    var gridObjects: [GEOSObject] = []
    var gridTree: SpatialTree
    var findings: [CoverageFinding] = []
    var notes: [String] = []
    var coveredArea: (covered: Double, total: Double) = (0, 0)
    private var gridIndexByCode: [String: Int] = [:]
    /// The district's communities, made valid, in its order (none without a district): made
    /// once for the gaps, the grids outside their community and the assignments.
    let communityOutlines: [GEOSObject]

    init(file: PartitionFile, district: District?, options: CoverageOptions, progress: CoverageCheck.Progress?) throws {
        self.file = file
        self.district = district
        self.options = options
        self.progress = progress
        gridTree = try SpatialTree(context: context)
        for (i, grid) in file.grids.enumerated() { gridIndexByCode[grid.code] = i }
        communityOutlines = try (district?.communities ?? []).map { [context] community in
            let outline = try GEOSObject(community.geometry, context: context)
            return try outline.isValid() ? outline : outline.makeValid()
        }
    }

    // MARK: Helpers

    /// Records a finding, its detail in English and in Chinese (`--lang zh`).
    func add(_ kind: FindingKind, _ detail: String, zh: String, _ geometry: Geometry?, subject: String, measure: Double? = nil) {
        findings.append(CoverageFinding(kind: kind, detail: detail, chineseDetail: zh, geometry: geometry, subject: subject, measure: measure))
    }

    /// The polygonal part of `object` as one polygon per GEOS object.
    func pieces(_ object: GEOSObject) throws -> [GEOSObject] {
        try object.geometry().polygons.map { try GEOSObject(.polygon($0), context: context) }
    }

    enum PieceClass { case dust, sliver, full }

    /// Pieces thinner than this (metres) are numeric dust: the mismatch of edges drawn straight
    /// in another CRS, or of floating-point intersections; never a planner's 0.3 m sliver.
    static let dustWidth = 0.01

    /// Whether a piece of a gap or overlap is numeric dust, a sliver, or a real piece; its area
    /// and mean width (2 × area / perimeter, the width of a long thin strip).
    func classify(_ piece: GEOSObject) throws -> (PieceClass, area: Double, width: Double) {
        let area = try piece.area()
        let perimeter = try piece.length()
        let width = perimeter > 0 ? 2 * area / perimeter : 0
        if area < options.dustArea || width < Self.dustWidth { return (.dust, area, width) }
        let core = try piece.buffer(-options.sliverWidth / 2, quadrantSegments: 4)
        let isSliver = try core.isEmpty() || core.area() < options.dustArea
        return (isSliver ? .sliver : .full, area, width)
    }

    func short(_ code: String) -> String { code.count == 15 ? String(code.suffix(3)) : code }

    func union(_ objects: [GEOSObject]) throws -> GEOSObject {
        let copies = try objects.map { try $0.clone() }
        // The collection takes the copies over.
        return try GEOSObject.collection(copies, type: .geometryCollection, context: context).unaryUnion()
    }

    /// `base` minus every one of `objects`, one difference at a time, skipping those that no
    /// longer meet what is left. See `GEOSIntersects_r`.
    func subtract(_ objects: [GEOSObject], from base: GEOSObject) throws -> GEOSObject {
        var rest = base
        for object in objects {
            if try rest.isEmpty() { break }
            // What is left after many differences can hold edges GEOS cannot relate in full
            // precision ("side location conflict"): then the difference decides, with its fallback.
            let meets: Bool
            do {
                meets = try rest.intersects(object)
            } catch is GeometryError {
                meets = true
            }
            guard meets else { continue }
            rest = try difference(rest, object)
        }
        return rest
    }

    /// The precision grid (metres) for an overlay that GEOS cannot node in full precision:
    /// a tenth of a millimetre, far below the dust width.
    static let fallbackGrid = 1e-4

    /// `a` minus `b`; when GEOS finds edges it cannot node (nearly coincident edges of
    /// neighbouring grids), again on a 0.1 mm precision grid. See `GEOSDifference_r`.
    func difference(_ a: GEOSObject, _ b: GEOSObject) throws -> GEOSObject {
        do {
            return try a.difference(b)
        } catch is GeometryError {
            return try a.reducingPrecision(gridSize: Self.fallbackGrid).difference(b.reducingPrecision(gridSize: Self.fallbackGrid))
        }
    }

    /// `a` ∩ `b`, with the same fallback as `difference`. See `GEOSIntersection_r`.
    func intersection(_ a: GEOSObject, _ b: GEOSObject) throws -> GEOSObject {
        do {
            return try a.intersection(b)
        } catch is GeometryError {
            return try a.reducingPrecision(gridSize: Self.fallbackGrid).intersection(b.reducingPrecision(gridSize: Self.fallbackGrid))
        }
    }

    static func area(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f m²", value) : String(format: "%.2f m²", value)
    }

    /// A grid or micro-grid made valid; records an `invalid_geometry` finding when it was not.
    func validObject(_ geometry: Geometry, what: String, code: String) throws -> GEOSObject {
        let 名 = what == "grid" ? "网格" : "微网格"
        let object = try GEOSObject(geometry, context: context)
        if try object.isValid() { return object }
        let reason = try object.validityReason()
        add(.invalidGeometry, "\(what) \(code) is not a valid polygon (\(reason)); it is checked as repaired by make-valid",
            zh: "\(名) \(code) 不是有效的多边形（\(reason)）；按 make-valid 修复后的形状检查", geometry, subject: code)
        let polygons = try object.makeValid().geometry().polygons
        return try GEOSObject(polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons), context: context)
    }

    // MARK: Grids

    func checkValidity() throws {
        for (i, grid) in file.grids.enumerated() {
            let object = try validObject(grid.geometry, what: "grid", code: grid.code)
            gridObjects.append(object)
            gridTree.insert(object, index: i)
            try checkConnected(object, what: "grid", code: grid.code)
        }
    }

    func checkConnected(_ object: GEOSObject, what: String, code: String) throws {
        let polygons = try object.geometry().polygons
        guard polygons.count > 1 else { return }
        let parts = try polygons.map { polygon -> (Polygon, Double) in (polygon, try Geometry.polygon(polygon).area()) }
            .sorted { $0.1 > $1.1 }
        let detached = parts.dropFirst()
        let areas = parts.map { Self.area($0.1) }.joined(separator: ", ")
        add(.disconnected, "\(what) \(code) is in \(parts.count) pieces (\(areas)); the smaller ones are drawn",
            zh: "\(what == "grid" ? "网格" : "微网格") \(code) 分成 \(parts.count) 块（\(areas)）；图上画出较小的几块",
            detached.count == 1 ? .polygon(detached[detached.startIndex].0) : .multiPolygon(detached.map(\.0)),
            subject: code, measure: Double(parts.count))
    }

    func checkOverlaps() throws {
        let total = gridObjects.count
        for i in 0..<total {
            if i % 64 == 0 { progress?("overlaps", i, total) }
            for j in gridTree.query(gridObjects[i]) where j > i {
                // Interiors meet (a shared edge does not count).
                guard try gridObjects[i].relate(gridObjects[j], pattern: "T********") else { continue }
                let a = file.grids[i].code, b = file.grids[j].code
                for piece in try pieces(intersection(gridObjects[i], gridObjects[j])) {
                    let (kind, area, width) = try classify(piece)
                    switch kind {
                    case .dust: continue
                    case .sliver:
                        add(.sliver, String(format: "sliver overlap of grids %@ and %@: %@, about %.2f m wide", a, b, Self.area(area), width),
                            zh: String(format: "网格 %@ 与 %@ 的细缝重叠：%@，宽约 %.2f 米", a, b, Self.area(area), width), try piece.geometry(), subject: "\(a), \(b)", measure: area)
                    case .full:
                        add(.overlap, "\(Self.area(area)) in both grid \(a) and grid \(b)", zh: "\(Self.area(area)) 同时属于网格 \(a) 和网格 \(b)", try piece.geometry(),
                            subject: "\(a), \(b)", measure: area)
                    }
                }
            }
        }
        progress?("overlaps", total, total)
    }

    /// The grids near a piece, as short codes for a detail.
    func neighbours(of piece: GEOSObject) throws -> (english: String, chinese: String) {
        let near = try gridTree.query(piece).filter { try gridObjects[$0].distance(to: piece) < max(options.sliverWidth, 0.01) }
        guard !near.isEmpty else { return ("", "") }
        let codes = near.map { file.grids[$0].code }.joined(separator: ", ")
        return (", beside grid" + (near.count > 1 ? "s " : " ") + codes, "，紧邻网格 " + codes)
    }

    func reportGap(_ piece: GEOSObject, where place: (english: String, chinese: String), community: String) throws -> Double {
        let (kind, area, width) = try classify(piece)
        let beside = try neighbours(of: piece)
        switch kind {
        case .dust:
            return 0
        case .sliver:
            add(.sliver, String(format: "sliver gap %@: %@ in no grid, about %.2f m wide%@", place.english, Self.area(area), width, beside.english),
                zh: String(format: "%@的细缝缺口：%@ 不在任何网格内，宽约 %.2f 米%@", place.chinese, Self.area(area), width, beside.chinese),
                try piece.geometry(), subject: community, measure: area)
        case .full:
            add(.gap, "\(Self.area(area)) \(place.english) in no grid\(beside.english)",
                zh: "\(place.chinese)有 \(Self.area(area)) 不在任何网格内\(beside.chinese)", try piece.geometry(),
                subject: community, measure: area)
        }
        return area
    }

    func checkGaps() throws {
        if let district {
            let total = district.communities.count
            for (n, community) in district.communities.enumerated() {
                progress?("gaps", n, total)
                let valid = communityOutlines[n]
                let area = try valid.area()
                coveredArea.total += area
                // The community's own grids first, then any other near it. One difference per grid:
                // a single union of many grids from several communities can come out of the
                // overlay wrong where their edges nearly coincide (seen on a 200,000-household city).
                let near = gridTree.query(valid).sorted { a, b in
                    let ownA = file.grids[a].communityCode == community.code, ownB = file.grids[b].communityCode == community.code
                    return ownA != ownB ? ownA : a < b
                }
                let rest = try subtract(near.map { gridObjects[$0] }, from: valid)
                var missing = 0.0
                let name = community.name.map { " (\($0))" } ?? ""
                for piece in try pieces(rest) {
                    missing += try reportGap(piece, where: ("of community \(community.code)\(name)", "社区 \(community.code)\(community.name.map { "（\($0)）" } ?? "")"),
                                             community: community.code)
                }
                coveredArea.covered += area - missing
            }
            progress?("gaps", total, total)
        } else {
            notes.append("No --district: gaps are the holes inside the grids' union; a gap on the outer edge of the grids, or a lake that is not part of any community, cannot be told apart.")
            guard !gridObjects.isEmpty else { return }
            let all = try union(gridObjects)
            let area = try all.area()
            // Grids drawn edge to edge in longitude/latitude do not meet exactly once projected
            // (a straight edge in degrees is a curve in metres): closing the union by a centimetre
            // first keeps such dust from opening a real hole to the outside.
            let closed = try all.buffer(Self.dustWidth, quadrantSegments: 2)
            var holes = 0.0
            for polygon in try closed.geometry().polygons {
                for ring in polygon.holes {
                    let hole = try GEOSObject(.polygon(Polygon(rings: [ring])), context: context)
                        .buffer(Self.dustWidth, quadrantSegments: 2)
                    let gap = try difference(hole, all)
                    let communities = Set(try gridTree.query(hole).filter { try gridObjects[$0].distance(to: hole) < Self.dustWidth }
                        .map { file.grids[$0].communityCode }).sorted()
                    let place = communities.isEmpty ? ("inside the grids", "网格之间")
                        : ("inside the grids of community \(communities.joined(separator: ", "))", "社区 \(communities.joined(separator: ", ")) 的网格之间")
                    for piece in try pieces(gap) {
                        holes += try reportGap(piece, where: place, community: communities.joined(separator: ", "))
                    }
                }
            }
            coveredArea = (area, area + holes)
        }
    }

    /// With a district: each grid's part outside its own community (`outside_community`; a
    /// sliver when thinner than the sliver width), and grids whose community the district does
    /// not have. The structural findings of imported, hand-drawn grids.
    func checkCommunities() throws {
        guard let district else { return }
        let communityIndex = Dictionary(district.communities.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        let total = file.grids.count
        for (i, grid) in file.grids.enumerated() {
            if i % 64 == 0 { progress?("communities", i, total) }
            guard let outline = communityIndex[grid.communityCode].map({ communityOutlines[$0] }) else {
                add(.outsideCommunity, "grid \(grid.code) belongs to community \(grid.communityCode.isEmpty ? "(none)" : grid.communityCode), "
                    + "which is not in the district",
                    zh: "网格 \(grid.code) 所属社区 \(grid.communityCode.isEmpty ? "（无）" : grid.communityCode) 不在本辖区内", grid.geometry, subject: grid.code, measure: try gridObjects[i].area())
                continue
            }
            for piece in try pieces(difference(gridObjects[i], outline)) {
                let (kind, area, width) = try classify(piece)
                switch kind {
                case .dust: continue
                case .sliver:
                    add(.sliver, String(format: "sliver of grid %@ outside its community %@: %@, about %.2f m wide",
                                        grid.code, grid.communityCode, Self.area(area), width),
                        zh: String(format: "网格 %@ 超出所属社区 %@ 的细条：%@，宽约 %.2f 米", grid.code, grid.communityCode, Self.area(area), width),
                        try piece.geometry(), subject: grid.code, measure: area)
                case .full:
                    let elsewhere = try otherCommunities(of: piece, besides: grid.communityCode)
                    add(.outsideCommunity, "\(Self.area(area)) of grid \(grid.code) lies outside its community \(grid.communityCode)" + elsewhere.english,
                        zh: "网格 \(grid.code) 有 \(Self.area(area)) 在所属社区 \(grid.communityCode) 之外" + elsewhere.chinese,
                        try piece.geometry(), subject: grid.code, measure: area)
                }
            }
        }
        progress?("communities", total, total)
    }

    /// `, in community X` for the communities a piece lies in, other than `own`; `, outside every
    /// community` when it lies in none.
    private func otherCommunities(of piece: GEOSObject, besides own: String) throws -> (english: String, chinese: String) {
        guard let district else { return ("", "") }
        var found: [String] = []
        for (c, community) in district.communities.enumerated() where community.code != own {
            if try intersection(piece, communityOutlines[c]).area() >= options.dustArea { found.append(community.code) }
        }
        return found.isEmpty ? (", outside every community", "，不在任何社区内")
            : (", in community " + found.joined(separator: ", "), "，位于社区 " + found.joined(separator: ", "))
    }

    // MARK: Micro-grids

    func checkMicroGrids() throws {
        guard let micros = file.microGrids else {
            notes.append("The grids file has no microgrids layer: micro-grids are not checked.")
            return
        }
        var byGrid: [Int: [(PartitionFile.MicroGrid, GEOSObject)]] = [:]
        for micro in micros {
            let object = try validObject(micro.geometry, what: "micro-grid", code: micro.code)
            try checkConnected(object, what: "micro-grid", code: micro.code)
            guard let g = gridIndexByCode[micro.gridCode] else {
                add(.microGridOutside, "micro-grid \(micro.code) belongs to grid \(micro.gridCode.isEmpty ? "(none)" : micro.gridCode), which is not in the grids layer",
                    zh: "微网格 \(micro.code) 所属网格 \(micro.gridCode.isEmpty ? "（无）" : micro.gridCode) 不在网格图层中",
                    micro.geometry, subject: micro.code)
                continue
            }
            byGrid[g, default: []].append((micro, object))
        }
        let total = file.grids.count
        for (g, grid) in file.grids.enumerated() {
            if g % 64 == 0 { progress?("micro-grids", g, total) }
            guard let members = byGrid[g], !members.isEmpty else {
                add(.microGridGap, "grid \(grid.code) has no micro-grids: none of its \(Self.area((try? gridObjects[g].area()) ?? 0)) is in a micro-grid",
                    zh: "网格 \(grid.code) 没有微网格：其 \(Self.area((try? gridObjects[g].area()) ?? 0)) 都不在任何微网格内",
                    grid.geometry, subject: grid.code, measure: try gridObjects[g].area())
                continue
            }
            let gridObject = gridObjects[g]
            for piece in try pieces(subtract(members.map(\.1), from: gridObject)) {
                let (kind, area, width) = try classify(piece)
                switch kind {
                case .dust: continue
                case .sliver:
                    add(.sliver, String(format: "sliver of grid %@ in none of its micro-grids: %@, about %.2f m wide", grid.code, Self.area(area), width),
                        zh: String(format: "网格 %@ 中不属于任何微网格的细条：%@，宽约 %.2f 米", grid.code, Self.area(area), width),
                        try piece.geometry(), subject: grid.code, measure: area)
                case .full:
                    add(.microGridGap, "\(Self.area(area)) of grid \(grid.code) in none of its \(members.count) micro-grids",
                        zh: "网格 \(grid.code) 有 \(Self.area(area)) 不在其 \(members.count) 个微网格中的任何一个内",
                        try piece.geometry(), subject: grid.code, measure: area)
                }
            }
            for (micro, object) in members {
                for piece in try pieces(difference(object, gridObject)) {
                    let (kind, area, width) = try classify(piece)
                    switch kind {
                    case .dust: continue
                    case .sliver:
                        add(.sliver, String(format: "sliver of micro-grid %@ outside its grid %@: %@, about %.2f m wide", micro.code, grid.code, Self.area(area), width),
                            zh: String(format: "微网格 %@ 超出所属网格 %@ 的细条：%@，宽约 %.2f 米", micro.code, grid.code, Self.area(area), width),
                            try piece.geometry(), subject: micro.code, measure: area)
                    case .full:
                        add(.microGridOutside, "\(Self.area(area)) of micro-grid \(micro.code) lies outside its grid \(grid.code)",
                            zh: "微网格 \(micro.code) 有 \(Self.area(area)) 在所属网格 \(grid.code) 之外",
                            try piece.geometry(), subject: micro.code, measure: area)
                    }
                }
            }
            for a in members.indices {
                for b in members.indices where b > a {
                    let (ma, oa) = members[a], (mb, ob) = members[b]
                    guard try oa.relate(ob, pattern: "T********") else { continue }
                    for piece in try pieces(intersection(oa, ob)) {
                        let (kind, area, width) = try classify(piece)
                        switch kind {
                        case .dust: continue
                        case .sliver:
                            add(.sliver, String(format: "sliver overlap of micro-grids %@ and %@: %@, about %.2f m wide", ma.code, mb.code, Self.area(area), width),
                                zh: String(format: "微网格 %@ 与 %@ 的细缝重叠：%@，宽约 %.2f 米", ma.code, mb.code, Self.area(area), width),
                                try piece.geometry(), subject: "\(ma.code), \(mb.code)", measure: area)
                        case .full:
                            add(.microGridOverlap, "\(Self.area(area)) in both micro-grid \(ma.code) and \(mb.code)",
                                zh: "\(Self.area(area)) 同时属于微网格 \(ma.code) 和 \(mb.code)",
                                try piece.geometry(), subject: "\(ma.code), \(mb.code)", measure: area)
                        }
                    }
                }
            }
        }
        progress?("micro-grids", total, total)
    }

    // MARK: Households

    func checkHouseholds() {
        let bounds = options.bounds
        var exemptGrids: Set<String> = []
        for grid in file.grids {
            if grid.isExempt { exemptGrids.insert(grid.code); continue }
            guard let households = grid.households, households < bounds.gridMin || households > bounds.gridMax else { continue }
            let side = households < bounds.gridMin ? "fewer than" : "more than"
            add(.householdsOutOfRange,
                "grid \(grid.code) has \(households) households, \(side) the \(bounds.gridMin)-\(bounds.gridMax) of a residential grid",
                zh: "网格 \(grid.code) 有 \(households) 户，\(households < bounds.gridMin ? "少于" : "多于")住宅网格的 \(bounds.gridMin)-\(bounds.gridMax) 户",
                grid.geometry, subject: grid.code, measure: Double(households))
        }
        for micro in file.microGrids ?? [] where !exemptGrids.contains(micro.gridCode) {
            guard let households = micro.households, households < bounds.microMin || households > bounds.microMax else { continue }
            let side = households < bounds.microMin ? "fewer than" : "more than"
            add(.householdsOutOfRange,
                "micro-grid \(micro.code) has \(households) households, \(side) the \(bounds.microMin)-\(bounds.microMax) of a micro-grid",
                zh: "微网格 \(micro.code) 有 \(households) 户，\(households < bounds.microMin ? "少于" : "多于")微网格的 \(bounds.microMin)-\(bounds.microMax) 户",
                micro.geometry, subject: micro.code, measure: Double(households))
        }
        if file.grids.contains(where: \.isExempt) {
            notes.append("Dedicated and rural grids, and their micro-grids, have no household bounds and are not checked against them.")
        }
        if file.grids.contains(where: { $0.households == nil }) {
            notes.append("Some grids have no households value: their household count is not checked.")
        }
    }

    // MARK: Assignments

    /// The grid whose interior holds `point`, as a code, or nil.
    func grid(at point: GEOSObject) throws -> String? {
        try gridTree.query(point).first { try gridObjects[$0].covers(point) }.map { file.grids[$0].code }
    }

    func checkAssignments() throws {
        guard let district else {
            notes.append("No --district: buildings, shops and roads are not checked.")
            return
        }
        let communityObjects = communityOutlines
        let communityTree = try SpatialTree(context: context)
        for (i, object) in communityObjects.enumerated() { communityTree.insert(object, index: i) }
        let prepared = try communityObjects.map { try PreparedGeometry($0) }
        func community(of geometry: Geometry) throws -> (code: String, point: GEOSObject)? {
            let object = try GEOSObject(geometry, context: context)
            let point = geometry.dimension == 0 ? object : try object.pointOnSurface()
            guard let i = try communityTree.query(point).first(where: { try prepared[$0].covers(point) }) else { return nil }
            return (district.communities[i].code, point)
        }

        notes.append("Buildings without households, and buildings, shops and roads outside every community, need no assignment and are not reported.")
        if let rows = file.buildingAssignments {
            let assigned = Set(rows.map(\.id))
            let footprint = Dictionary(district.buildings.map { ($0.id, $0.geometry) }, uniquingKeysWith: { a, _ in a })
            for row in rows where gridIndexByCode[row.gridCode] == nil {
                add(.unassignedBuilding, "building \(row.id) is assigned to grid \(row.gridCode.isEmpty ? "(none)" : row.gridCode), which is not in the grids layer",
                    zh: "楼栋 \(row.id) 划入的网格 \(row.gridCode.isEmpty ? "（无）" : row.gridCode) 不在网格图层中",
                    footprint[row.id], subject: row.id)
            }
            for (n, building) in district.buildings.enumerated() where !assigned.contains(building.id) {
                if n % 256 == 0 { progress?("buildings", n, district.buildings.count) }
                guard building.households > 0, let (code, point) = try community(of: building.geometry) else { continue }
                let at = try grid(at: point)
                let inGrid = at.map { ", inside grid \($0)" } ?? ", in no grid"
                add(.unassignedBuilding, "building \(building.id) (\(building.households) households) of community \(code) is in no row of building_assignments\(inGrid)",
                    zh: "社区 \(code) 的楼栋 \(building.id)（\(building.households) 户）不在 building_assignments 中" + (at.map { "，位于网格 \($0) 内" } ?? "，不在任何网格内"),
                    building.geometry, subject: building.id, measure: Double(building.households))
            }
        } else {
            notes.append("The grids file has no building_assignments layer: buildings are not checked.")
        }

        if let rows = file.shopAssignments {
            let assigned = Set(rows.map(\.id))
            for shop in district.shops where !assigned.contains(shop.id) {
                guard let (code, point) = try community(of: shop.geometry) else { continue }
                let at = try grid(at: point)
                let inGrid = at.map { ", inside grid \($0)" } ?? ", in no grid"
                add(.unassignedShop, "shop \(shop.id)\(shop.name.map { " (\($0))" } ?? "") of community \(code) is in no row of shop_assignments\(inGrid)",
                    zh: "社区 \(code) 的商铺 \(shop.id)\(shop.name.map { "（\($0)）" } ?? "") 不在 shop_assignments 中" + (at.map { "，位于网格 \($0) 内" } ?? "，不在任何网格内"),
                    shop.geometry, subject: shop.id)
            }
        } else if !district.shops.isEmpty {
            notes.append("The grids file has no shop_assignments layer: shops are not checked.")
        }

        if let assigned = file.assignedRoadIDs {
            for road in district.roads where !assigned.contains(road.id) {
                let object = try GEOSObject(road.geometry, context: context)
                let near = communityTree.query(object)
                guard !near.isEmpty else { continue }
                let inside = try object.intersection(union(near.map { communityObjects[$0] }))
                let length = try inside.length()
                guard length >= 1 else { continue }
                add(.unassignedRoad, String(format: "road %@%@: %.0f m inside the district in no row of road_assignments", road.id,
                                            road.name.map { " (\($0))" } ?? "", length),
                    zh: String(format: "道路 %@%@：辖区内 %.0f 米不在 road_assignments 中", road.id, road.name.map { "（\($0)）" } ?? "", length),
                    try inside.geometry(), subject: road.id, measure: length)
            }
        } else if !district.roads.isEmpty {
            notes.append("The grids file has no road_assignments layer: roads are not checked.")
        }
    }

    // MARK: Events

    func checkEvents(_ events: EventsFile) throws {
        for bad in events.badRows {
            add(.invalidEvent, "line \(bad.line)\(bad.id.map { " (id \($0))" } ?? ""): \(bad.reason)",
                zh: "第 \(bad.line) 行\(bad.id.map { "（编号 \($0)）" } ?? "")：\(bad.reason)", nil,
                subject: bad.id ?? "line \(bad.line)")
        }
        guard !events.events.isEmpty else { return }
        let index = try GridIndex(grids: file.grids.map { GridIndex.Grid(code: $0.code, communityCode: $0.communityCode, kind: $0.kind) },
                                  gridGeometries: try gridObjects.map { try $0.geometry() }, epsg: file.epsg)
        let converter = try LonLatConverter(targetEPSG: file.epsg)
        for (n, event) in events.events.enumerated() {
            if n % 1024 == 0 { progress?("events", n, events.events.count) }
            let point = converter.convert(event.lonLat, datum: options.datum)
            guard point.x.isFinite, point.y.isFinite else {
                add(.invalidEvent, "line \(event.line) (id \(event.id)): \(event.lonLat.x), \(event.lonLat.y) has no place in EPSG:\(file.epsg)",
                    zh: "第 \(event.line) 行（编号 \(event.id)）：\(event.lonLat.x), \(event.lonLat.y) 在 EPSG:\(file.epsg) 中没有位置", nil,
                    subject: event.id)
                continue
            }
            guard index.locate(point).status != .inside else { continue }
            let object = try GEOSObject(.point(point), context: context)
            var nearest = "", 最近 = ""
            if let g = try gridTree.nearest(to: object) {
                let distance = try gridObjects[g].distance(to: object)
                nearest = String(format: ": %.0f m from the nearest grid, %@", distance, file.grids[g].code)
                最近 = String(format: "：距最近的网格 %@ %.0f 米", file.grids[g].code, distance)
            }
            add(.eventOutside, "event \(event.id) (line \(event.line)) at \(event.lonLat.x), \(event.lonLat.y) is in no grid\(nearest)",
                zh: "事件 \(event.id)（第 \(event.line) 行）位于 \(event.lonLat.x), \(event.lonLat.y)，不在任何网格内\(最近)",
                .point(point), subject: event.id)
        }
    }
}
