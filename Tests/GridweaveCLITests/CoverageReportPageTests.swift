import Foundation
import Testing
import TestSupport

/// The coverage page over a district: buildings and roads under the grids as layers a reader
/// switches, in Chinese with --lang zh; looked at in headless Chromium.
@Suite(.timeLimit(.minutes(10))) struct CoverageReportPageTests {
    @Test(.enabled(if: Chromium.executable != nil && installedTool("gdal_translate") != nil))
    func theChinesePageDrawsBuildingsAndRoadsUnderTheGrids() async throws {
        let directory = try TemporaryDirectory()
        let (grids, district) = try await importedShanghaiGrids(in: directory)
        let report = directory.path("report")
        let checked = try await blocking {
            try runGridweave(["coverage", "--grids", grids, "--district", district, "--lang", "zh", "--allow-findings", "-o", report])
        }
        #expect(checked.status == 0, "\(checked.stderr)")
        let page = (report as NSString).appendingPathComponent("index.html")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<html lang=\"zh-CN\">") && html.contains("网格覆盖检查报告") && html.contains("网格户数"))
        for layer in ["bld", "roads", "grids", "outline", "micro", "labels"] {
            #expect(html.contains("data-layer=\"\(layer)\""), "no switch for \(layer)")
        }
        #expect(html.contains("<g class=\"bld\">") && html.contains("<g class=\"roads\">"))

        // The page as a browser shows it: not blank, and hiding the buildings or the roads changes what is seen.
        func variant(_ name: String, hiding selector: String) throws -> String {
            let path = (report as NSString).appendingPathComponent(name)
            try html.replacingOccurrences(of: "</style>", with: "\(selector){display:none}</style>").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let withoutBuildings = try variant("no-buildings.html", hiding: "g.bld")
        let withoutRoads = try variant("no-roads.html", hiding: "g.roads")
        let (full, noBuildings, noRoads) = try await blocking {
            (try Chromium.screenshot(of: page), try Chromium.screenshot(of: withoutBuildings), try Chromium.screenshot(of: withoutRoads))
        }
        #expect(full.inkedShare > 0.3, "\(full.inkedShare)")
        #expect(full.differingShare(from: noBuildings) > 0.01, "\(full.differingShare(from: noBuildings))")
        #expect(full.differingShare(from: noRoads) > 0.01, "\(full.differingShare(from: noRoads))")
    }
}
