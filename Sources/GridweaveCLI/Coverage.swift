import ArgumentParser

// Placeholder: being built.
struct Coverage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "coverage", abstract: "Not built yet.")
    func run() async throws {}
}
