import GeometryEngine

extension CommunityPartitioner {
    /// Makes every region (a grid's or a micro-grid's faces) one connected piece of land: a part
    /// of a region that touches the rest of it only at a corner, or not at all, joins the
    /// neighbouring region it shares the longest edge with; a part with no neighbour at all (an
    /// island) becomes a region of its own. Every grid and micro-grid must be one Polygon
    /// (`data.md`), whatever the balancing and the odd faces of real data (enclaves between
    /// crossing roads) left.
    ///
    /// A piece (a building's cell) goes with a part only when all its faces of the region are in
    /// it, so households stay with their cell; the part holding the most households (then the
    /// largest area) stays.
    /// - Parameters:
    ///   - regionFaces: faces of each region; parts move between these lists.
    ///   - regionPieces: pieces of each region, moved with their faces.
    ///   - weight: households of each piece.
    ///   - context: for the union of a region's faces, when they are connected only through
    ///     faces of (almost) no width, so that the union is pinched at a point.
    /// - Returns: whether anything moved.
    /// - Throws: `GeometryError` when GEOS fails.
    @discardableResult
    static func joinDetachedParts(_ regionFaces: inout [[Int]], _ regionPieces: inout [[Int]], weight: [Int],
                                  facePiece: [Int], tessellation: CommunityTessellation, context: GEOSContext) throws -> Bool {
        var movedAny = false
        for _ in 0..<8 {
            var faceRegion = [Int](repeating: -1, count: tessellation.faces.count)
            for (r, faces) in regionFaces.enumerated() { for f in faces { faceRegion[f] = r } }
            var moved = false
            for r in regionFaces.indices {
                let parts = try connectedParts(regionFaces[r], tessellation: tessellation, context: context)
                guard parts.count > 1 else { continue }
                var facesOfPiece: [Int: [Int]] = [:]
                for f in regionFaces[r] where facePiece[f] >= 0 { facesOfPiece[facePiece[f], default: []].append(f) }
                func pieces(of part: [Int]) -> [Int] {
                    let set = Set(part)
                    return regionPieces[r].filter { p in (facesOfPiece[p] ?? []).allSatisfy(set.contains) && facesOfPiece[p] != nil }
                }
                func households(_ part: [Int]) -> Int { pieces(of: part).reduce(0) { $0 + weight[$1] } }
                func area(_ part: [Int]) -> Double { part.reduce(0) { $0 + tessellation.faces[$1].area } }
                let main = parts.indices.max { a, b in
                    (households(parts[a]), area(parts[a]), -a) < (households(parts[b]), area(parts[b]), -b)
                } ?? 0
                for (index, part) in parts.enumerated() where index != main {
                    // To the region it shares most boundary with; none: an island, a region of its own.
                    let target = tessellation.partSharingMostBoundary(with: part) { face in
                        faceRegion[face] >= 0 && faceRegion[face] != r ? faceRegion[face] : nil
                    }
                    let movingPieces = pieces(of: part)
                    let movingFaces = Set(part), movingSet = Set(movingPieces)
                    regionFaces[r].removeAll { movingFaces.contains($0) }
                    regionPieces[r].removeAll { movingSet.contains($0) }
                    if let target {
                        regionFaces[target] += part
                        regionPieces[target] += movingPieces
                        for f in part { faceRegion[f] = target }
                    } else {
                        regionFaces.append(part)
                        regionPieces.append(movingPieces)
                        faceRegion += []
                        for f in part { faceRegion[f] = regionFaces.count - 1 }
                    }
                    moved = true
                }
            }
            movedAny = movedAny || moved
            if !moved { break }
        }
        for r in regionFaces.indices {
            regionFaces[r].sort()
            regionPieces[r].sort()
        }
        return movedAny
    }

    /// The parts of a region's faces that are one piece of land each: the components of their
    /// shared edges, a sliver (a face of no width) joining none, and, when that is one component
    /// whose union GEOS still finds invalid and make-valid splits into several real pieces
    /// (parts joined through a sliver face of no width: the union is pinched at a point), the
    /// faces of each of those pieces.
    ///
    /// A sliver touching two lobes of a region by its ends is a neck of no width: the union is
    /// valid in metres, but brought back to longitude/latitude or to EPSG:3857 the neck's sides
    /// cross, and make-valid (GEOS 3.11) then drops one lobe, leaving a hole in the coverage
    /// (a Helsinki variant lost 1.1 ha so). Each sliver rides with the first part it touches.
    static func connectedParts(_ faces: [Int], tessellation: CommunityTessellation, context: GEOSContext) throws -> [[Int]] {
        var parts = tessellation.components(faces)
        let slivers = Set(faces.filter { tessellation.faces[$0].isSliver })
        if !slivers.isEmpty, slivers.count < faces.count {
            var solid = tessellation.components(faces.filter { !slivers.contains($0) })
            if solid.count > parts.count {
                var partOf: [Int: Int] = [:]
                for (index, part) in solid.enumerated() { for f in part { partOf[f] = index } }
                // A sliver may touch the parts only through other slivers; slivers touching no part go with the first.
                Attach.inPasses(slivers.sorted(), into: &solid, groupOf: &partOf) { f, partOf in
                    tessellation.edges[f].compactMap { partOf[$0.face] }.min()
                }
                parts = solid.map { $0.sorted() }.sorted { $0[0] < $1[0] }
            }
        }
        guard parts.count == 1, faces.count > 1 else { return parts }
        let union = try GEOSObject(union(faces, faces: tessellation.faces, context: context), context: context)
        guard try !union.isValid() else { return parts }
        let repaired = try union.makeValid().geometry().polygons
        let total = repaired.reduce(0) { $0 + PlaneMath.area($1) }
        let pieces = try repaired.filter { PlaneMath.area($0) > 1e-6 * total }.map { try PreparedGeometry(GEOSObject(.polygon($0), context: context)) }
        guard pieces.count > 1 else { return parts }
        var groups = [[Int]](repeating: [], count: pieces.count)
        for face in faces {
            let point = try GEOSObject(.polygon(tessellation.faces[face].polygon), context: context).pointOnSurface()
            // A face of no width lies in no piece: it rides with the first piece it touches.
            let piece = try pieces.firstIndex { try $0.covers(point) } ?? 0
            groups[piece].append(face)
        }
        return groups.filter { !$0.isEmpty }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
