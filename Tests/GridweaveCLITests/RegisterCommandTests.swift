import FeatureIO
import Foundation
import Testing
import TestSupport

/// `gridweave register`: the office's register as XLSX, ODS or CSV, read back by GDAL (issue #29).
@Suite("Register", .enabled(if: gdalInstalled, "needs GDAL's ogrinfo"), .timeLimit(.minutes(10)))
struct RegisterCommandTests {
    @Test func anXLSXRegisterReadsBackWithChineseHeadersAndTheDistrictsNames() async throws {
        let directory = try TemporaryDirectory()
        let district = sampleDistrict("shanghai.gpkg").path
        let grids = directory.path("grids.gpkg")
        let register = directory.path("网格台账.xlsx")
        let results = try await blocking {
            [try runGridweave(["partition", district, "-o", grids]),
             try runGridweave(["register", grids, "--district", district, "-o", register, "--lang", "zh"])]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }

        let info = try #require(ogrinfo(["-ro", "-al", register]))
        #expect(info.status == 0, "\(info.output)")
        for layer in ["Layer name: 网格", "Layer name: 微网格", "Layer name: 楼栋"] { #expect(info.output.contains(layer), "no \(layer)") }
        for header in ["网格编码 (String)", "网格名称 (String)", "社区名称 (String)", "街道名称 (String)", "户数 (Integer", "单元数 (Integer",
                       "道路长度(米) (Real)", "面积(平方米) (Real)", "微网格编码 (String)", "楼栋编号 (String)"] {
            #expect(info.output.contains(header), "no header \(header)")
        }
        #expect(info.output.contains("南京东路第1社区第1网格"), "no grid name")

        // The same rows as the partition: every grid, its households.
        let sheet = try GDALReader(path: register).readLayer("网格")
        let partition = try GeoPackageReader(path: grids).readLayer("grids")
        #expect(sheet.features.count == partition.features.count)
        #expect(sheet.features.map { $0["网格编码"].codeText } == partition.features.map { $0["code"].codeText })
        #expect(sheet.features.map { $0["户数"].int64 } == partition.features.map { $0["households"].int64 })
        #expect(sheet.features.allSatisfy { ($0["面积(平方米)"].double ?? 0) > 1_000 })
        #expect(sheet.features.allSatisfy { ($0["单元数"].int64 ?? 0) >= ($0["楼栋数"].int64 ?? 0) })
    }

    @Test func odsInEnglishAndOneSheetAsCSV() async throws {
        let directory = try TemporaryDirectory()
        let district = sampleDistrict("bubenec.gpkg").path
        let grids = directory.path("grids.gpkg")
        let results = try await blocking {
            [try runGridweave(["partition", district, "-o", grids]),
             try runGridweave(["register", grids, "-o", directory.path("register.ods"), "--lang", "en"]),
             try runGridweave(["register", grids, "-o", directory.path("楼栋.csv"), "--sheet", "buildings"])]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let ods = try #require(ogrinfo(["-ro", "-al", "-so", directory.path("register.ods")]))
        for text in ["Layer name: grids", "Layer name: micro-grids", "grid code: String", "households: Integer", "area (m²): Real"] {
            #expect(ods.output.contains(text), "no \(text) in \(ods.output)")
        }
        let csv = try Data(contentsOf: directory.url("楼栋.csv"))
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF] + Array("楼栋编号,网格编码".utf8)))
        // Not a spreadsheet: refused before any work.
        let refused = try await blocking { try runGridweave(["register", grids, "-o", directory.path("register.txt")]) }
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: "), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("register.txt")))
    }

    @Test func importedGridsCarryTheOfficesFields() async throws {
        let directory = try TemporaryDirectory()
        let district = sampleDistrict("shanghai.gpkg").path
        let fixture = try await blocking { try HandGridsFixture(district: sampleDistrict("shanghai.gpkg")) }
        try fixture.write(to: directory.path("网格.gpkg"))
        let grids = directory.path("grids.gpkg")
        let results = try await blocking {
            [try runGridweave(["import-grids", directory.path("网格.gpkg"), "--district", district, "-o", grids]),
             try runGridweave(["register", grids, "--district", district, "-o", directory.path("register.xlsx")])]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let sheet = try GDALReader(path: directory.path("register.xlsx")).readLayer("网格")
        for name in ["原网格编码", "网格员", "电话"] { #expect(sheet.field(named: name) != nil, "no column \(name)") }
        let imported = try GeoPackageReader(path: grids).readLayer("grids")
        #expect(sheet.features.map { $0["网格员"].string } == imported.features.map { $0["网格员"].string })
        #expect(sheet.features.contains { $0["网格员"].string?.isEmpty == false })
    }
}
