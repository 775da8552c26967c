import ArgumentParser
import DistrictModel
import Foundation
import GeometryEngine
import Projections

/// `gridweave inspect DISTRICT`: what the engine reads from a district, before partitioning.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and check a district; print what a planner wants to know before partitioning.",
        discussion: """
            Prints the layers and their counts, households, the CRS and the metric working CRS \
            the engine measures in, the extent, each community with its households, and every \
            problem found with the feature it concerns (repaired footprints, buildings outside \
            every community or across a boundary, overlapping communities, unknown values).

            Exits 1 with an `error:` line naming the file, layer, feature and field when the \
            district cannot be understood (a missing layer or field, a negative household \
            count, duplicate ids, an unknown CRS). Problems the engine can handle are listed, \
            and the exit code stays 0.

            Examples:
              gridweave inspect geodata/shanghai.gpkg
              gridweave inspect my-district/ --datum gcj02
              gridweave inspect osm.gpkg --estimate-households --default-floors 6
              gridweave inspect office-shp/ --encoding GBK --layer buildings=楼栋 --map buildings.households=户数
            """
    )

    @Argument(help: ArgumentHelp("A district: a GeoPackage, a folder of <layer>.geojson files, or what GDAL reads: a Shapefile or a folder of them, MapInfo, DXF, KML, FlatGeobuf, FileGDB.", valueName: "district"))
    var district: String

    @OptionGroup var options: DistrictOptions

    @Option(help: ArgumentHelp("Problems listed per kind (0: all).", valueName: "n"))
    var limit = 20

    @Flag(help: "Print the report as JSON instead of text.")
    var json = false

    func run() throws {
        let report = try reportingErrors { try InspectionReport(path: district, options: options.readOptions()) }
        if json {
            print(report.json())
        } else {
            print(report.text(limit: limit))
        }
    }
}

/// Everything `inspect` says about a district.
struct InspectionReport {
    let read: DistrictReadResult
    let survey: DistrictSurvey
    let crs: CRSInfo
    let workingCRS: CRSInfo
    let lonLatExtent: Envelope?
    let metricExtent: Envelope?

    init(path: String, options: DistrictReadOptions) throws {
        read = try DistrictReader.read(path, options: options)
        let district = read.district
        crs = try CRSInfo.lookup(epsg: district.epsg)
        let working = try district.workingEPSG()
        workingCRS = try CRSInfo.lookup(epsg: working)
        let metric = try district.projected(to: working)
        survey = try DistrictSurvey(metric)
        metricExtent = metric.envelope
        lonLatExtent = try district.envelope.map { envelope in
            let toLonLat = try CoordinateTransformer(from: district.epsg, to: 4326)
            let corners = try [XY(envelope.minX, envelope.minY), XY(envelope.maxX, envelope.maxY),
                               XY(envelope.minX, envelope.maxY), XY(envelope.maxX, envelope.minY)].map { try toLonLat.transform($0) }
            return Envelope(of: corners)!
        }
    }

    var findings: [DistrictFinding] { read.findings + survey.findings }

    struct CommunityRow {
        var community: Community
        var households: Int
        var buildings: Int
        var area: Double
    }

    var communityRows: [CommunityRow] {
        var households = [Int](repeating: 0, count: read.district.communities.count)
        var buildings = households
        for (building, community) in zip(read.district.buildings, survey.buildingCommunity) {
            guard let community else { continue }
            households[community] += building.households
            buildings[community] += 1
        }
        return read.district.communities.indices.map {
            CommunityRow(community: read.district.communities[$0], households: households[$0], buildings: buildings[$0],
                         area: survey.communityArea[$0])
        }
    }

