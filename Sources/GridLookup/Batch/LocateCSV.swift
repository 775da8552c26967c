import FeatureIO
import Foundation
import GeometryEngine
import Projections

/// A batch lookup from CSV to CSV, streaming: a file of any length goes through in chunks of a
/// few megabytes, each split among the processor's cores, so memory stays flat.
///
/// Input: a header row naming the columns `id`, `lon` and `lat` (any order, any letter case;
/// other columns are carried through in order), then one point per row: longitude and latitude
/// in decimal degrees, in the datum of `Options.datum`. RFC 4180: fields may be quoted, with
/// commas, doubled quotes and line breaks inside; LF or CRLF line ends; blank lines are skipped.
///
/// Output: `id,grid_code,microgrid_code,community_code,status,distance_m` and then the other
/// input columns, one row per input row, in order. Status is `inside`, `near`, `outside` or
/// `invalid`; for an invalid row (a field that is not a number, NaN, a latitude outside ±90, a
/// longitude outside ±180, a row whose field count differs from the header's) `grid_code` holds
/// the reason and the batch goes on. `distance_m` is 0 inside, the distance in metres when near,
/// empty otherwise. Answers follow `GridIndex.locate`.
public final class LocateCSV {
    public struct Options: Sendable {
        /// The datum of the input's longitude and latitude.
        public var datum: Datum
        /// Metres within which a point outside every grid is `near` the nearest.
        public var tolerance: Double
        /// Bytes of input per chunk: memory stays within a few times this.
        public var chunkBytes: Int
        /// Cores to use (at least 1).
        public var workers: Int
        /// Bytes a row may take (its line break not counted): a longer data row is `invalid`
        /// and skipped without being held in memory, a longer header is an error.
        public var maxLineBytes: Int
        /// Whether an id or carried cell that a spreadsheet would run as a formula (it starts
        /// with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a `'` before it,
        /// as OWASP advises against CSV injection. Off by default: cells stay byte for byte.
        public var neutraliseFormulas: Bool
        /// The header's names of the id, longitude and latitude columns (matched ignoring ASCII
        /// case): `id`, `lon`, `lat`, or an office's own (`事件编号`, `经度`, `纬度`). The output
        /// names them `id` as always; every other column is carried under its own name.
        public var idColumn = "id"
        public var lonColumn = "lon"
        public var latColumn = "lat"

        /// 64 KiB: a thousand times a GPS fix with a long id, and small beside a chunk.
        public static let defaultMaxLineBytes = 64 << 10

        public init(datum: Datum = .wgs84, tolerance: Double = GridIndex.defaultTolerance, chunkBytes: Int = 4 << 20,
                    workers: Int = ProcessInfo.processInfo.activeProcessorCount, maxLineBytes: Int = defaultMaxLineBytes,
                    neutraliseFormulas: Bool = false) {
            self.datum = datum
            self.tolerance = tolerance
            self.chunkBytes = chunkBytes
            self.workers = workers
            self.maxLineBytes = maxLineBytes
            self.neutraliseFormulas = neutraliseFormulas
        }
    }

    /// Counts of a finished batch.
    public struct Summary: Hashable, Sendable, CustomStringConvertible {
        public var rows = 0
        public var inside = 0
        public var near = 0
        public var outside = 0
        public var invalid = 0
        /// Wall-clock seconds from the first byte read to the last written.
        public var seconds = 0.0
        public var bytesRead: Int64 = 0

        public init() {}

        public var description: String {
            let rate = seconds > 0 ? Int(Double(rows) / seconds) : 0
            return "\(Self.grouped(rows)) \(rows == 1 ? "row" : "rows"): \(Self.grouped(inside)) inside, \(Self.grouped(near)) near, "
                + "\(Self.grouped(outside)) outside, \(Self.grouped(invalid)) invalid; "
                + String(format: "%.2f s, ", seconds) + "\(Self.grouped(rate)) rows/s"
        }

        static func grouped(_ value: Int) -> String {
            let digits = String(value)
            var out = ""
            for (i, c) in digits.enumerated() {
                if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return out
        }
    }

    /// The columns every output row starts with.
    public static let outputColumns = ["id", "grid_code", "microgrid_code", "community_code", "status", "distance_m"]

