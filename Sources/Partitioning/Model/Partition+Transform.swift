import Foundation
import GeometryEngine
import Projections

extension Partition {
    /// Brings every geometry (grids, micro-grids, road pieces) from the CRS `epsg` to `target`,
    /// on `threads` threads, each with its own transformer (PROJ objects are not shared).
    /// - Throws: `ProjectionError` when PROJ cannot transform.
    mutating func transform(to target: Int, threads: Int) throws {
        guard target != epsg else { return }
        let source = epsg
        let grids = self.grids
        let roads = self.roadAssignments
        let chunks = max(1, min(threads, grids.count))
        let results = ResultBox<([Grid], [RoadAssignment])>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { _ in
            while let chunk = results.next() {
                let result = Result<([Grid], [RoadAssignment]), any Error> {
                    let transformer = try CoordinateTransformer(from: source, to: target)
                    var part = Array(grids[grids.count * chunk / chunks..<grids.count * (chunk + 1) / chunks])
                    for g in part.indices {
                        part[g].geometry = try transformer.transform(part[g].geometry)
                        for m in part[g].microGrids.indices {
                            part[g].microGrids[m].geometry = try transformer.transform(part[g].microGrids[m].geometry)
                        }
                    }
                    var pieces = Array(roads[roads.count * chunk / chunks..<roads.count * (chunk + 1) / chunks])
                    for r in pieces.indices {
                        pieces[r].geometry = try transformer.transform(pieces[r].geometry)
                    }
                    return (part, pieces)
                }
                _ = results.store(result, at: chunk)
            }
        }
        var transformedGrids: [Grid] = []
        var transformedRoads: [RoadAssignment] = []
        for result in results.all() {
            let (part, pieces) = try result.get()
            transformedGrids += part
            transformedRoads += pieces
        }
        self.grids = transformedGrids
        self.roadAssignments = transformedRoads
        epsg = target
    }
}
