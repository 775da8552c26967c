import DistrictModel
import GeometryEngine

/// The grid level of a community: its pieces, their cell graph, and regions grown and balanced on it.
struct GridLevel {
    var owners: [FaceOwner]
    var members: [[CommunityPartitioner.Member]]
    var siteBuildings: [Int: [Int]]
    var facePiece: [Int]
    var pieceWeight: [Int]
    var pieceGraph: CellGraph
    var pieceRegions: [Int]
    var drafts: [CommunityPartitioner.Draft]
    /// Faces of sites' cells each site took from the regions (see `takeSiteCells`).
    var taken: [Int: [Int]]
    /// Mean Polsby-Popper of the regions with households, and how many they are.
    var compactness: Double
    var regions: Int
    /// Share of the street metres between blocks that lie inside a region.
    var streetInside: Double

    /// Regions out of bounds; one without households is land that joins a neighbour later.
    func outOfBounds(_ bounds: HouseholdBounds) -> Int { drafts.filter { $0.households > 0 && !bounds.contains($0.households) }.count }

    /// Regions in bounds whose pieces cannot make micro-grids within the bounds by weight
    /// (as the balancer counts them: `RegionBalancer.evaluate`).
    func unpacked(_ options: PartitionOptions) -> Int {
        drafts.filter { draft in
            guard options.gridBounds.contains(draft.households) else { return false }
            let weights = draft.pieces.map { pieceWeight[$0] }.filter { $0 > 0 }.sorted(by: >)
            return CommunityPartitioner.packs(weights, into: options.microBounds) == false
        }.count
    }
}

/// The pieces of a tessellation: every face owner but the dedicated sites (and, when they
/// join their sites, the sites' cells), each with the buildings or slices it holds.
struct Pieces {
    var owners: [FaceOwner]
    var members: [[CommunityPartitioner.Member]]
    /// Per face, its piece; -1 for a face that left the graph with its site.
    var facePiece: [Int]
    var weight: [Int]
    /// Per site, the buildings standing in its blocks.
    var siteBuildings: [Int: [Int]]
}

extension CommunityPartitioner {
    /// Grows the grids of the community on its pieces (stage "cell graph", then "grids"). With
    /// `cellsJoinSites`, the sites' cells in street blocks leave the graph with the sites;
    /// without, they are pieces of land.
    func gridLevel(_ tessellation: CommunityTessellation, cellsJoinSites: Bool, context: GEOSContext,
                   timings: inout StageTimings) throws -> GridLevel {
        let (pieces, pieceGraph) = timings.measure(.cellGraph) {
            let pieces = self.pieces(of: tessellation, cellsJoinSites: cellsJoinSites)
            return (pieces, Self.pieceGraph(tessellation, pieces: pieces))
        }
        return try timings.measure(.grids) {
            let pieceRegions = regions(pieceGraph, pieces: pieces)
            var drafts = try regionDrafts(pieceRegions, pieces: pieces, tessellation: tessellation, context: context)
            let taken = cellsJoinSites ? [:] : try takeSiteCells(&drafts, owners: pieces.owners, facePiece: pieces.facePiece,
                                                                  tessellation: tessellation, context: context)
            let shape = Self.shape(of: drafts, tessellation: tessellation)
            return GridLevel(owners: pieces.owners, members: pieces.members, siteBuildings: pieces.siteBuildings, facePiece: pieces.facePiece,
                             pieceWeight: pieces.weight, pieceGraph: pieceGraph, pieceRegions: pieceRegions, drafts: drafts, taken: taken,
                             compactness: shape.compactness, regions: shape.regions, streetInside: shape.streetInside)
        }
    }

