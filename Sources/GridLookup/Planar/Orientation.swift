/// Exact orientation of three points: Shewchuk's `orient2d` with its static error-bound filter,
/// and an exact fallback when the floating-point determinant is too close to zero to trust.
///
/// The result is the sign of the determinant
///
///     | ax - cx   ay - cy |
///     | bx - cx   by - cy |
///
/// positive when a, b, c turn counterclockwise (c lies to the left of the directed line a → b),
/// negative when clockwise, zero when the three points are exactly collinear. "Exactly" means
/// for the doubles as given: no tolerance, so that a point on a shared edge is on it for both
/// polygons that share the edge, and every lookup of the same doubles gives the same answer.
///
/// Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric
/// Predicates", Discrete & Computational Geometry 18 (1997). The filter decides almost every
/// call with five multiplications; the fallback sums the six products of the expanded
/// determinant as an exact floating-point expansion (two-product by FMA, grow-expansion by
/// two-sum). It is correct for finite inputs whose products neither overflow nor underflow:
/// any projected or geographic coordinate of this planet.
@inline(__always)
func orientation(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ cx: Double, _ cy: Double) -> Int {
    let detLeft = (ax - cx) * (by - cy)
    let detRight = (ay - cy) * (bx - cx)
    let det = detLeft - detRight
    let detSum: Double
    if detLeft > 0 {
        if detRight <= 0 { return det > 0 ? 1 : (det < 0 ? -1 : 0) }
        detSum = detLeft + detRight
    } else if detLeft < 0 {
        if detRight >= 0 { return det > 0 ? 1 : (det < 0 ? -1 : 0) }
        detSum = -detLeft - detRight
    } else {
        return det > 0 ? 1 : (det < 0 ? -1 : 0)
    }
    // Shewchuk's ccwerrboundA: (3 + 16ε)ε with ε = 2^-53.
    let errorBound = 3.3306690738754716e-16 * detSum
    if det >= errorBound || -det >= errorBound {
        return det > 0 ? 1 : -1
    }
    return exactOrientation(ax, ay, bx, by, cx, cy)
}

/// The exact sign of the orientation determinant, from its expansion
/// (ax·by − ay·bx) + (bx·cy − by·cx) + (cx·ay − cy·ax): six products, each split exactly into
/// a rounded product and its error, summed into a nonoverlapping expansion on the stack.
@inline(never)
func exactOrientation(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ cx: Double, _ cy: Double) -> Int {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 12) { expansion -> Int in
        var count = 0
        // Grow-Expansion (Shewchuk, figure 6): adds one double to a nonoverlapping expansion of
        // increasing magnitude, keeping it so. Zero components are dropped, which keeps the
        // property (it only needs the nonzero components to be ordered and nonoverlapping).
        func add(_ value: Double) {
            var q = value
            var kept = 0
            for i in 0..<count {
                let (sum, error) = twoSum(q, expansion[i])
                if error != 0 {
                    expansion[kept] = error
                    kept += 1
                }
                q = sum
            }
            if q != 0 {
                expansion[kept] = q
                kept += 1
            }
            count = kept
        }
        func addProduct(_ a: Double, _ b: Double) {
            let product = a * b
            // Exact: fma rounds a·b − product once, and that difference is representable.
            let error = (-product).addingProduct(a, b)
            add(error)
            add(product)
        }
        addProduct(ax, by)
        addProduct(-ay, bx)
        addProduct(bx, cy)
        addProduct(-by, cx)
        addProduct(cx, ay)
        addProduct(-cy, ax)
        // The most significant component carries the sign of the whole expansion.
        guard count > 0 else { return 0 }
        return expansion[count - 1] > 0 ? 1 : -1
    }
}

/// Knuth's two-sum: `a + b == sum + error` exactly, for any finite doubles.
@inline(__always)
func twoSum(_ a: Double, _ b: Double) -> (sum: Double, error: Double) {
    let sum = a + b
    let bVirtual = sum - a
    let aVirtual = sum - bVirtual
    let bRoundoff = b - bVirtual
    let aRoundoff = a - aVirtual
    return (sum, aRoundoff + bRoundoff)
}
