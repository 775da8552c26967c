import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import GridSchema
import Projections
import Synchronization

/// One loaded grids file, immutable: the lookup index, the grids as GeoJSON features, the codes
/// ready to copy into answers, and converters into the file's CRS.
///
/// A request takes the current snapshot once and uses it throughout, so every answer comes
/// from one file even while a reload swaps in another.
final class GridSnapshot: Sendable {
    /// What was loaded, for `/healthz`, reload answers and logs.
    struct Info: Sendable {
        var file: String
        /// 1 for the file loaded at start, one more for each successful reload.
        var generation: Int
        var grids: Int
        var microGrids: Int
        var epsg: Int
        /// When the load finished (seconds since 1970) and how long it took.
        var loadedAt: Double
        var loadSeconds: Double
        /// Of which loading the lookup index: reading the file's stored index, or building it
        /// (the rest: PROJ set-up, the grids in WGS 84).
        var indexSeconds: Double
        /// `stored` when the index was read from the file, `built` when it was built (see
        /// `GridIndex.Provenance`), and why a stored one was not used.
        var indexSource = "built"
        var indexReason: String?
        /// Bytes the lookup index holds.
        var indexBytes: Int
        /// The other phases of the load, in seconds: PROJ converters, reading the grids layer
        /// again for its features, and bringing them to WGS 84.
        var convertersSeconds = 0.0
        var featuresReadSeconds = 0.0
        var featuresTransformSeconds = 0.0
        /// The grids' extent in WGS 84 longitude/latitude; nil when no grid has a geometry.
        var extent: Envelope?
    }

    let info: Info
    let index: GridIndex
    let codes: EncodedCodes
    let converters: ConverterPool
    /// The grids layer's fields, in file order (the properties of `GET /v1/grids/{code}`).
    let gridFields: [String]
    /// The grids in WGS 84 longitude/latitude (RFC 7946), by code.
    let gridFeatures: [String: Feature]
    /// The grids as the file gives them (its CRS), by code: a reload keeps the WGS 84 feature
    /// of every grid whose row is unchanged.
    let sourceFeatures: [String: Feature]

    private init(info: Info, index: GridIndex, codes: EncodedCodes, converters: ConverterPool, gridFields: [String],
                 gridFeatures: [String: Feature], sourceFeatures: [String: Feature]) {
        self.sourceFeatures = sourceFeatures
        self.info = info
        self.index = index
        self.codes = codes
        self.converters = converters
        self.gridFields = gridFields
        self.gridFeatures = gridFeatures
        Self.alive.add(1)
    }

    deinit {
        Self.alive.add(-1)
    }

    /// Snapshots in memory: the one served, and old ones until their last request ends.
    static let alive = LiveCount()