    /// The pieces of `tessellation`. Buildings (or slices) left without a face of their own
    /// ride with their building's other slices, or with the cell nearest to them in their block.
    private func pieces(of tessellation: CommunityTessellation, cellsJoinSites: Bool) -> Pieces {
        let faces = tessellation.faces
        func leavesGraph(_ owner: FaceOwner) -> Bool {
            switch owner {
            case .site: true
            case .siteCell: cellsJoinSites
            default: false
            }
        }
        var owners: [FaceOwner] = []
        var pieceIndex: [FaceOwner: Int] = [:]
        for face in faces {
            if leavesGraph(face.owner) { continue }
            if pieceIndex[face.owner] == nil { pieceIndex[face.owner] = 0; owners.append(face.owner) }
        }
        owners.sort()
        for (index, owner) in owners.enumerated() { pieceIndex[owner] = index }
        var members = [[Member]](repeating: [], count: owners.count)
        for (index, owner) in owners.enumerated() {
            if case .building(let b, let s) = owner { members[index].append(Member(building: b, slice: s, households: tessellation.sliceHouseholds[b][s])) }
        }
        var siteBuildings: [Int: [Int]] = [:]
        for b in input.buildings.indices {
            guard let block = tessellation.buildingSite[b] else { continue }
            if let site = tessellation.blockSite[block] {
                siteBuildings[site, default: []].append(b)
                continue
            }
            for s in 0..<tessellation.slices[b] where pieceIndex[.building(b, slice: s)] == nil {
                let host: Int? = (0..<tessellation.slices[b]).compactMap { pieceIndex[.building(b, slice: $0)] }.first
                    ?? nearestPiece(to: input.buildings[b].building.geometry, block: block, faces: faces, pieceIndex: pieceIndex)
                if let host { members[host].append(Member(building: b, slice: s, households: tessellation.sliceHouseholds[b][s])) }
            }
        }
        let facePiece = faces.map { face -> Int in leavesGraph(face.owner) ? -1 : pieceIndex[face.owner]! }
        return Pieces(owners: owners, members: members, facePiece: facePiece, weight: members.map { $0.reduce(0) { $0 + $1.households } },
                      siteBuildings: siteBuildings)
    }

    /// The cell graph of the pieces, from the faces'. Across a street two faces count as
    /// sharing a quarter of their boundary: regions grow within a street block before they
    /// cross into the next, and cuts fall on streets. Faces that left the graph join a
    /// throwaway node (the last) cut off from everything.
    private static func pieceGraph(_ tessellation: CommunityTessellation, pieces: Pieces) -> CellGraph {
        let faces = tessellation.faces
        var faceGraph = CellGraph(weight: faces.map { _ in 0 }, area: faces.map(\.area), perimeter: faces.map(\.perimeter),
                                  centroid: faces.map(\.centroid), neighbours: [], barrierNeighbours: [])
        faceGraph.neighbours = faces.indices.map { f in
            tessellation.edges[f].filter { $0.arterial <= $0.length / 2 }.map { (node: $0.face, length: $0.length - (1 - streetTie) * $0.street) }
        }
        faceGraph.barrierNeighbours = faces.indices.map { f in tessellation.edges[f].filter { $0.arterial > $0.length / 2 }.map { (node: $0.face, length: $0.length) } }
        let facePiece = pieces.facePiece
        let siteGroup = pieces.owners.count
        for f in faces.indices {
            if facePiece[f] < 0 {
                faceGraph.neighbours[f] = []
                faceGraph.barrierNeighbours[f] = []
            } else {
                faceGraph.neighbours[f].removeAll { facePiece[$0.node] < 0 }
                faceGraph.barrierNeighbours[f].removeAll { facePiece[$0.node] < 0 }
            }
        }
        var pieceGraph = faceGraph.contracted(facePiece.map { $0 < 0 ? siteGroup : $0 }, groups: pieces.owners.count + 1)
        pieceGraph.weight[siteGroup] = 0
        for p in pieces.owners.indices { pieceGraph.weight[p] = pieces.weight[p] }
        return pieceGraph
    }

