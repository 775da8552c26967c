import Foundation
import GeometryEngine
import GridLookup
import Hummingbird
import Projections

/// `GET /v1/locate` and `POST /v1/locate`: the same steps as `gridweave locate` (check the
/// coordinates, `LonLatConverter` into the file's CRS, `GridIndex.locate`), the same answers.
extension IntakeResponder {
    /// One point from the query string: `lon`, `lat`, and optionally `datum` and `id`.
    /// - Throws: `IntakeServerError` (400) naming the parameter that is missing or wrong.
    func locateOne(query: Substring) throws(IntakeServerError) -> (body: [UInt8], lookups: ServerMetrics.LookupCounts) {
        let parameters = try LocateQuery(query)
        var datum = settings.datum
        if let name = parameters.datum {
            switch PointInput.datum(name) {
            case .success(let value): datum = value
            case .failure(let problem): throw IntakeServerError(.badRequest, field: problem.field, message: problem.message)
            }
        }
        let point: XY
        switch PointInput.point(lon: parameters.lon, lat: parameters.lat) {
        case .success(let value): point = value
        case .failure(let problem): throw IntakeServerError(.badRequest, field: problem.field, message: problem.message)
        }
        let snapshot = store.current
        let tolerance = settings.tolerance
        let location: PointLocation
        do {
            location = try snapshot.converters.withConverter { converter in
                snapshot.index.locate(converter.convert(point, datum: datum), tolerance: tolerance)
            }
        } catch {
            throw IntakeServerError(.internalError, message: "cannot convert the point into the grids' CRS: \(error)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(192)
        Self.appendResult(location, id: parameters.id, codes: snapshot.codes, to: &out)
        out.append(UInt8(ascii: "\n"))
        var counts = ServerMetrics.LookupCounts()
        counts.add(location.status)
        return (out, counts)
    }

    /// A batch: results in the order of the points; a point that cannot be located is
    /// answered `invalid` with its reason.
    /// - Throws: `IntakeServerError`: 400 when the body is not a batch, 413 when it holds more
    ///   than `--max-batch` points.
    func locateBatch(_ body: [UInt8]) throws -> (Response, ServerMetrics.LookupCounts) {
        let batch = try BatchRequest.decode(body)
        let scan = try BatchBodyScan.scan(body)
        guard batch.points.count <= settings.maxBatch else {
            throw IntakeServerError(.payloadTooLarge, field: "points",
                                    message: "\(batch.points.count) points, more than the limit of \(settings.maxBatch) per batch (--max-batch)")
        }
        var datum = settings.datum
        if let name = batch.datum {
            switch PointInput.datum(name[...]) {
            case .success(let value): datum = value
            case .failure(let problem): throw IntakeServerError(.badRequest, field: problem.field, message: problem.message)
            }
        }
        // Per input point: its position among the valid points, or -1 - its reason's position.
        var slots: [Int] = []
        slots.reserveCapacity(batch.points.count)
        var points: [XY] = []
        points.reserveCapacity(batch.points.count)
        var reasons: [String] = []
        for point in batch.points {
            if let problem = point.idProblem {
                slots.append(-1 - reasons.count)
                reasons.append(problem)
                continue
            }
            switch PointInput.point(lon: point.lon, lat: point.lat) {
            case .success(let xy):
                slots.append(points.count)
                points.append(xy)
            case .failure(let problem):
                slots.append(-1 - reasons.count)
                reasons.append(problem.reason)
            }
        }
        let snapshot = store.current
        let tolerance = settings.tolerance
        let locations = try snapshot.converters.withConverter { converter in
            converter.convert(&points, datum: datum)
            return snapshot.index.locate(points, tolerance: tolerance, concurrently: false)
        }
        var out: [UInt8] = []
        out.reserveCapacity(64 + 160 * batch.points.count)
        out.append(contentsOf: "{\"results\":[".utf8)
        var counts = ServerMetrics.LookupCounts()
        for (position, point) in batch.points.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\n"))
            let slot = slots[position]
            // A numeric id as it was written, never as a double's shortest form.
            let id = point.id.map { scan.numericIDs[position] ?? $0 }
            if slot >= 0 {
                Self.appendResult(locations[slot], id: id, codes: snapshot.codes, to: &out)
                counts.add(locations[slot].status)
            } else {
                Self.appendInvalid(id: id, reason: reasons[-1 - slot], to: &out)
                counts.invalid += 1
            }
        }
        out.append(contentsOf: "\n]}\n".utf8)
        return (Self.json(out), counts)
    }

    /// One object whose keys are the columns of the locate CSV (`AnswerKeys`), in their order,
    /// with `null` where the CSV has an empty field.
    static func appendResult(_ location: PointLocation, id: String?, codes: EncodedCodes, to out: inout [UInt8]) {
        appendID(id, to: &out)
        if let grid = location.grid {
            out.append(contentsOf: AnswerKeys.grid)
            codes.grid.append(grid, to: &out)
            out.append(contentsOf: AnswerKeys.microGrid)
            if let micro = location.microGrid { codes.microGrid.append(micro, to: &out) } else { out.append(contentsOf: "null".utf8) }
            out.append(contentsOf: AnswerKeys.community)
            codes.community.append(grid, to: &out)
            out.append(contentsOf: location.status == .inside ? AnswerKeys.insideAndDistance : AnswerKeys.nearAndDistance)
            LocateCSV.appendDistance(of: location, to: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: AnswerKeys.outside)
        }
    }

    /// The answer for a point that cannot be located: status `invalid` and `reason`.
    static func appendInvalid(id: String?, reason: String, to out: inout [UInt8]) {
        appendID(id, to: &out)
        out.append(contentsOf: AnswerKeys.invalidAndReason)
        JSONWriter.appendString(reason, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func appendID(_ id: String?, to out: inout [UInt8]) {
        out.append(contentsOf: AnswerKeys.id)
        if let id { JSONWriter.appendString(id, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }
}

/// The bytes of an answer's keys, made once from the locate CSV's columns
/// (`LocateCSV.outputColumns`: id, grid_code, microgrid_code, community_code, status,
/// distance_m), so that the server and `gridweave locate` name them in one place.
private enum AnswerKeys {
    static let id = Array("{\"\(LocateCSV.outputColumns[0])\":".utf8)
    static let grid = key(1)
    static let microGrid = key(2)
    static let community = key(3)
    static let insideAndDistance = key(4) + Array(#""inside""#.utf8) + key(5)
    static let nearAndDistance = key(4) + Array(#""near""#.utf8) + key(5)
    static let outside = key(1) + null + key(2) + null + key(3) + null + key(4) + Array(#""outside""#.utf8) + key(5) + null
        + [UInt8(ascii: "}")]
    static let invalidAndReason = key(1) + null + key(2) + null + key(3) + null + key(4) + Array(#""invalid""#.utf8) + key(5) + null
        + Array(#","reason":"#.utf8)

    private static let null = Array("null".utf8)

    /// `,"NAME":` for the column at `index`.
    private static func key(_ index: Int) -> [UInt8] { Array(",\"\(LocateCSV.outputColumns[index])\":".utf8) }
}

extension ServerMetrics.LookupCounts {
    mutating func add(_ status: PointLocation.Status) {
        switch status {
        case .inside: inside += 1
        case .near: near += 1
        case .outside: outside += 1
        }
    }
}

/// The parameters of `GET /v1/locate?lon=..&lat=..[&datum=..][&id=..]`, percent-decoded;
/// other parameters are ignored.
struct LocateQuery {
    var lon: CoordinateInput = .missing
    var lat: CoordinateInput = .missing
    var datum: Substring?
    var id: String?

    /// - Throws: `IntakeServerError` (400) when `lon`, `lat`, `datum` or `id` is given twice.
    init(_ query: Substring) throws(IntakeServerError) {
        // Scanned as bytes: this runs for every single-point request, and `&`, `=` and `%` are
        // ASCII, so their positions are character boundaries of `query` too.
        let bytes = query.utf8
        // The parameters seen so far, one bit each: lon, lat, datum, id.
        var seen: UInt8 = 0
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.endIndex
            defer { start = end < bytes.endIndex ? bytes.index(after: end) : end }
            guard start < end else { continue }
            let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "="))
            let name = bytes[start..<(equals ?? end)]
            let bit: UInt8 = name.elementsEqual("lon".utf8) ? 1 : name.elementsEqual("lat".utf8) ? 2
                : name.elementsEqual("datum".utf8) ? 4 : name.elementsEqual("id".utf8) ? 8 : 0
            guard bit != 0 else { continue }
            guard seen & bit == 0 else {
                throw IntakeServerError(.badRequest, field: String(query[start..<(equals ?? end)]), message: "given twice")
            }
            seen |= bit
            var value = equals.map { query[bytes.index(after: $0)..<end] } ?? ""
            if value.utf8.contains(UInt8(ascii: "%")) {
                value = (String(value).removingPercentEncoding ?? String(value))[...]
            }
            switch bit {
            case 1: lon = .text(value)
            case 2: lat = .text(value)
            case 4: datum = value
            default: id = String(value)
            }
        }
    }
}
