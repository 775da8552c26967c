public import FeatureIO
import Foundation
import GridSchema

/// What a re-partition changed: grids kept, changed, new and retired, and the buildings that
/// moved from one grid to another, came or went. Written to the output GeoPackage as the
/// attribute tables `changes`, `moves` and `code_history` (`layers()`), and summed up for a
/// person by `summary(limit:)`.
public struct RepartitionReport: Sendable {
    /// What happened to one grid.
    public struct GridChange: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// Same code, geometry, households, buildings and micro-grids.
            case kept
            /// Same code; its households, buildings, micro-grids or outline changed (`reshaped`).
            case changed
            /// A code never used before.
            case new
            /// A code of the previous partition that is no longer in use (and never will be again).
            case retired
        }
        public var kind: Kind
        /// The grid's code now; for a retired grid, the grid most of its households went to (nil when none).
        public var gridCode: String?
        /// The grid's code before; for a new grid, the grid most of its households came from (nil when none).
        public var oldGridCode: String?
        public var communityCode: String
        public var householdsBefore: Int
        public var householdsAfter: Int
        public var buildingsBefore: Int
        public var buildingsAfter: Int
        /// Buildings (and their households) in the grid now that were in another grid before;
        /// for a retired grid, the ones that left it.
        public var buildingsMoved: Int
        public var householdsMoved: Int
        /// Whether the outline changed.
        public var reshaped: Bool
        /// Whether its micro-grids were cut anew.
        public var microGridsRebuilt: Bool
    }

    /// A building whose grid changed, or that came or went.
    public struct BuildingMove: Sendable, Hashable {
        public enum Change: String, Sendable, Hashable {
            /// In another grid than before.
            case moved
            /// Not in the previous partition.
            case added
            /// In the previous partition, in no grid now (demolished, or outside every community).
            case removed
        }
        public var buildingID: String
        public var change: Change
        public var fromGrid: String?
        public var toGrid: String?
        /// Households now (for a removed building, before).
        public var households: Int
    }

    public var mode: RepartitionMode
    /// The previous file.
    public var previousPath: String
    /// One row per grid now (kept, changed, new, in code order), then one per retired grid.
    public var changes: [GridChange]
    /// Buildings moved, added, removed; largest households first.
    public var moves: [BuildingMove]
    /// Every code ever used, with its status now.
    public var codeHistory: [PreviousPartition.CodeRecord]
    /// This partition's generation (the previous file's + 1).
    public var generation: Int
    /// Households now in buildings that were in the previous partition, and of those the ones
    /// whose grid code is the same as before.
    public var householdsCompared: Int
    public var householdsKeepingGridCode: Int

    /// Share of `householdsCompared` that kept their grid code (1 when there are none).
    public var shareKeepingGridCode: Double {
        householdsCompared == 0 ? 1 : Double(householdsKeepingGridCode) / Double(householdsCompared)
    }

    /// Counts grids of `kind`.
    public func count(_ kind: GridChange.Kind) -> Int { changes.filter { $0.kind == kind }.count }

    /// Compares `partition` with `previous`.
    /// - Parameter rebuiltMicroGrids: codes of the grids whose micro-grids were cut anew.
    init(previous: PreviousPartition, partition: Partition, mode: RepartitionMode, rebuiltMicroGrids: Set<String>) {
        self.mode = mode
        previousPath = previous.path
        generation = previous.generation + 1
        let before = Self.householdsByGrid(previous.assignments)
        let after = Self.householdsByGrid(partition.assignments)
        let buildings = Self.buildingMoves(before: before, after: after, comparing: previous.hasAssignments)
        moves = buildings.moves
        householdsCompared = buildings.compared
        householdsKeepingGridCode = buildings.keeping
        changes = Self.gridChanges(previous: previous, partition: partition, before: before, after: after,
                                   rebuiltMicroGrids: rebuiltMicroGrids)
        codeHistory = Self.registry(previous: previous, partition: partition, generation: generation)
    }

    /// Rows per building: grid -> households.
    private static func householdsByGrid(_ rows: [BuildingAssignment]) -> [String: [String: Int]] {
        var grids: [String: [String: Int]] = [:]
        for row in rows { grids[row.buildingID, default: [:]][row.gridCode, default: 0] += row.households }
        return grids
    }

    /// The grid with the most households (the smallest code of those tied).
    private static func main(_ grids: [String: Int]) -> String? {
        grids.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    /// Buildings moved, added and removed, largest households first; households compared (in
    /// buildings of both partitions) and of those keeping their grid code. Nothing is compared
    /// when the previous file has no assignments.
    private static func buildingMoves(before: [String: [String: Int]], after: [String: [String: Int]],
                                      comparing: Bool) -> (moves: [BuildingMove], compared: Int, keeping: Int) {
        var moves: [BuildingMove] = []
        var compared = 0, keeping = 0
        if comparing {
            for (building, now) in after {
                guard let was = before[building] else {
                    moves.append(BuildingMove(buildingID: building, change: .added, fromGrid: nil, toGrid: main(now), households: now.values.reduce(0, +)))
                    continue
                }
                let total = now.values.reduce(0, +)
                compared += total
                let stayed = now.filter { was[$0.key] != nil }.values.reduce(0, +)
                keeping += stayed
                if stayed < total {
                    let arrived = now.filter { was[$0.key] == nil }
                    moves.append(BuildingMove(buildingID: building, change: .moved, fromGrid: main(was), toGrid: main(arrived), households: total - stayed))
                }
            }
            for (building, was) in before where after[building] == nil {
                moves.append(BuildingMove(buildingID: building, change: .removed, fromGrid: main(was), toGrid: nil, households: was.values.reduce(0, +)))
            }
        }
        moves.sort { ($0.households, $1.buildingID) > ($1.households, $0.buildingID) }
        return (moves, compared, keeping)
    }

    /// One row per grid now (kept, changed, new, in the partition's order), then one per retired grid.
    private static func gridChanges(previous: PreviousPartition, partition: Partition, before: [String: [String: Int]],
                                    after: [String: [String: Int]], rebuiltMicroGrids: Set<String>) -> [GridChange] {
        var old: [String: PreviousPartition.OldGrid] = [:]
        for grid in previous.grids { old[grid.code] = grid }
        var movedIn: [String: (buildings: Int, households: Int)] = [:]
        var movedOut: [String: (buildings: Int, households: Int)] = [:]
        // Where the households of each previous grid went, and where those of each grid came from.
        var flowOut: [String: [String: Int]] = [:]
        var flowIn: [String: [String: Int]] = [:]
        for (building, now) in after {
            guard let was = before[building] else { continue }
            for (grid, households) in now where was[grid] == nil {
                movedIn[grid, default: (0, 0)].buildings += 1
                movedIn[grid, default: (0, 0)].households += households
                if let from = main(was) { flowIn[grid, default: [:]][from, default: 0] += households }
            }
            for (grid, households) in was where now[grid] == nil {
                movedOut[grid, default: (0, 0)].buildings += 1
                movedOut[grid, default: (0, 0)].households += households
                if let to = main(now) { flowOut[grid, default: [:]][to, default: 0] += households }
            }
        }
        var changes: [GridChange] = []
        let active = Set(partition.grids.map(\.code))
        for grid in partition.grids {
            let moved = movedIn[grid.code] ?? (0, 0)
            let rebuilt = rebuiltMicroGrids.contains(grid.code)
            guard let previousGrid = old[grid.code] else {
                changes.append(GridChange(kind: .new, gridCode: grid.code, oldGridCode: flowIn[grid.code].flatMap(main), communityCode: grid.communityCode,
                                          householdsBefore: 0, householdsAfter: grid.households, buildingsBefore: 0, buildingsAfter: grid.buildings,
                                          buildingsMoved: moved.buildings, householdsMoved: moved.households, reshaped: true, microGridsRebuilt: true))
                continue
            }
            let reshaped = previousGrid.geometry != grid.geometry
            let sameMicroGrids = previousGrid.microGrids.map { [$0.code, "\($0.households)", "\($0.buildings)"] } == grid.microGrids.map { [$0.code, "\($0.households)", "\($0.buildings)"] }
                && previousGrid.microGrids.map(\.geometry) == grid.microGrids.map(\.geometry)
            let same = !reshaped && sameMicroGrids && previousGrid.households == grid.households && previousGrid.buildings == grid.buildings
                && previousGrid.kind == grid.kind && moved.buildings == 0 && (movedOut[grid.code]?.buildings ?? 0) == 0
            changes.append(GridChange(kind: same ? .kept : .changed, gridCode: grid.code, oldGridCode: grid.code, communityCode: grid.communityCode,
                                      householdsBefore: previousGrid.households, householdsAfter: grid.households,
                                      buildingsBefore: previousGrid.buildings, buildingsAfter: grid.buildings,
                                      buildingsMoved: moved.buildings, householdsMoved: moved.households, reshaped: reshaped,
                                      microGridsRebuilt: rebuilt && !sameMicroGrids))
        }
        for grid in previous.grids where !active.contains(grid.code) {
            let moved = movedOut[grid.code] ?? (0, 0)
            changes.append(GridChange(kind: .retired, gridCode: flowOut[grid.code].flatMap(main), oldGridCode: grid.code, communityCode: grid.communityCode,
                                      householdsBefore: grid.households, householdsAfter: 0, buildingsBefore: grid.buildings, buildingsAfter: 0,
                                      buildingsMoved: moved.buildings, householdsMoved: moved.households, reshaped: false, microGridsRebuilt: false))
        }
        return changes
    }

    /// The registry: every code ever used, active now or retired, in code order.
    private static func registry(previous: PreviousPartition, partition: Partition, generation: Int) -> [PreviousPartition.CodeRecord] {
        var records: [String: PreviousPartition.CodeRecord] = [:]
        for record in previous.codeHistory { records[record.code] = record }
        var now: [String: PreviousPartition.CodeRecord.Level] = [:]
        for grid in partition.grids {
            now[grid.code] = .grid
            for micro in grid.microGrids { now[micro.code] = .microgrid }
        }
        for (code, level) in now {
            if let record = records[code], record.status == .active { continue }
            records[code] = PreviousPartition.CodeRecord(code: code, level: level, status: .active, since: generation)
        }
        for (code, record) in records where now[code] == nil && record.status == .active {
            records[code] = PreviousPartition.CodeRecord(code: code, level: record.level, status: .retired, since: generation)
        }
        return records.values.sorted { $0.code < $1.code }
    }

    /// The attribute tables `changes`, `moves` and `code_history`.
    public func layers() -> [Layer] {
        func text(_ value: String?) -> FieldValue { value.map { .text($0) } ?? .null }
        func integer(_ value: Int) -> FieldValue { .integer(Int64(value)) }
        let changes = Layer(
            name: PartitionSchema.Changes.layer, fields: PartitionSchema.Changes.fields,
            features: self.changes.enumerated().map { index, change in
                let field = PartitionSchema.Changes.self
                return Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    field.kind: .text(change.kind.rawValue), field.gridCode: text(change.gridCode),
                    field.oldGridCode: text(change.oldGridCode), field.communityCode: .text(change.communityCode),
                    field.householdsBefore: integer(change.householdsBefore), field.householdsAfter: integer(change.householdsAfter),
                    field.buildingsBefore: integer(change.buildingsBefore), field.buildingsAfter: integer(change.buildingsAfter),
                    field.buildingsMoved: integer(change.buildingsMoved), field.householdsMoved: integer(change.householdsMoved),
                    field.reshaped: integer(change.reshaped ? 1 : 0), field.microGridsRebuilt: integer(change.microGridsRebuilt ? 1 : 0),
                ])
            })
        let moves = Layer(
            name: PartitionSchema.Moves.layer, fields: PartitionSchema.Moves.fields,
            features: self.moves.enumerated().map { index, move in
                let field = PartitionSchema.Moves.self
                return Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    field.buildingID: .text(move.buildingID), field.change: .text(move.change.rawValue),
                    field.fromGrid: text(move.fromGrid), field.toGrid: text(move.toGrid), field.households: integer(move.households),
                ])
            })
        let history = Layer(
            name: PartitionSchema.CodeHistory.layer, fields: PartitionSchema.CodeHistory.fields,
            features: codeHistory.enumerated().map { index, record in
                let field = PartitionSchema.CodeHistory.self
                return Feature(fid: Int64(index + 1), geometry: nil, properties: [
                    field.code: .text(record.code), field.level: .text(record.level.rawValue),
                    field.status: .text(record.status.rawValue), field.since: integer(record.since),
                ])
            })
        return [changes, moves, history]
    }

    /// A few lines for a person: grids kept, changed, new and retired; households keeping their
    /// grid code; buildings moved, added, removed; the largest moves (at most `limit`, 0: all).
    public func summary(limit: Int = 5) -> [String] {
        func grouped(_ n: Int) -> String {
            let digits = String(n)
            var out = ""
            for (i, c) in digits.reversed().enumerated() {
                if i > 0 && i % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return String(out.reversed())
        }
        let reshaped = changes.filter { $0.kind == .changed && $0.reshaped }.count
        let rebuilt = changes.filter { $0.kind != .retired && $0.microGridsRebuilt }.count
        var lines = [
            "Re-partition of \(previousPath) (\(mode == .keepGrids ? "every grid kept, micro-grids rebuilt where needed" : "keep what still fits")):",
            "  grids         kept \(grouped(count(.kept))), changed \(grouped(count(.changed))) (\(grouped(reshaped)) reshaped, "
                + "\(grouped(rebuilt)) with new micro-grids), new \(grouped(count(.new))), retired \(grouped(count(.retired)))",
            String(format: "  households    %.1f%% keep their grid code (", 100 * shareKeepingGridCode)
                + "\(grouped(householdsKeepingGridCode)) of \(grouped(householdsCompared)) in buildings of the previous partition)",
        ]
        let moved = moves.filter { $0.change == .moved }
        let added = moves.filter { $0.change == .added }
        let removed = moves.filter { $0.change == .removed }
        lines.append("  buildings     moved \(grouped(moved.count)) (\(grouped(moved.reduce(0) { $0 + $1.households })) households), "
                     + "added \(grouped(added.count)), removed \(grouped(removed.count))")
        if !moved.isEmpty {
            lines.append("Largest moves:")
            for move in moved.prefix(limit > 0 ? limit : moved.count) {
                lines.append("  \(move.buildingID)  \(move.households) households  \(move.fromGrid ?? "-") -> \(move.toGrid ?? "-")")
            }
            if limit > 0 && moved.count > limit { lines.append("  ... and \(grouped(moved.count - limit)) more (table moves)") }
        }
        return lines
    }
}