    /// Loads the grids file at `path`, as `gridweave locate` does (`GridIndex(contentsOf:)`).
    ///
    /// The file is read twice (the index, then the grids' features); when it is replaced in
    /// between (its inode, size or time changed), the load starts again, so that the two always
    /// come from the same file.
    /// - Throws: `GridLookupError` naming the file, layer and feature when the file cannot be
    ///   loaded or its CRS cannot take longitude/latitude.
    /// - Parameter previous: the snapshot served until now; its converters are shared when the
    ///   file's CRS is the same (PROJ's set-up took 0.3-1.1 s of a reload under load).
    static func load(_ path: String, generation: Int, converters preparedConverters: Int,
                     reusing previous: GridSnapshot? = nil) throws -> GridSnapshot {
        let started = monotonicSeconds()
        // A database is named by its connection without the password, in errors, logs and /healthz.
        let shown = DatabaseConnection.displayName(path)
        var attempt = 0
        while true {
            attempt += 1
            let before = FileIdentity(path)
            // Read from the file's stored index when it matches the grids; built otherwise, on
            // the caller's thread alone: the other core goes on answering requests.
            let index = try GridIndex(contentsOf: path, concurrently: false)
            guard let epsg = index.epsg else {
                throw GridLookupError(.unknownCRS, file: shown, layer: GridIndex.gridsLayer,
                                      message: "the grids have no EPSG CRS, so longitude/latitude cannot be placed among them")
            }
            let convertersStarted = monotonicSeconds()
            let converters: ConverterPool
            do {
                if let previous, previous.converters.targetEPSG == epsg {
                    converters = previous.converters
                } else {
                    converters = try ConverterPool(targetEPSG: epsg, prepared: preparedConverters)
                }
            } catch {
                throw GridLookupError(.unknownCRS, file: shown, layer: GridIndex.gridsLayer, message: "\(error)")
            }
            let convertersSeconds = monotonicSeconds() - convertersStarted
            let featuresStarted = monotonicSeconds()
            let layer: Layer
            do {
                layer = try GridsSource.open(path).readLayer(PartitionSchema.Grids.layer)
            } catch let error as FeatureIOError {
                throw GridLookupError(.unreadable, file: shown, layer: GridIndex.gridsLayer, message: error.description)
            }
            guard before == FileIdentity(path) || attempt >= 3 else { continue }
            let featuresReadSeconds = monotonicSeconds() - featuresStarted
            let transformStarted = monotonicSeconds()

            var features: [String: Feature] = [:]
            var sourceFeatures: [String: Feature] = [:]
            var extent: Envelope?
            features.reserveCapacity(layer.features.count)
            sourceFeatures.reserveCapacity(layer.features.count)
            let indexedCodes = Set(index.grids.map(\.code))
            // Made when a grid is new or changed: PROJ's set-up took 0.1-0.6 s of a reload under load.
            var toWGS84: CoordinateTransformer?
            for feature in layer.features {
                guard let code = feature[PartitionSchema.Grids.code].codeText, indexedCodes.contains(code) else { continue }
                sourceFeatures[code] = feature
                // A grid whose row is as it was keeps its WGS 84 feature: no PROJ work per reload
                // for the grids that did not change (usually all but a few).
                if let previous, previous.info.epsg == epsg, previous.sourceFeatures[code] == feature,
                   let kept = previous.gridFeatures[code] {
                    features[code] = kept
                    if let envelope = kept.geometry?.envelope { extent = extent?.union(envelope) ?? envelope }
                    continue
                }
                var wgs84 = feature
                if epsg != 4326, toWGS84 == nil {
                    do {
                        toWGS84 = try CoordinateTransformer(from: epsg, to: 4326)
                    } catch {
                        throw GridLookupError(.unknownCRS, file: shown, layer: GridIndex.gridsLayer, message: "\(error)")
                    }
                }
                if let toWGS84, let geometry = feature.geometry {
                    wgs84.geometry = try? toWGS84.transform(geometry)
                }
                features[code] = wgs84
                if let envelope = wgs84.geometry?.envelope { extent = extent?.union(envelope) ?? envelope }
            }
            let featuresTransformSeconds = monotonicSeconds() - transformStarted
            let info = Info(file: shown, generation: generation, grids: index.grids.count, microGrids: index.microGrids.count,
                            epsg: epsg, loadedAt: Date().timeIntervalSince1970, loadSeconds: monotonicSeconds() - started,
                            indexSeconds: index.provenance.seconds, indexSource: index.provenance.source.rawValue,
                            indexReason: index.provenance.reason, indexBytes: index.byteCount,
                            convertersSeconds: convertersSeconds, featuresReadSeconds: featuresReadSeconds,
                            featuresTransformSeconds: featuresTransformSeconds, extent: extent)
            return GridSnapshot(info: info, index: index, codes: EncodedCodes(index), converters: converters,
                                gridFields: layer.fields.map(\.name), gridFeatures: features, sourceFeatures: sourceFeatures)
        }
    }
}

/// The codes of every grid, community and micro-grid as quoted JSON strings, in one block of
/// bytes each, so an answer copies them without touching a `String`.
final class EncodedCodes: Sendable {
    let grid: EncodedStrings
    let community: EncodedStrings
    let microGrid: EncodedStrings

    init(_ index: GridIndex) {
        grid = EncodedStrings(index.grids.map(\.code))
        community = EncodedStrings(index.grids.map(\.communityCode))
        microGrid = EncodedStrings(index.microGrids.map(\.code))
    }
}

/// Strings as quoted JSON, concatenated, with the offset where each begins.
struct EncodedStrings: Sendable {
    private let bytes: [UInt8]
    private let offsets: [Int]

    init(_ texts: [String]) {
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(texts.count + 1)
        for text in texts {
            JSONWriter.appendString(text, to: &bytes)
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    /// Appends string `index`, quoted, to `out`.
    @inline(__always)
    func append(_ index: Int, to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[offsets[index]..<offsets[index + 1]])) }
    }
}

/// What identifies a file's content without reading it: a replaced file (written beside and
/// renamed over, as `gridweave partition` does) has another inode.
struct FileIdentity: Equatable {
    var device: UInt64 = 0
    var inode: UInt64 = 0
    var size: Int64 = 0
    var modifiedSeconds: Int = 0
    var modifiedNanoseconds: Int = 0

    init(_ path: String) {
        var info = stat()
        // Returns 0 on success, -1 with errno (a missing file: all zeros, and the load reports it).
        guard stat(path, &info) == 0 else { return }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }
}

/// Seconds on a monotonic clock, for durations.
@inline(__always)
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A count that any thread may change and read.
final class LiveCount: Sendable {
    // Relaxed: the count orders nothing else; it is only ever shown.
    private let count = Atomic<Int>(0)

    func add(_ delta: Int) {
        count.wrappingAdd(delta, ordering: .relaxed)
    }

    var value: Int {
        count.load(ordering: .relaxed)
    }
}
