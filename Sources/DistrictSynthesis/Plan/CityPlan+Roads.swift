import DistrictModel

extension CityPlan {
    /// The street network of the developed land, in order: arterials north-south (经N路), then
    /// east-west (纬N路), secondaries superblock by superblock, branch roads block by block.
    /// Each centreline has a vertex at every junction on it. A road is drawn only along blocks
    /// that hold a community, so none lies outside the urban area.
    func streetRoads() -> [DraftRoad] {
        var roads: [DraftRoad] = []
        func line(_ a: PlanPoint, _ b: PlanPoint) -> [PlanPoint] { junctions.densified([a, b]) }

        // Stretches of each arterial along a block that holds a community, on either side.
        var northSouth = [[ClosedRange<Double>]](repeating: [], count: columnsU.count)
        var eastWest = [[ClosedRange<Double>]](repeating: [], count: rowsV.count)
        for superblock in superblocks where superblock.used {
            let us = superblock.us, vs = superblock.vs, kx = superblock.blockColumns, ky = superblock.blockRows
            func blockUsed(_ i: Int, _ j: Int) -> Bool { blocks[superblock.block(i, j)].community != nil }
            for j in 0..<ky {
                if blockUsed(0, j) { northSouth[superblock.column].append(vs[j]...vs[j + 1]) }
                if blockUsed(kx - 1, j) { northSouth[superblock.column + 1].append(vs[j]...vs[j + 1]) }
            }
            for i in 0..<kx {
                if blockUsed(i, 0) { eastWest[superblock.row].append(us[i]...us[i + 1]) }
                if blockUsed(i, ky - 1) { eastWest[superblock.row + 1].append(us[i]...us[i + 1]) }
            }
        }
        for (i, stretches) in northSouth.enumerated() {
            for run in Self.merged(stretches) {
                roads.append(DraftRoad(points: line(PlanPoint(columnsU[i], run.lowerBound), PlanPoint(columnsU[i], run.upperBound)),
                                       roadClass: .arterial, name: "经\(Names.chineseNumeral(i + 1))路"))
            }
        }
        for (j, stretches) in eastWest.enumerated() {
            for run in Self.merged(stretches) {
                roads.append(DraftRoad(points: line(PlanPoint(run.lowerBound, rowsV[j]), PlanPoint(run.upperBound, rowsV[j])),
                                       roadClass: .arterial, name: "纬\(Names.chineseNumeral(j + 1))路"))
            }
        }
        for (index, superblock) in superblocks.enumerated() where superblock.used {
            func blockUsed(_ i: Int, _ j: Int) -> Bool { blocks[superblock.block(i, j)].community != nil }
            let us = superblock.us, vs = superblock.vs
            for a in 1..<superblock.blockColumns {
                for run in Self.runs(superblock.blockRows, { blockUsed(a - 1, $0) || blockUsed(a, $0) }) {
                    roads.append(DraftRoad(points: line(PlanPoint(us[a], vs[run.lowerBound]), PlanPoint(us[a], vs[run.upperBound + 1])),
                                           roadClass: .secondary, name: Names.stem(index * 5 + a) + "路"))
                }
            }
            for b in 1..<superblock.blockRows {
                for run in Self.runs(superblock.blockColumns, { blockUsed($0, b - 1) || blockUsed($0, b) }) {
                    roads.append(DraftRoad(points: line(PlanPoint(us[run.lowerBound], vs[b]), PlanPoint(us[run.upperBound + 1], vs[b])),
                                           roadClass: .secondary, name: Names.stem(index * 5 + b + 2) + "街"))
                }
            }
        }
        for block in blocks where block.community != nil {
            let frame = block.frame
            for u in block.branchU {
                let points = [PlanPoint(u, frame.minV)] + block.branchV.map { PlanPoint(u, $0) } + [PlanPoint(u, frame.maxV)]
                roads.append(DraftRoad(points: points, roadClass: .branch, name: nil))
            }
            for v in block.branchV {
                let points = [PlanPoint(frame.minU, v)] + block.branchU.map { PlanPoint($0, v) } + [PlanPoint(frame.maxU, v)]
                roads.append(DraftRoad(points: points, roadClass: .branch, name: nil))
            }
        }
        return roads
    }

    /// The union of `ranges` as disjoint ranges, west to east (south to north); ranges that
    /// touch are joined.
    static func merged(_ ranges: [ClosedRange<Double>]) -> [ClosedRange<Double>] {
        var result: [ClosedRange<Double>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// The maximal runs of consecutive indices in 0..<count for which `include` holds.
    static func runs(_ count: Int, _ include: (Int) -> Bool) -> [ClosedRange<Int>] {
        var runs: [ClosedRange<Int>] = []
        var start: Int?
        for k in 0...count {
            let inside = k < count && include(k)
            if inside, start == nil { start = k }
            if !inside, let first = start {
                runs.append(first...(k - 1))
                start = nil
            }
        }
        return runs
    }
}
