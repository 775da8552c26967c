import ArgumentParser

@main
struct Gridweave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridweave",
        abstract: "Partition districts into management grids, locate events, report coverage."
    )
}
