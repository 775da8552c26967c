#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A lookup index as bytes: what `gridweave partition` stores beside the grids (the table
/// `gridweave_lookup_index`), so that `locate` and `serve` read it instead of building it.
///
/// ## Layout (format version 1, little endian)
///
/// - A header of 64 bytes: the magic `GWLKIDX\0`, the format version (4 bytes), the number of
///   sections (4 bytes), the fingerprint of the grids it was built from (8 bytes, see
///   `GridsFingerprint`), the XXH64 of every byte after the header (8 bytes), the whole length
///   (8 bytes), zeros.
/// - Sections, each at an offset that is a multiple of 64: a header of 64 bytes (the length of
///   its data in bytes (8), its tag (4), the size of one element (4), zeros), then the data.
///   They come in the order of `Tag`; each holds one array of the index as it is in memory.
///
/// Reading checks the magic, the version, the length, the checksum and every section's tag,
/// size and element count against the others before anything is used, so a truncated, damaged
/// or other-version blob is refused (and the index built) rather than read.
enum StoredIndex {
    /// The format this code writes and reads; any other is built again.
    static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("GWLKIDX\0".utf8)
    static let headerBytes = 64
    static let sectionHeaderBytes = 64

    /// The sections, in the order they are stored.
    enum Tag: UInt32, CaseIterable {
        case numbers = 1, scaleSamples, columnX, rowY, cells, records
        case gridVertices, gridEdges, gridEdgeFaceStart, gridEdgeFaces, gridFaceEdgeStart, gridFaceEdges, gridCoarseStart, gridCoarseList
        case microVertices, microEdges, microEdgeFaceStart, microEdgeFaces, microFaceEdgeStart, microFaceEdges, microCoarseStart, microCoarseList
        case microGridParent, gridChildStart, gridChildren
        case codeBytes, codeOffsets
    }

    /// Why a stored index was not used.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// One block of memory holding a stored index's bytes, aligned for huge pages; the arrays of
    /// the index read from it borrow from it. Freed once, when the index goes.
    final class Block: @unchecked Sendable {
        // @unchecked: written once (by the read), before the index is shared, and never again.
        let bytes: UnsafeMutableRawBufferPointer

        init(count: Int) {
            let hugePage = 2 << 20
            var raw: UnsafeMutableRawPointer?
            let rounded = max((count + hugePage - 1) / hugePage * hugePage, hugePage)
            // Returns 0 on success, an error number otherwise.
            if posix_memalign(&raw, hugePage, rounded) != 0 { raw = nil }
            guard let raw else { fatalError("out of memory for a stored lookup index of \(count) bytes") }
            #if os(Linux)
            // Advice only (see FrozenArray): -1 where huge pages are unavailable changes nothing.
            _ = madvise(raw, rounded, MADV_HUGEPAGE)
            #endif
            bytes = UnsafeMutableRawBufferPointer(start: raw, count: count)
        }

        deinit {
            free(bytes.baseAddress)
        }
    }

    // MARK: - Writing

