import ActivityStreams
import Foundation

/// Files under `federation/fixtures/`: payloads captured from real servers and signature
/// vectors made by independent libraries.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../federation/fixtures").standardizedFileURL

    static func data(_ path: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(path))
    }

    static func json(_ path: String) throws -> JSONValue {
        try JSONValue.parse(data(path))
    }

    /// Every `.json` file under `folder`, as paths relative to the fixtures root.
    static func files(in folder: String) -> [String] {
        let base = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }
}
