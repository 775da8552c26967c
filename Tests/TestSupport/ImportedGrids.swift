import Foundation

/// The office's hand-drawn grids of the Shanghai sample (`HandGridsFixture`: Chinese community
/// names, 网格名称, 网格员 and 电话 on every grid) imported by `gridweave import-grids` into
/// `directory/grids.gpkg`; returns that path and the district's.
public func importedShanghaiGrids(in directory: TemporaryDirectory) async throws -> (grids: String, district: String) {
    let district = sampleDistrict("shanghai.gpkg").path
    let fixture = try await blocking { try HandGridsFixture(district: sampleDistrict("shanghai.gpkg")) }
    try fixture.write(to: directory.path("网格.gpkg"))
    let grids = directory.path("grids.gpkg")
    let imported = try await blocking { try runGridweave(["import-grids", directory.path("网格.gpkg"), "--district", district, "-o", grids]) }
    guard imported.status == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "import-grids failed: \(imported.stderr)"])
    }
    return (grids, district)
}
