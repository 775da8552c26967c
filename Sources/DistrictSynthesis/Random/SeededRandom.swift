/// SplitMix64 (Steele, Lea and Flood, 2014): turns one 64-bit seed into well-mixed words, the
/// recommended way to fill the state of a xoshiro generator.
struct SplitMix64 {
    private var state: UInt64

    init(state: UInt64) {
        self.state = state
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna, 2018): the generator behind every random choice of a
/// synthetic city.
///
/// Every draw uses this type's own arithmetic, never the standard library's
/// `random(in:using:)` (whose algorithm may change between Swift releases) nor anything seeded
/// per process, so a seed gives the same city on every run, platform and toolchain.
/// Independent parts of the city draw from independent streams (`init(seed:stream:)`), so that
/// a change in how one community is filled does not shift every community after it.
struct SeededRandom {
    private var s0, s1, s2, s3: UInt64

    /// The generator of stream `stream` of `seed`.
    init(seed: UInt64, stream: UInt64 = 0) {
        var outer = SplitMix64(state: seed)
        var inner = SplitMix64(state: outer.next() ^ (stream &* 0xD1B5_4A32_D192_ED03))
        s0 = inner.next()
        s1 = inner.next()
        s2 = inner.next()
        s3 = inner.next()
        // The all-zero state is the one state xoshiro cannot leave; SplitMix64 never yields four zeros in a row.
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    mutating func next() -> UInt64 {
        let result = Self.rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotate(s3, 45)
        return result
    }

    /// Uniform in [0, 1), with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Uniform over the integers of `range` (the modulo bias is below 2^-50 for the small ranges used here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % span)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// One of `choices`, each with its weight (weights need not sum to one).
    mutating func weighted<T>(_ choices: [(T, Double)]) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var draw = unit() * total
        for (choice, weight) in choices {
            if draw < weight { return choice }
            draw -= weight
        }
        return choices[choices.count - 1].0
    }

    /// Fisher-Yates, with this generator.
    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = int(0...i)
            if i != j { items.swapAt(i, j) }
        }
    }
}
