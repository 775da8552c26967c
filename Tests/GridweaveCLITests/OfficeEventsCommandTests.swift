import Foundation
import Testing
import TestSupport

/// `locate` on events as an office exports them (issue #29): its own column names (事件编号, 经度,
/// 纬度), as CSV or as an Excel workbook, the other columns carried through, Chinese intact.
@Suite("Office events", .enabled(if: gdalInstalled, "needs GDAL's ogr2ogr"), .timeLimit(.minutes(10)))
struct OfficeEventsCommandTests {
    static let events = """
        事件编号,经度,纬度,描述,上报人
        E001,121.405,31.205,楼道堆物,张三
        E002,121.5,31.5,"路灯损坏, 东侧",李四
        E003,abc,31.205,坐标错误,王五

        """
    static let columns = ["--id-field", "事件编号", "--lon-field", "经度", "--lat-field", "纬度"]

    @Test func officeColumnNamesAndAWorkbookLocateAsTheCSV() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try ServeCommandTests.writeGrids(to: grids)
        try Data(Self.events.utf8).write(to: directory.url("事件.csv"))
        // The workbook an office's system exports: numbers as numbers, text as text.
        try await converted(["-f", "XLSX", directory.path("事件.xlsx"), directory.path("事件.csv"), "-oo", "AUTODETECT_TYPE=YES",
                             "-nln", "事件"])
        let results = try await blocking {
            [try runGridweave(["locate", "--grids", grids, directory.path("事件.csv")] + Self.columns),
             try runGridweave(["locate", "--grids", grids, directory.path("事件.xlsx")] + Self.columns)]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let lines = results[0].stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "id,grid_code,microgrid_code,community_code,status,distance_m,描述,上报人")
        #expect(lines.contains("E001,310101001001001,,310101001001,inside,0,楼道堆物,张三"), "\(lines)")
        #expect(lines.contains("E002,,,,outside,,\"路灯损坏, 东侧\",李四"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("E003,") && $0.contains(",invalid,") }, "\(lines)")
        #expect(results[1].stdout == results[0].stdout)
    }

    @Test func aColumnThatIsNotThereIsNamedWithTheOnesThatAre() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try ServeCommandTests.writeGrids(to: grids)
        try Data(Self.events.utf8).write(to: directory.url("事件.csv"))
        let result = try await blocking {
            try runGridweave(["locate", "--grids", grids, directory.path("事件.csv"), "--id-field", "事件编号", "--lon-field", "东经"])
        }
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(directory.path("事件.csv"))"), "\(result.stderr)")
        for name in ["东经", "经度", "纬度"] { #expect(result.stderr.contains(name), "\(name) missing from \(result.stderr)") }
    }
}
