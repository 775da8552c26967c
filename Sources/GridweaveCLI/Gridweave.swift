import ArgumentParser
import FeatureIO
import Foundation

@main
struct Gridweave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridweave",
        abstract: "Grid management (网格化管理) engine: partition districts into grids, check their coverage.",
        discussion: """
            Start with `gridweave inspect DISTRICT` to see what the engine reads from your data. \
            A district is a GeoPackage, or a folder of <layer>.geojson files, with at least the \
            layers `communities` (field `code`) and `buildings` (fields `id`, `households`).
            """,
        subcommands: [Inspect.self, Generate.self, Partition.self, ImportGrids.self, Index.self, Locate.self, Coverage.self, Render.self, Serve.self, Register.self]
    )

    /// Runs the command line, turning every failure into `error: ...` on stderr and exit code 1
    /// (ArgumentParser's own default for usage errors is 64; the contract says 1).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version
                print(fullMessage(for: error))
                return
            }
            if let exit = error as? ExitCode {
                Foundation.exit(exit.rawValue)
            }
            let message = safeForTerminal(message(for: error).trimmingCharacters(in: .whitespacesAndNewlines))
            let prefixed = message.lowercased().hasPrefix("error:") ? message : "error: \(message)"
            FileHandle.standardError.write(Data((prefixed + "\n").utf8))
            if error is ValidationError || code == .validationFailure {
                FileHandle.standardError.write(Data("\(usageString(for: error))\n".utf8))
            }
            Foundation.exit(1)
        }
    }

    static func usageString(for error: any Error) -> String {
        let lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.drop { !$0.hasPrefix("Usage:") }.joined(separator: "\n")
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Runs `body`, turning the engine's own errors into `error: ...` and exit code 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let message = safeForTerminal("\(error)")
        printError(message.hasPrefix("error:") ? message : "error: \(message)")
        throw ExitCode(1)
    }
}

/// An error message as it may be printed: input it quotes (a file name, a field, a CSV header)
/// could hold control characters and terminal escapes, or be megabytes long. The messages quote
/// input through `InputExcerpt` already, cut short; this is the last guard, for the whole line.
func safeForTerminal(_ message: String) -> String {
    InputExcerpt.of(message, limit: 4_096)
}

/// The codes of a repeatable option whose values may each list several, separated by commas
/// (`--lock A --lock B,C`), without blanks.
func codeList(_ values: [String]) -> Set<String> {
    Set(values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty })
}
