import ArgumentParser

// Placeholder: being built.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Not built yet.")
    func run() async throws {}
}
