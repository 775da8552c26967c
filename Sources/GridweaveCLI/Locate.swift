import ArgumentParser
import FeatureIO
import Foundation
import GridLookup
import Projections

/// `gridweave locate --grids OUT.gpkg [INPUT.csv|-] [-o OUTPUT.csv]`: the grid, micro-grid and
/// community of every point of a CSV file.
struct Locate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the grid, micro-grid and community of every point of a CSV file (events, GPS fixes, addresses).",
        discussion: """
            Reads points as CSV with a header row naming the columns id, lon and lat (longitude \
            and latitude in decimal degrees; other columns are carried through, in order), from \
            INPUT.csv or standard input, and writes one row per point:

              id,grid_code,microgrid_code,community_code,status,distance_m,<other columns>

            status is `inside` (distance_m 0), `near` (outside every grid but within --tolerance \
            metres of one: the nearest, with its distance), `outside`, or `invalid` when the row \
            cannot be read (a coordinate that is not a number, NaN, latitude outside ±90, \
            longitude outside ±180, a field count that differs from the header's): grid_code then \
            holds the reason, and the batch goes on. The micro-grid is always one of the grid's.

            A point on a boundary that several grids share belongs to exactly one of them: the \
            grid holding the point moved an infinitesimal step east and then north. On a \
            north-south (or slanted) edge that is the grid east of it, on an east-west edge the \
            one north of it, at a shared corner the one north-east of it. Points are compared \
            with the grids exactly, in the grids file's own coordinates.

            Input may be in the datum of Chinese web maps: --datum gcj02 (Gaode/AMap, Tencent) or \
            bd09 (Baidu); it is converted to WGS 84, then to the grids file's CRS.

            The file streams through in chunks: any number of rows, in little memory. A row \
            longer than --max-line-bytes (64 KiB; a quoted field's line breaks count) is `invalid` \
            and skipped without being held in memory; a longer header stops the run. INPUT must \
            be a regular file: a FIFO, a device or a socket is refused (it could block forever); \
            pipe a stream to standard input with `-`.

            Ids and carried columns are written byte for byte as they came, so a cell such as \
            =HYPERLINK(...) or +cmd|calc from outside reaches the output unchanged, and a \
            spreadsheet opening it may run it as a formula. --neutralise-formulas writes a ' \
            before every id, carried cell or carried column name that starts with =, +, -, @, a \
            tab or a carriage return (OWASP's advice against CSV injection), at the price of \
            changing such cells (-12.5 becomes '-12.5); the other columns are never changed. \
            Ids keep their exact text (123456789012345678901234567890 is never a number).

            Output goes to standard output, or with -o to a file that appears only when \
            complete (written whole and renamed into place; a symbolic link is written through \
            to its target; a FIFO, a device or a directory is refused, nothing written). A summary \
            line (rows, inside, near, outside, invalid, rate) goes to standard error when it is a \
            terminal, or always with --summary; standard output carries only the CSV. Exits 1 \
            with an `error:` line when the grids file or INPUT cannot be read, -o names what is not \
            a regular file, or the header lacks id, lon or lat or is longer than --max-line-bytes.

            An office's export keeps its own column names and may be a workbook: name the \
            columns with --id-field, --lon-field and --lat-field (事件编号, 经度, 纬度), and give \
            an .xlsx or .ods file, whose first sheet is read (through GDAL) as the CSV would be; \
            its other columns are carried through, Chinese intact.

            Examples:
              gridweave locate --grids shanghai-grids.gpkg events.csv -o events-located.csv
              gridweave locate --grids grids.gpkg 事件.xlsx --id-field 事件编号 --lon-field 经度 --lat-field 纬度 -o 事件-网格.csv
              gridweave locate --grids grids.gpkg --datum gcj02 amap.csv > located.csv
              cat fixes.csv | gridweave locate --grids grids.gpkg --tolerance 20 - --summary
            """
    )

    @Option(help: ArgumentHelp("A partition GeoPackage (layers grids and microgrids), as `gridweave partition` writes, or the PostGIS database it wrote: PG:\"host=... dbname=... user=...\" (add active_schema=S for --schema S).",
                               valueName: "grids.gpkg"))
    var grids: String

    @Argument(help: ArgumentHelp("Points as CSV with columns id, lon, lat; `-` or nothing for standard input.", valueName: "input.csv"))
    var input: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the results here instead of standard output.", valueName: "output.csv"))
    var output: String?

    @Option(help: ArgumentHelp("Datum of the input's lon/lat: wgs84 (GPS), gcj02 (Gaode/AMap, Tencent) or bd09 (Baidu).",
                               valueName: "datum"))
    var datum: Datum = .wgs84

    @Option(help: ArgumentHelp("Metres within which a point outside every grid is `near` the nearest grid.", valueName: "m"))
    var tolerance = GridIndex.defaultTolerance

    @Flag(help: "Print the summary line on standard error even when it is not a terminal.")
    var summary = false

    @Option(help: ArgumentHelp("Longest row read, in bytes (its line break not counted): a longer row is `invalid`, a longer header an error.",
                               valueName: "bytes"))
    var maxLineBytes = LocateCSV.Options.defaultMaxLineBytes

    @Option(help: ArgumentHelp("The input's column of ids, when not `id`: an office's 事件编号.", valueName: "name"))
    var idField = "id"
    @Option(help: ArgumentHelp("The input's column of longitudes, when not `lon`: 经度.", valueName: "name"))
    var lonField = "lon"
    @Option(help: ArgumentHelp("The input's column of latitudes, when not `lat`: 纬度.", valueName: "name"))
    var latField = "lat"

    @Flag(help: ArgumentHelp("Write a ' before an id or carried cell that starts with = + - @, a tab or a CR, so that a spreadsheet shows it as text instead of running it as a formula."))
    var neutraliseFormulas = false

    func validate() throws {
        guard tolerance.isFinite, tolerance >= 0 else { throw ValidationError("--tolerance must be a number of metres, 0 or more") }
        guard (1...(1 << 30)).contains(maxLineBytes) else { throw ValidationError("--max-line-bytes must be 1 to 1073741824 (1 GiB)") }
    }

    func run() throws {
        // A closed pipe (`| head`) is an error to report, not a signal to die of.
        signal(SIGPIPE, SIG_IGN)
        var provenance: GridIndex.Provenance?
        let result = try reportingErrors { () -> LocateCSV.Summary in
            // Refused before the grids are loaded, not after.
            if let output { _ = try FileCheck.outputFile(output, advice: Self.outputAdvice) }
            let index = try GridIndex(contentsOf: grids)
            provenance = index.provenance
            var jobOptions = LocateCSV.Options(datum: datum, tolerance: tolerance, maxLineBytes: maxLineBytes,
                                               neutraliseFormulas: neutraliseFormulas)
            (jobOptions.idColumn, jobOptions.lonColumn, jobOptions.latColumn) = (idField, lonField, latField)
            let job = try LocateCSV(index: index, options: jobOptions, gridsFile: DatabaseConnection.displayName(grids))
            let inputName = input ?? "-"
            // A workbook (an office's XLSX or ODS export) is read through GDAL into a CSV beside
            // the system's temporary files, which then streams as any other.
            let converted = try SpreadsheetReader.isWorkbook(inputName) ? Self.workbookAsCSV(inputName) : nil
            defer { if let converted { unlink(converted) } }
            let inputFD = try openInput(converted ?? inputName)
            defer { if inputFD != STDIN_FILENO { close(inputFD) } }
            let inputSize = inputFD == STDIN_FILENO ? nil : fileSize(inputFD)
            let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1, total: inputSize)
            defer { progress.finish() }
            guard let output else {
                return try job.run(input: inputFD, inputName: inputName, output: STDOUT_FILENO, outputName: "-",
                                   progress: progress.update)
            }
            return try OutputFile.write(output) { fd in
                try job.run(input: inputFD, inputName: inputName, output: fd, outputName: output, progress: progress.update)
            }
        }
        if summary || isatty(STDERR_FILENO) == 1 {
            printError("located \(result)")
            // How the grids were loaded (a build costs half a second on a city, a stored index
            // little): after the summary line, which scripts read first.
            if let provenance { printError("grids: \(provenance)") }
        }
    }

    /// The first sheet of the workbook `path` as a temporary CSV file; its path.
    private static func workbookAsCSV(_ path: String) throws -> String {
        let csv = (NSTemporaryDirectory() as NSString).appendingPathComponent("gridweave-locate-\(UUID().uuidString).csv")
        try SpreadsheetReader.csv(of: path, to: csv)
        return csv
    }

    static let outputAdvice = "name a regular file or a new path, or leave out -o to write to standard output"

    private func openInput(_ name: String) throws -> Int32 {
        if name == "-" { return STDIN_FILENO }
        // open(2) would wait forever on a FIFO nobody writes to: streams come in on standard input.
        try FileCheck.inputFile(name, advice: "to read a pipe or a stream, give `-` and send it to standard input")
        // Returns a file descriptor, or -1 with errno.
        let fd = open(name, O_RDONLY)
        guard fd >= 0 else {
            let kind: GridLookupError.Kind = errno == ENOENT ? .missingFile : .read
            throw GridLookupError(kind, file: name, message: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        return fd
    }

    private func fileSize(_ fd: Int32) -> Int64? {
        var info = stat()
        // Returns 0 on success.
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}

/// An output file written whole or not at all: a temporary file next to it, renamed over it
/// when complete; removed on failure or when the run is interrupted (SIGINT, SIGTERM).
/// The path goes through `FileCheck.outputFile`, as every output of the engine does: a FIFO, a
/// device or a directory is refused, a symbolic link written through to its target.
private enum OutputFile {
    static func write<T>(_ path: String, _ body: (Int32) throws -> T) throws -> T {
        let target = try FileCheck.outputFile(path, advice: Locate.outputAdvice)
        let temporary = AtomicFile.temporaryPath(for: target)
        // Returns a file descriptor, or -1 with errno.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw GridLookupError(.write, file: path, message: "cannot create the output file: \(String(cString: strerror(errno)))")
        }
        let cleanup = InterruptCleanup(removing: temporary)
        defer { cleanup.cancel() }
        do {
            let result = try body(fd)
            // Both return 0 on success, -1 with errno.
            guard fsync(fd) == 0, close(fd) == 0 else {
                throw GridLookupError(.write, file: path, message: "cannot finish the output file: \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, target) == 0 else {
                throw GridLookupError(.write, file: path, message: "cannot move the output into place: \(String(cString: strerror(errno)))")
            }
            return result
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }
}

/// Removes a temporary file and exits when the run is interrupted, instead of dying with the
/// file left behind.
private final class InterruptCleanup {
    private let sources: [any DispatchSourceSignal]

    init(removing path: String) {
        let signals = [SIGINT, SIGTERM]
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                unlink(path)
                printError("error: interrupted; \(path) removed, nothing written")
                exit(number == SIGINT ? 130 : 143)
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// A one-line progress report on standard error, drawn only when it is a terminal and at most
/// four times a second.
private final class ProgressLine {
    private let enabled: Bool
    private let total: Int64?
    private var lastDrawn = 0.0
    private var drawn = false

    init(enabled: Bool, total: Int64?) {
        self.enabled = enabled
        self.total = total
    }

    func update(_ summary: LocateCSV.Summary) {
        guard enabled, summary.seconds - lastDrawn >= 0.25 else { return }
        lastDrawn = summary.seconds
        let rate = summary.seconds > 0 ? Double(summary.rows) / summary.seconds : 0
        var line = String(format: "\rlocating: %@ rows, %.1f M rows/s", grouped(summary.rows), rate / 1e6)
        if let total, total > 0 {
            line += String(format: ", %.0f%% of %.1f MB", 100 * Double(summary.bytesRead) / Double(total), Double(total) / 1e6)
        }
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
