import ArgumentParser
import FeatureIO
import Foundation
import MapRendering

/// `gridweave render GRIDS -o MAP.svg|MAP.png`: a map of grids and micro-grids with a legend.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a map of grids and micro-grids, coloured by households, with a legend and a scale bar.",
        discussion: """
            Reads the grids (and micro-grids, when present) of a grids GeoPackage that follows \
            data.md and draws them in the metric working CRS of the data: grids filled by their \
            households (a sequential palette inside --grid-min..--grid-max; grids outside the \
            bounds in colours of their own; dedicated and rural grids grey and sand), micro-grid \
            outlines thinner and dashed, grid codes (last 3 digits) where they fit, a legend and a \
            scale bar. The format follows the extension of -o: .svg or .png. The same file always \
            gives the same bytes.

            Examples:
              gridweave render grids.gpkg -o grids.svg
              gridweave render grids.gpkg -o grids.png --width 2400
            """
    )

    @Argument(help: ArgumentHelp("A grids GeoPackage (layer grids; microgrids drawn when present).", valueName: "grids.gpkg"))
    var grids: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The map to write: .svg or .png.", valueName: "map.svg|map.png"))
    var output: String

    @Option(help: ArgumentHelp("Width of the map area in pixels (the legend adds about 300).", valueName: "px"))
    var width = 1600

    @Option(help: ArgumentHelp("Fewest households in a residential grid.", valueName: "n"))
    var gridMin = 150
    @Option(help: ArgumentHelp("Most households in a residential grid.", valueName: "n"))
    var gridMax = 250

    enum Format { case svg, png }

    var format: Format? {
        switch (output as NSString).pathExtension.lowercased() {
        case "svg": .svg
        case "png": .png
        default: nil
        }
    }

    func validate() throws {
        guard format != nil else { throw ValidationError("-o \(output): the map must end in .svg or .png") }
        guard (100...20_000).contains(width) else { throw ValidationError("--width must be 100 to 20000 pixels") }
        guard gridMin <= gridMax else { throw ValidationError("--grid-min \(gridMin) is above --grid-max \(gridMax)") }
    }

    func run() throws {
        let start = Date()
        try reportingErrors { _ = try FileCheck.outputFile(output) }
        let bytes: [UInt8] = try reportingErrors {
            let map = try GridMap(contentsOf: grids, bounds: HouseholdBounds(gridMin: gridMin, gridMax: gridMax))
            switch format {
            case .png: return try map.png(width: width)
            default: return Array(map.svg(width: width).utf8)
            }
        }
        try reportingErrors { try AtomicFile.write(bytes, to: output) }
        print(String(format: "wrote %@ (%d bytes) in %.2f s", output, bytes.count, Date().timeIntervalSince(start)))
    }
}