    private let index: GridIndex
    private let options: Options
    private let workers: [Worker]
    private let codes: EncodedCodes

    /// Prepares a batch against `index`.
    /// - Throws: `GridLookupError` of kind `.unknownCRS` when the index has no EPSG CRS (lon/lat
    ///   cannot be placed in it) or PROJ has no way to it from WGS 84.
    public init(index: GridIndex, options: Options = Options(), gridsFile: String = "grids") throws {
        guard let epsg = index.epsg else {
            throw GridLookupError(.unknownCRS, file: gridsFile, layer: GridIndex.gridsLayer,
                                  message: "the grids have no EPSG CRS, so longitude/latitude cannot be placed among them")
        }
        self.index = index
        self.options = options
        do {
            workers = try (0..<max(1, options.workers)).map { _ in Worker(converter: try LonLatConverter(targetEPSG: epsg)) }
        } catch {
            throw GridLookupError(.unknownCRS, file: gridsFile, message: "\(error)")
        }
        codes = EncodedCodes(index)
    }

    /// Reads points from file descriptor `input` to its end and writes results to `output`.
    ///
    /// - Parameters:
    ///   - inputName: the input as the user named it, for messages (`-` for standard input).
    ///   - progress: called after each chunk with the counts so far (on the calling thread).
    /// - Throws: `GridLookupError`: `.missingColumn` naming the column when the header lacks
    ///   `id`, `lon` or `lat`; `.read` / `.write` when the input or output fails.
    public func run(input: Int32, inputName: String, output: Int32, outputName: String,
                    progress: ((Summary) -> Void)? = nil) throws -> Summary {
        let started = Self.now()
        var summary = Summary()
        var reader = ChunkReader(fd: input, name: inputName)
        let writer = ChunkWriter(fd: output, name: outputName)

        // The header: the first record, read whole however long it is.
        let columns = try readHeader(&reader, inputName: inputName)
        var header: [UInt8] = []
        header.append(contentsOf: Self.outputColumns.joined(separator: ",").utf8)
        for extra in columns.extras {
            header.append(CSVScanner.comma)
            var name = Array(columns.names[extra].utf8)
            if options.neutraliseFormulas && CSVScanner.startsFormula(name[...]) { name.insert(CSVScanner.apostrophe, at: 0) }
            name.withUnsafeBufferPointer { CSVScanner.appendField($0, to: &header) }
        }
        header.append(CSVScanner.newline)
        try writer.send(header)

        while true {
            try reader.fill(atLeast: options.chunkBytes)
            if reader.count == 0 && reader.atEnd { break }
            var end = reader.atEnd ? reader.count : reader.withBytes { CSVScanner.lastRecordEnd($0, from: 0, to: reader.count) }
            if end == 0 && reader.count > options.maxLineBytes + 1 {
                // A record already longer than a row may be (+ 1: a CR before its LF still
                // counts as the line break): answer it invalid and skip it, never holding it whole.
                try skipLongRecord(&reader, columns: columns, writer: writer)
                summary.rows += 1
                summary.invalid += 1
                continue
            }
            if end == 0 {
                // One record longer than a chunk (a row may be up to maxLineBytes): read more before cutting.
                try reader.fill(atLeast: reader.count + options.chunkBytes)
                end = reader.atEnd ? reader.count : reader.withBytes { CSVScanner.lastRecordEnd($0, from: 0, to: reader.count) }
                if end == 0 { continue }
            }
            let slices = reader.withBytes { Self.slices($0, end: end, count: workers.count) }
            let atEnd = reader.atEnd && end == reader.count
            reader.withBytes { bytes in
                let shared = SharedChunk(bytes: bytes, job: self)
                DispatchQueue.concurrentPerform(iterations: slices.count) { w in
                    shared.job.workers[w].process(shared.bytes, slices[w], atEnd: atEnd, columns: columns, job: shared.job)
                }
            }
            for worker in workers.prefix(slices.count) {
                try writer.send(worker.out)
                summary.rows += worker.counts.rows
                summary.inside += worker.counts.inside
                summary.near += worker.counts.near
                summary.outside += worker.counts.outside
                summary.invalid += worker.counts.invalid
            }
            reader.consume(end)
            summary.bytesRead = reader.bytesRead
            summary.seconds = Self.now() - started
            progress?(summary)
        }
        summary.seconds = Self.now() - started
        return summary
    }