    /// The region of each piece: a rural community's parts as they lie (a village is one grid);
    /// else regions balanced within the grid bounds over groups that stay whole (`gridGroups`).
    private func regions(_ pieceGraph: CellGraph, pieces: Pieces) -> [Int] {
        let owners = pieces.owners
        if input.community.kind == .rural {
            return pieceGraph.componentLabels(count: owners.count, acrossBarriers: true)
        }
        let groups = gridGroups(owners: owners)
        let groupGraph = pieceGraph.contracted(groups.group + [groups.count], groups: groups.count + 1)
        let subgraph = groupGraph.induced(Array(0..<groups.count))
        var parts = [[Int]](repeating: [], count: groups.count)
        for p in owners.indices where pieces.weight[p] > 0 { parts[groups.group[p]].append(pieces.weight[p]) }
        let regions = RegionBalancer(graph: subgraph, bounds: options.gridBounds, parts: parts, partBounds: options.microBounds).regions()
        return owners.indices.map { regions[groups.group[$0]] }
    }

    /// A draft per region, each made one piece of land (`joinDetachedParts`).
    private func regionDrafts(_ pieceRegions: [Int], pieces: Pieces, tessellation: CommunityTessellation,
                              context: GEOSContext) throws -> [Draft] {
        let kind: Grid.Kind = input.community.kind == .rural ? .rural : .residential
        let facePiece = pieces.facePiece
        let regionCount = (pieceRegions.max() ?? -1) + 1
        // Each list ascending, filled in one pass over the pieces and one over the faces.
        var draftFaces = [[Int]](repeating: [], count: regionCount), draftPieces = draftFaces
        for p in pieces.owners.indices where pieceRegions[p] >= 0 { draftPieces[pieceRegions[p]].append(p) }
        for f in tessellation.faces.indices where facePiece[f] >= 0 && pieceRegions[facePiece[f]] >= 0 { draftFaces[pieceRegions[facePiece[f]]].append(f) }
        let joined = try Self.joinDetachedParts(&draftFaces, &draftPieces, weight: pieces.weight, facePiece: facePiece,
                                                tessellation: tessellation, context: context)
        let kept = joined ? draftFaces.indices.filter { !draftFaces[$0].isEmpty } : Array(draftFaces.indices)
        return kept.map { r in
            Draft(faces: draftFaces[r], pieces: draftPieces[r], kind: kind, site: nil,
                  households: draftPieces[r].reduce(0) { $0 + pieces.weight[$1] }, reason: nil)
        }
    }

    /// How the drafts would read as grids: mean Polsby-Popper of those with households (from
    /// the faces, without geometry), how many they are, and the share of street metres between
    /// blocks inside one.
    private static func shape(of drafts: [Draft], tessellation: CommunityTessellation) -> (compactness: Double, regions: Int, streetInside: Double) {
        let faces = tessellation.faces
        var streetInside = 0.0, streets = 0.0
        var regionOf = [Int](repeating: -1, count: faces.count)
        for (d, draft) in drafts.enumerated() { for f in draft.faces { regionOf[f] = d } }
        for f in faces.indices {
            for edge in tessellation.edges[f] where edge.face > f && edge.street > 0 {
                streets += edge.street
                if regionOf[f] >= 0 && regionOf[f] == regionOf[edge.face] { streetInside += edge.street }
            }
        }
        var compactness = 0.0, counted = 0
        for draft in drafts where draft.households > 0 {
            let inDraft = Set(draft.faces)
            var area = 0.0, perimeter = 0.0
            for f in draft.faces {
                area += faces[f].area
                perimeter += faces[f].perimeter - tessellation.edges[f].reduce(0) { $0 + (inDraft.contains($1.face) ? $1.length : 0) }
            }
            if let score = Compactness.polsbyPopper(area: area, perimeter: perimeter) {
                compactness += score
                counted += 1
            }
        }
        compactness /= Double(max(1, counted))
        return (compactness, counted, streets > 0 ? streetInside / streets : 0)
    }
}