    /// The index as bytes, for the grids whose fingerprint is `fingerprint`.
    static func encode(_ index: GridIndex, fingerprint: UInt64, cellsPerEdge: Double) -> [UInt8] {
        var codeBytes: [UInt8] = []
        var codeOffsets: [UInt32] = [0]
        for text in index.grids.flatMap({ [$0.code, $0.communityCode, $0.kind] }) + index.microGrids.flatMap({ [$0.code, $0.gridCode] }) {
            codeBytes.append(contentsOf: text.utf8)
            codeOffsets.append(UInt32(codeBytes.count))
        }
        let lattice = index.lattice
        let scale = index.scale.stored
        func layerNumbers(_ layer: PlanarLayer) -> [Double] {
            [Double(layer.faceCount), Double(layer.coarse.columns), Double(layer.coarse.rows), layer.coarse.originX,
             layer.coarse.originY, layer.coarse.cellSize]
        }
        // Integers are exact in a Double up to 2^53, far beyond any count here.
        let numbers: [Double] = [
            Double(index.epsg ?? -1), Double(index.grids.count), Double(index.microGrids.count), cellsPerEdge,
            Double(lattice.columns), Double(lattice.rows), lattice.originX, lattice.originY, lattice.inverseCellWidth,
            lattice.inverseCellHeight, lattice.filterMargin,
        ] + layerNumbers(index.gridLayer) + layerNumbers(index.microGridLayer) + [Double(scale.numbers.count)] + scale.numbers

        var sections: [(Tag, UnsafeRawBufferPointer, Int)] = []
        func add<T: BitwiseCopyable>(_ tag: Tag, _ array: FrozenArray<T>) {
            sections.append((tag, UnsafeRawBufferPointer(array.elements), MemoryLayout<T>.stride))
        }
        return numbers.withUnsafeBytes { numberBytes in
            scale.samples.withUnsafeBytes { sampleBytes in
                codeBytes.withUnsafeBytes { codeByteBytes in
                    codeOffsets.withUnsafeBytes { codeOffsetBytes in
                        sections.append((.numbers, numberBytes, 8))
                        sections.append((.scaleSamples, sampleBytes, 8))
                        add(.columnX, lattice.columnX)
                        add(.rowY, lattice.rowY)
                        add(.cells, lattice.cells)
                        add(.records, lattice.records)
                        for layer in [index.gridLayer, index.microGridLayer] {
                            add(layer === index.gridLayer ? .gridVertices : .microVertices, layer.vertices)
                            let base = layer === index.gridLayer ? Tag.gridEdges.rawValue : Tag.microEdges.rawValue
                            for (offset, array) in [layer.edges, layer.edgeFaceStart, layer.edgeFaces, layer.faceEdgeStart,
                                                    layer.faceEdges, layer.coarse.start, layer.coarse.list].enumerated() {
                                add(Tag(rawValue: base + UInt32(offset))!, array)
                            }
                        }
                        sections.sort { $0.0.rawValue < $1.0.rawValue }
                        add(.microGridParent, index.microGridParent)
                        add(.gridChildStart, index.gridChildStart)
                        add(.gridChildren, index.gridChildren)
                        sections.append((.codeBytes, codeByteBytes, 1))
                        sections.append((.codeOffsets, codeOffsetBytes, 4))
                        return layOut(sections, fingerprint: fingerprint)
                    }
                }
            }
        }
    }

    private static func aligned(_ offset: Int) -> Int { (offset + 63) / 64 * 64 }

    private static func layOut(_ sections: [(Tag, UnsafeRawBufferPointer, Int)], fingerprint: UInt64) -> [UInt8] {
        precondition(sections.map(\.0) == Tag.allCases, "sections in the order of Tag")
        var total = headerBytes
        for (_, data, _) in sections { total = aligned(total + sectionHeaderBytes + data.count) }
        var bytes = [UInt8](repeating: 0, count: total)
        bytes.withUnsafeMutableBytes { out in
            var offset = headerBytes
            for (tag, data, size) in sections {
                out.storeBytes(of: UInt64(data.count).littleEndian, toByteOffset: offset, as: UInt64.self)
                out.storeBytes(of: tag.rawValue.littleEndian, toByteOffset: offset + 8, as: UInt32.self)
                out.storeBytes(of: UInt32(size).littleEndian, toByteOffset: offset + 12, as: UInt32.self)
                offset += sectionHeaderBytes
                if let base = data.baseAddress, data.count > 0 {
                    (out.baseAddress! + offset).copyMemory(from: base, byteCount: data.count)
                }
                offset = aligned(offset + data.count)
            }
            for (n, byte) in magic.enumerated() { out[n] = byte }
            out.storeBytes(of: formatVersion.littleEndian, toByteOffset: 8, as: UInt32.self)
            out.storeBytes(of: UInt32(sections.count).littleEndian, toByteOffset: 12, as: UInt32.self)
            out.storeBytes(of: fingerprint.littleEndian, toByteOffset: 16, as: UInt64.self)
            let checksum = XXHash64.hash(UnsafeRawBufferPointer(rebasing: out[headerBytes...]))
            out.storeBytes(of: checksum.littleEndian, toByteOffset: 24, as: UInt64.self)
            out.storeBytes(of: UInt64(total).littleEndian, toByteOffset: 32, as: UInt64.self)
        }
        return bytes
    }

