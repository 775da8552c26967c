/// XXH64 (Yann Collet's xxHash, 64-bit, seed 0): the hash of a stored lookup index's grids and
/// the checksum of its bytes. Fast (several GB/s) and well specified, so that another tool can
/// compute the same value; not a cryptographic hash: it tells an edited or damaged file from
/// the one the index was built from, not a forgery.
struct XXHash64 {
    private static let prime1: UInt64 = 11_400_714_785_074_694_791
    private static let prime2: UInt64 = 14_029_467_366_897_019_727
    private static let prime3: UInt64 = 1_609_587_929_392_839_161
    private static let prime4: UInt64 = 9_650_029_242_287_828_579
    private static let prime5: UInt64 = 2_870_177_450_012_600_261

    /// The hash of `bytes`, seed 0.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return finish(prime5, tail: bytes, from: 0, length: 0) }
        var offset = 0
        var h: UInt64
        if count >= 32 {
            var v1 = prime1 &+ prime2, v2 = prime2, v3: UInt64 = 0, v4 = 0 &- prime1
            while offset + 32 <= count {
                v1 = round(v1, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
                offset += 32
            }
            h = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = prime5
        }
        return finish(h &+ UInt64(count), tail: bytes, from: offset, length: count)
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }

    // MARK: Streaming

    private var v1 = prime1 &+ prime2, v2 = prime2, v3: UInt64 = 0, v4 = 0 &- prime1
    /// Bytes not yet in a 32-byte stripe (fewer than 32).
    private var pending: [UInt8] = []
    private var total = 0

    /// A hash fed piece by piece (`update`): the same value as `hash` of all the pieces joined.
    init() {
        pending.reserveCapacity(32)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        total += bytes.count
        var offset = 0
        if !pending.isEmpty {
            let taken = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: taken))
            offset = taken
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripe($0.baseAddress!, 0) }
            pending.removeAll(keepingCapacity: true)
        }
        while offset + 32 <= bytes.count {
            stripe(base, offset)
            offset += 32
        }
        if offset < bytes.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
        }
    }

    @inline(__always)
    private mutating func stripe(_ base: UnsafeRawPointer, _ offset: Int) {
        v1 = Self.round(v1, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        v2 = Self.round(v2, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
        v3 = Self.round(v3, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
        v4 = Self.round(v4, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }

    /// The hash of everything given to `update`.
    func finalize() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = Self.rotate(v1, 1) &+ Self.rotate(v2, 7) &+ Self.rotate(v3, 12) &+ Self.rotate(v4, 18)
            h = Self.merge(h, v1)
            h = Self.merge(h, v2)
            h = Self.merge(h, v3)
            h = Self.merge(h, v4)
        } else {
            h = Self.prime5
        }
        return pending.withUnsafeBytes { Self.finish(h &+ UInt64(total), tail: $0, from: 0, length: $0.count) }
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }

    private static func finish(_ start: UInt64, tail bytes: UnsafeRawBufferPointer, from first: Int, length: Int) -> UInt64 {
        var h = start
        var offset = first
        if let base = bytes.baseAddress {
            while offset + 8 <= length {
                h ^= round(0, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                h = rotate(h, 27) &* prime1 &+ prime4
                offset += 8
            }
            if offset + 4 <= length {
                h ^= UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) &* prime1
                h = rotate(h, 23) &* prime2 &+ prime3
                offset += 4
            }
            while offset < length {
                h ^= UInt64(bytes[offset]) &* prime5
                h = rotate(h, 11) &* prime1
                offset += 1
            }
        }
        h ^= h >> 33
        h = h &* prime2
        h ^= h >> 29
        h = h &* prime3
        h ^= h >> 32
        return h
    }
}