    /// The reason an over-long row is `invalid`.
    var longRowReason: String {
        "the row is longer than \(options.maxLineBytes) bytes (--max-line-bytes)"
    }

    /// Answers the record at the start of `reader`, longer than `options.maxLineBytes`, as
    /// invalid (with its id when that comes whole in the bytes held), and reads past its end a
    /// chunk at a time, so that memory stays bounded however long it is. Its end is found as
    /// `CSVScanner.record` finds ends (`RecordEnds`): at a line break outside a quoted field.
    private func skipLongRecord(_ reader: inout ChunkReader, columns: Columns, writer: ChunkWriter) throws {
        var row: [UInt8] = []
        reader.withBytes { bytes in
            var fields: [CSVField] = []
            let prefix = min(bytes.count, options.maxLineBytes)
            _ = CSVScanner.record(bytes, from: 0, to: prefix, atEnd: true, into: &fields)
            // The last field may be cut by the prefix: only a field before it is whole.
            if columns.id < fields.count - 1 {
                CSVScanner.appendCell(bytes, fields[columns.id], neutralisingFormulas: options.neutraliseFormulas, to: &row)
            }
        }
        row.append(CSVScanner.comma)
        Array(longRowReason.utf8).withUnsafeBufferPointer { CSVScanner.appendField($0, to: &row) }
        row.append(contentsOf: ",,,invalid,".utf8)
        row.append(contentsOf: repeatElement(CSVScanner.comma, count: columns.extras.count))
        row.append(CSVScanner.newline)
        try writer.send(row)

        var ends = RecordEnds()
        while true {
            let count = reader.count
            let end: Int? = reader.withBytes { bytes -> Int? in
                guard count > 0 else { return nil }
                if let base = bytes.baseAddress, !CSVScanner.containsQuote(bytes, from: 0, to: count) {
                    // No quote in this chunk (the usual case): inside a quoted field it all stays
                    // inside; outside, the first line break ends the record, found by memchr.
                    if ends.isInsideQuotes { return nil }
                    guard let found = memchr(base, Int32(CSVScanner.newline), count) else {
                        // Without a quote or line break, only the last byte decides the state.
                        _ = ends.take(bytes[count - 1])
                        return nil
                    }
                    return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found)) + 1
                }
                for position in 0..<count where ends.take(bytes[position]) { return position + 1 }
                return nil
            }
            if let end {
                reader.consume(end)
                return
            }
            reader.consume(count)
            if reader.atEnd { return }
            try reader.fill(atLeast: options.chunkBytes)
            if reader.count == 0 && reader.atEnd { return }
        }
    }

    // MARK: - Header

    struct Columns: Sendable {
        var names: [String]
        var id: Int
        var lon: Int
        var lat: Int
        /// The other columns, in order.
        var extras: [Int]
    }

    private func readHeader(_ reader: inout ChunkReader, inputName: String) throws -> Columns {
        var fields: [CSVField] = []
        while true {
            // Doubling, so that even a header longer than the first read takes few reads.
            // Never more than the longest header allowed, and what shows that it is longer.
            try reader.fill(atLeast: min(max(reader.count * 2, 64 << 10), options.maxLineBytes + 8))
            // Skip a UTF-8 byte order mark.
            let start = reader.withBytes { $0.count >= 3 && $0[0] == 0xEF && $0[1] == 0xBB && $0[2] == 0xBF ? 3 : 0 }
            if reader.count <= start && reader.atEnd {
                throw GridLookupError(.missingColumn, file: inputName, column: "id",
                                      message: "the file is empty: it needs a header row naming the columns id, lon and lat")
            }
            let atEnd = reader.atEnd
            let count = reader.count
            let limit = options.maxLineBytes
            let parsed: (end: Int, names: [String])? = try reader.withBytes { bytes in
                guard let end = CSVScanner.record(bytes, from: start, to: count, atEnd: atEnd, into: &fields) else {
                    // + 1: a CR before the LF still counts as the line break.
                    if count - start > limit + 1 { throw headerTooLong(inputName) }
                    return nil
                }
                if CSVScanner.lineLength(bytes, from: start, to: end) > limit { throw headerTooLong(inputName) }
                return (end, fields.map { CSVScanner.text(bytes, $0).trimmingCharacters(in: .whitespaces) })
            }
            guard let (end, names) = parsed else { continue }
            reader.consume(end)
            if names.count == 1 && names[0].isEmpty { continue }  // blank lines before the header
            let required = "the columns \(options.idColumn), \(options.lonColumn) and \(options.latColumn) are required"
            func column(_ name: String) throws -> Int {
                guard let index = names.firstIndex(where: { $0.lowercased() == name.lowercased() }) else {
                    throw GridLookupError(.missingColumn, file: inputName, column: name,
                                          message: "the header has no column \(InputExcerpt.of(name)) (it has "
                                            + "\(InputExcerpt.of(names.joined(separator: ", ")))): \(required)")
                }
                return index
            }
            let id = try column(options.idColumn), lon = try column(options.lonColumn), lat = try column(options.latColumn)
            let extras = names.indices.filter { $0 != id && $0 != lon && $0 != lat }
            return Columns(names: names, id: id, lon: lon, lat: lat, extras: extras)
        }
    }

    private func headerTooLong(_ inputName: String) -> GridLookupError {
        GridLookupError(.lineTooLong, file: inputName, message: "the header row is longer than \(options.maxLineBytes) bytes "
                            + "(--max-line-bytes): is this a CSV file of points, with a header naming id, lon and lat?")
    }

    /// `count` ranges of whole records covering `0..<end`.
    private static func slices(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, count: Int) -> [Range<Int>] {
        guard count > 1, end > 64 << 10 else { return [0..<end] }
        var bounds = [0]
        if !CSVScanner.containsQuote(bytes, from: 0, to: end) {
            for k in 1..<count {
                bounds.append(max(bounds.last!, CSVScanner.nextLineBreak(bytes, from: end * k / count, to: end)))
            }
        } else {
            // Quotes may hide line breaks: walk the records, cutting after the first one that
            // passes each target.
            var ends = RecordEnds()
            var next = 1
            var position = 0
            while position < end && next < count {
                if ends.take(bytes[position]) && position + 1 >= end * next / count {
                    bounds.append(position + 1)
                    next += 1
                }
                position += 1
            }
        }
        bounds.append(end)
        return (0..<bounds.count - 1).map { bounds[$0]..<bounds[$0 + 1] }
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    // MARK: - Per core

    /// Texts as CSV fields, ready to copy into output rows: the bytes of all of them in one
    /// block, so that copying one touches no reference count.
    final class EncodedFields {
        private let bytes: FrozenArray<UInt8>
        private let offsets: FrozenArray<Int>

        init(_ texts: [String]) {
            var bytes: [UInt8] = []
            var offsets = [0]
            for text in texts {
                Array(text.utf8).withUnsafeBufferPointer { CSVScanner.appendField($0, to: &bytes) }
                offsets.append(bytes.count)
            }
            self.bytes = FrozenArray(bytes)
            self.offsets = FrozenArray(offsets)
        }

        deinit {
            bytes.deallocate()
            offsets.deallocate()
        }

        @inline(__always)
        subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
            bytes.slice(offsets[index]..<offsets[index + 1])
        }
    }

    /// The codes of every grid and micro-grid as CSV fields.
    struct EncodedCodes {
        let grid: EncodedFields
        let community: EncodedFields
        let microGrid: EncodedFields

        init(_ index: GridIndex) {
            grid = EncodedFields(index.grids.map(\.code))
            community = EncodedFields(index.grids.map(\.communityCode))
            microGrid = EncodedFields(index.microGrids.map(\.code))
        }
    }

    /// One core's share of a chunk, and the buffers it keeps from chunk to chunk.
    final class Worker {
        let converter: LonLatConverter
        var fields: [CSVField] = []
        /// Per row: where its fields are in `rowFields`, how many, its point (or -1 when invalid)
        /// and the reason when invalid.
        var rowFields: [CSVField] = []
        var rowStart: [Int] = []
        var rowPoint: [Int] = []
        var reasons: [String] = []
        var points: [XY] = []
        var locations: [PointLocation] = []
        var out: [UInt8] = []
        var counts = (rows: 0, inside: 0, near: 0, outside: 0, invalid: 0)
        var neutraliseFormulas = false

        init(converter: LonLatConverter) {
            self.converter = converter
        }

        func process(_ bytes: UnsafeBufferPointer<UInt8>, _ slice: Range<Int>, atEnd: Bool, columns: Columns, job: LocateCSV) {
            rowFields.removeAll(keepingCapacity: true)
            rowStart.removeAll(keepingCapacity: true)
            rowPoint.removeAll(keepingCapacity: true)
            reasons.removeAll(keepingCapacity: true)
            points.removeAll(keepingCapacity: true)
            out.removeAll(keepingCapacity: true)
            counts = (0, 0, 0, 0, 0)
            neutraliseFormulas = job.options.neutraliseFormulas
            let expected = columns.names.count
            var position = slice.lowerBound
            while position < slice.upperBound {
                // The slice holds whole records, so each ends inside it.
                let recordStart = position
                let next = CSVScanner.record(bytes, from: position, to: slice.upperBound, atEnd: true, into: &fields)
                    ?? slice.upperBound
                position = next
                if fields.count == 1 && fields[0].start == fields[0].end && !fields[0].quoted { continue }
                rowStart.append(rowFields.count)
                var reason: String?
                var point = XY(0, 0)
                if CSVScanner.lineLength(bytes, from: recordStart, to: next) > job.options.maxLineBytes {
                    // As a row too long to hold is answered (`skipLongRecord`): its id, nothing carried.
                    reason = job.longRowReason
                    let empty = CSVField(start: 0, end: 0, quoted: false)
                    rowFields.append(contentsOf: (0..<expected).map { $0 == columns.id && $0 < fields.count ? fields[$0] : empty })
                } else {
                    rowFields.append(contentsOf: fields)
                    if fields.count != expected { reason = "\(fields.count) fields where the header has \(expected)" }
                }
                if reason == nil {
                    let lon = fields[columns.lon], lat = fields[columns.lat]
                    switch (DecimalParser.parse(bytes, lon.start, lon.end), DecimalParser.parse(bytes, lat.start, lat.end)) {
                    case (nil, _):
                        reason = Self.describe("lon", bytes, lon)
                    case (_, nil):
                        reason = Self.describe("lat", bytes, lat)
                    case (let x?, let y?):
                        if !x.isFinite || !y.isFinite {
                            reason = "lon and lat must be finite numbers"
                        } else if abs(y) > 90 {
                            reason = "lat \(Self.clip(bytes, lat)) is outside ±90"
                        } else if abs(x) > 180 {
                            reason = "lon \(Self.clip(bytes, lon)) is outside ±180"
                        } else {
                            point = XY(x, y)
                        }
                    }
                }
                if let reason {
                    rowPoint.append(-1 - reasons.count)
                    reasons.append(reason)
                } else {
                    rowPoint.append(points.count)
                    points.append(point)
                }
            }
            converter.convert(&points, datum: job.options.datum)
            locations = job.index.locate(points, tolerance: job.options.tolerance, concurrently: false)
            rowStart.append(rowFields.count)
            for row in 0..<rowPoint.count {
                format(row, bytes, columns, job.codes)
            }
        }

        /// Appends the output row for input row `row`.
        private func format(_ row: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ columns: Columns, _ codes: EncodedCodes) {
            let first = rowStart[row], count = rowStart[row + 1] - first
            if columns.id < count {
                CSVScanner.appendCell(bytes, rowFields[first + columns.id], neutralisingFormulas: neutraliseFormulas, to: &out)
            }
            counts.rows += 1
            let point = rowPoint[row]
            if point < 0 {
                counts.invalid += 1
                out.append(CSVScanner.comma)
                Array(reasons[-1 - point].utf8).withUnsafeBufferPointer { CSVScanner.appendField($0, to: &out) }
                out.append(contentsOf: Self.invalidFields)
            } else {
                let location = locations[point]
                if let grid = location.grid {
                    out.append(CSVScanner.comma)
                    out.append(contentsOf: codes.grid[grid])
                    out.append(CSVScanner.comma)
                    if let micro = location.microGrid { out.append(contentsOf: codes.microGrid[micro]) }
                    out.append(CSVScanner.comma)
                    out.append(contentsOf: codes.community[grid])
                    if location.status == .inside {
                        counts.inside += 1
                        out.append(contentsOf: Self.insideFields)
                    } else {
                        counts.near += 1
                        out.append(contentsOf: Self.nearFields)
                        Self.appendMetres(location.distance ?? 0, to: &out)
                    }
                } else {
                    counts.outside += 1
                    out.append(contentsOf: Self.outsideFields)
                }
            }
            for extra in columns.extras {
                out.append(CSVScanner.comma)
                if extra < count {
                    CSVScanner.appendCell(bytes, rowFields[first + extra], neutralisingFormulas: neutraliseFormulas, to: &out)
                }
            }
            out.append(CSVScanner.newline)
        }

        private static let invalidFields = Array(",,,invalid,".utf8), insideFields = Array(",inside,0".utf8),
                           nearFields = Array(",near,".utf8), outsideFields = Array(",,,,outside,".utf8)

        /// Metres with two decimals (centimetres).
        static func appendMetres(_ metres: Double, to out: inout [UInt8]) {
            guard metres < 1e12 else {
                // Only with an enormous tolerance: beyond what an integer count of centimetres holds.
                out.append(contentsOf: String(format: "%.2f", metres).utf8)
                return
            }
            let centimetres = Int((metres * 100).rounded())
            out.append(contentsOf: String(centimetres / 100).utf8)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(centimetres % 100 / 10))
            out.append(UInt8(ascii: "0") + UInt8(centimetres % 10))
        }

        static func describe(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>, _ field: CSVField) -> String {
            field.start == field.end ? "\(name) is missing" : "\(name) '\(clip(bytes, field))' is not a number"
        }

        /// A field's text for a reason: cut to 32 characters, control characters escaped.
        static func clip(_ bytes: UnsafeBufferPointer<UInt8>, _ field: CSVField) -> String {
            InputExcerpt.of(CSVScanner.text(bytes, field).trimmingCharacters(in: .whitespaces), limit: 32)
        }
    }
}