    // MARK: - Reading

    /// What the header says, read from its first bytes alone.
    struct Header {
        var version: UInt32
        var fingerprint: UInt64
    }

    /// The header of a blob, or nil when it does not start with the magic and a header.
    static func header(_ bytes: UnsafeRawBufferPointer) -> Header? {
        guard bytes.count >= headerBytes, Array(bytes[0..<8]) == magic else { return nil }
        return Header(version: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
                      fingerprint: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
    }

    /// The index stored in `block`, its arrays borrowing from it.
    /// - Throws: `Refusal` when the bytes are not a whole, undamaged index of this version.
    static func decode(_ block: Block, provenance: GridIndex.Provenance) throws -> GridIndex {
        let bytes = UnsafeRawBufferPointer(block.bytes)
        guard let header = header(bytes) else { throw Refusal("the stored index does not start with its header") }
        guard header.version == formatVersion else {
            throw Refusal("the stored index has format version \(header.version), this gridweave reads \(formatVersion)")
        }
        let total = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        guard total == UInt64(bytes.count) else {
            throw Refusal("the stored index is \(bytes.count) bytes where its header says \(total): it is truncated or damaged")
        }
        let checksum = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        guard XXHash64.hash(UnsafeRawBufferPointer(rebasing: bytes[headerBytes...])) == checksum else {
            throw Refusal("the stored index's checksum does not match its bytes: it is damaged")
        }
        var sections: [Tag: (data: UnsafeRawBufferPointer, size: Int)] = [:]
        var offset = headerBytes
        for tag in Tag.allCases {
            guard offset + sectionHeaderBytes <= bytes.count else { throw Refusal("the stored index ends before section \(tag)") }
            let length = Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) & 0xFFFF_FFFF_FFFF)
            let storedTag = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
            let size = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
            offset += sectionHeaderBytes
            guard storedTag == tag.rawValue, size > 0, length % size == 0, offset + length <= bytes.count else {
                throw Refusal("the stored index's section \(tag) is not where or what it should be")
            }
            sections[tag] = (UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]), size)
            offset = aligned(offset + length)
        }
        return try Reader(sections: sections).index(block: block, provenance: provenance)
    }

    /// Turns checked sections into the index's arrays, checking every count against the others.
    private struct Reader {
        let sections: [Tag: (data: UnsafeRawBufferPointer, size: Int)]

        func array<T: BitwiseCopyable>(_ tag: Tag, _ type: T.Type, count: Int? = nil) throws -> FrozenArray<T> {
            guard let (data, size) = sections[tag], size == MemoryLayout<T>.stride else {
                throw Refusal("the stored index's section \(tag) does not hold \(T.self) values")
            }
            let elements = data.count / size
            guard count == nil || elements == count else {
                throw Refusal("the stored index's section \(tag) holds \(elements) values where \(count!) are needed")
            }
            // The data start at a multiple of 64 in a block aligned to 2 MiB: aligned for any T.
            // Each section is bound to its one type, once, here.
            let start = data.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).bindMemory(to: T.self, capacity: elements) }
            return FrozenArray(borrowing: UnsafeBufferPointer(start: start, count: elements))
        }

        func index(block: Block, provenance: GridIndex.Provenance) throws -> GridIndex {
            let numbers = try array(.numbers, Double.self)
            var cursor = 0
            func next() throws -> Double {
                guard cursor < numbers.count else { throw Refusal("the stored index's numbers end too soon") }
                defer { cursor += 1 }
                return numbers[cursor]
            }
            func count(_ value: Double) throws -> Int {
                guard value >= 0, value <= Double(Int32.max) else { throw Refusal("the stored index holds a count of \(value)") }
                return Int(value)
            }
            let epsgNumber = try next()
            let gridCount = try count(try next()), microCount = try count(try next())
            _ = try next() // cells per edge, for the reader of the file
            let columns = try count(try next()), rows = try count(try next())
            let originX = try next(), originY = try next(), inverseWidth = try next(), inverseHeight = try next()
            let margin = try next()
            guard columns > 0, rows > 0 else { throw Refusal("the stored index's lattice is empty") }
            let lattice = CellLattice(columns: columns, rows: rows, originX: originX, originY: originY,
                                      inverseCellWidth: inverseWidth, inverseCellHeight: inverseHeight,
                                      columnX: try array(.columnX, Double.self, count: columns + 1),
                                      rowY: try array(.rowY, Double.self, count: rows + 1),
                                      cells: try array(.cells, UInt32.self, count: columns * rows),
                                      records: try array(.records, UInt32.self), filterMargin: margin)
            func layer(_ first: Tag, faces: Int) throws -> PlanarLayer {
                let faceCount = try count(try next())
                guard faceCount == faces else { throw Refusal("the stored index's layer has \(faceCount) faces where \(faces) are expected") }
                let coarseColumns = try count(try next()), coarseRows = try count(try next())
                let coarseX = try next(), coarseY = try next(), cellSize = try next()
                func tag(_ offset: UInt32) -> Tag { Tag(rawValue: first.rawValue + offset)! }
                let edges = try array(tag(1), UInt32.self)
                guard edges.count % 3 == 0 else { throw Refusal("the stored index's edges are not in threes") }
                let coarse = EdgeGrid(columns: coarseColumns, rows: coarseRows, originX: coarseX, originY: coarseY, cellSize: cellSize,
                                      start: try array(tag(6), UInt32.self, count: coarseColumns * coarseRows + 1),
                                      list: try array(tag(7), UInt32.self))
                return PlanarLayer(faceCount: faceCount, vertices: try array(first, Double.self), edges: edges,
                                   edgeFaceStart: try array(tag(2), UInt32.self, count: edges.count / 3 + 1),
                                   edgeFaces: try array(tag(3), UInt32.self),
                                   faceEdgeStart: try array(tag(4), UInt32.self, count: faceCount + 1),
                                   faceEdges: try array(tag(5), UInt32.self), coarse: coarse)
            }
            let gridLayer = try layer(.gridVertices, faces: gridCount)
            let microGridLayer = try layer(.microVertices, faces: microCount)
            let scaleCount = try count(try next())
            let scaleNumbers = try (0..<scaleCount).map { _ in try next() }
            let samples = Array(try array(.scaleSamples, Double.self).elements)
            guard let scale = MetricScale(stored: scaleNumbers, samples: samples) else {
                throw Refusal("the stored index's metric scale is not one")
            }

            let codeBytes = try array(.codeBytes, UInt8.self)
            let offsets = try array(.codeOffsets, UInt32.self, count: 3 * gridCount + 2 * microCount + 1)
            var texts: [String] = []
            texts.reserveCapacity(offsets.count - 1)
            for n in 0..<(offsets.count - 1) {
                let start = Int(offsets[n]), end = Int(offsets[n + 1])
                guard start <= end, end <= codeBytes.count else { throw Refusal("the stored index's codes are damaged") }
                texts.append(String(decoding: codeBytes.slice(start..<end), as: UTF8.self))
            }
            let grids = (0..<gridCount).map { GridIndex.Grid(code: texts[3 * $0], communityCode: texts[3 * $0 + 1], kind: texts[3 * $0 + 2]) }
            let micro = (0..<microCount).map {
                GridIndex.MicroGrid(code: texts[3 * gridCount + 2 * $0], gridCode: texts[3 * gridCount + 2 * $0 + 1])
            }
            return GridIndex(grids: grids, microGrids: micro, epsg: epsgNumber < 0 ? nil : Int(epsgNumber),
                             gridLayer: gridLayer, microGridLayer: microGridLayer, lattice: lattice,
                             microGridParent: try array(.microGridParent, Int32.self, count: microCount),
                             gridChildStart: try array(.gridChildStart, UInt32.self, count: gridCount + 1),
                             gridChildren: try array(.gridChildren, Int32.self), scale: scale, block: block, provenance: provenance)
        }
    }
}