    func text(limit: Int) -> String {
        let district = read.district
        var out: [String] = []
        out.append("District     \(read.path)")
        out.append("CRS          EPSG:\(crs.epsg) \(crs.name)\(crs.isGeographic ? " (lon/lat)" : "")")
        out.append("Working CRS  EPSG:\(workingCRS.epsg) \(workingCRS.name) (areas and distances in metres)")
        if let e = lonLatExtent, let m = metricExtent {
            out.append(String(format: "Extent       %.5f..%.5f E, %.5f..%.5f N (%.1f × %.1f km)",
                              e.minX, e.maxX, e.minY, e.maxY, m.width / 1000, m.height / 1000))
        }
        out.append("")
        let residential = district.buildings.filter(\.isResidential).count
        let households = district.households
        out.append("Layers")
        out.append("  communities  \(pad(district.communities.count))   \(district.communities.filter { $0.kind == .rural }.count) rural")
        out.append("  buildings    \(pad(district.buildings.count))   \(grouped(residential)) residential, \(grouped(households)) households")
        var roadClasses: [String] = []
        for roadClass in RoadClass.allCases {
            let count = district.roads.filter { $0.roadClass == roadClass }.count
            if count > 0 { roadClasses.append("\(roadClass.rawValue) \(grouped(count))") }
        }
        let unclassified = district.roads.filter { $0.roadClass == nil }.count
        if unclassified > 0 { roadClasses.append("unclassified \(grouped(unclassified))") }
        out.append("  roads        \(pad(district.roads.count))   \(roadClasses.joined(separator: ", "))")
        out.append("  shops        \(pad(district.shops.count))")
        out.append("  dedicated    \(pad(district.dedicated.count))   \(DedicatedSite.Kind.allCases.compactMap { kind in let n = district.dedicated.filter { $0.kind == kind }.count; return n > 0 ? "\(kind.rawValue) \(n)" : nil }.joined(separator: ", "))")
        out.append("  compounds    \(pad(district.compounds.count))")
        if !district.barriers.isEmpty { out.append("  barriers     \(pad(district.barriers.count))") }
        out.append("")
        out.append("Communities")
        out.append("  code          kind   households  buildings    area km²  grids at 200  name")
        let rows = communityRows
        for row in rows {
            let gridsEstimate = row.community.kind == .rural ? 1 : max(1, Int((Double(row.households) / 200).rounded()))
            out.append("  \(row.community.code)  \(row.community.kind.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0))  \(pad(row.households, 10))  \(pad(row.buildings, 9))  \(String(format: "%10.3f", row.area / 1_000_000))  \(pad(gridsEstimate, 12))  \(row.community.name ?? "")")
        }
        let inside = rows.reduce(0) { $0 + $1.households }
        if inside != households {
            out.append("  \(grouped(households - inside)) households are in buildings outside every community.")
        }
        out.append("")
        let all = findings
        if all.isEmpty {
            out.append("Problems     none")
        } else {
            out.append("Problems     \(grouped(all.count)) (handled; listed so that the data can be fixed at the source)")
            var kinds: [DistrictFinding.Kind] = []
            for finding in all where !kinds.contains(finding.kind) { kinds.append(finding.kind) }
            for kind in kinds {
                let ofKind = all.filter { $0.kind == kind }
                out.append("  \(kind) (\(grouped(ofKind.count)))")
                let shown = limit > 0 ? ofKind.prefix(limit) : ofKind[...]
                for finding in shown {
                    out.append("    \(finding.layer.rawValue) \(finding.featureID): \(finding.detail)")
                }
                if shown.count < ofKind.count {
                    out.append("    ... and \(grouped(ofKind.count - shown.count)) more (--limit 0 lists all)")
                }
            }
        }
        return out.joined(separator: "\n")
    }

    func json() -> String {
        let district = read.district
        var object: [String: Any] = [
            "path": read.path,
            "epsg": district.epsg,
            "working_epsg": workingCRS.epsg,
            "layers": [
                "communities": district.communities.count, "buildings": district.buildings.count,
                "roads": district.roads.count, "shops": district.shops.count,
                "dedicated": district.dedicated.count, "compounds": district.compounds.count, "barriers": district.barriers.count,
            ],
            "households": district.households,
            "communities": communityRows.map {
                ["code": $0.community.code, "kind": $0.community.kind.rawValue, "households": $0.households,
                 "buildings": $0.buildings, "area_m2": ($0.area * 100).rounded() / 100] as [String: Any]
            },
            "problems": findings.map {
                ["kind": "\($0.kind)", "layer": $0.layer.rawValue, "feature": $0.featureID, "detail": $0.detail]
            },
        ]
        if let e = lonLatExtent { object["extent_lonlat"] = [e.minX, e.minY, e.maxX, e.maxY] }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// 12,345
func grouped(_ value: Int) -> String {
    let digits = String(abs(value))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (value < 0 ? "-" : "") + out
}

func pad(_ value: Int, _ width: Int = 7) -> String {
    let text = grouped(value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