/// What the workers of one `concurrentPerform` share: the chunk's bytes and the job, which
/// they only read, except worker w, which writes `job.workers[w]` and nothing else. (Each
/// worker's PROJ transformer is thus used by one thread at a time, as PROJ requires.)
private struct SharedChunk: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    let job: LocateCSV
}

// MARK: - File descriptors

/// Reads a file descriptor into a buffer that keeps an unconsumed tail between chunks.
struct ChunkReader {
    let fd: Int32
    let name: String
    private var buffer: [UInt8] = []
    private(set) var count = 0
    private(set) var atEnd = false
    private(set) var bytesRead: Int64 = 0

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    /// Reads until `atLeast` bytes are buffered or the input ends.
    mutating func fill(atLeast wanted: Int) throws {
        if buffer.count < wanted { buffer.append(contentsOf: repeatElement(0, count: wanted - buffer.count)) }
        while count < wanted && !atEnd {
            let got = buffer.withUnsafeMutableBytes { raw in
                // Returns the number of bytes read, 0 at the end, -1 with errno on failure.
                read(fd, raw.baseAddress! + count, wanted - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw GridLookupError(.read, file: name, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if got == 0 { atEnd = true }
            count += got
            bytesRead += Int64(got)
        }
    }

    /// Drops the first `length` bytes.
    mutating func consume(_ length: Int) {
        guard length > 0 else { return }
        buffer.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            memmove(base, base + length, count - length)
        }
        count -= length
    }

    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// Writes whole buffers to a file descriptor.
struct ChunkWriter {
    let fd: Int32
    let name: String

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = writeBytes(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw GridLookupError(.write, file: name, message: "cannot write: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}

/// write(2): the number of bytes written, or -1 with errno on failure.
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
