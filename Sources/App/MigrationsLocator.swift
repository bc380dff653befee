import Foundation

/// Finds the `migrations/` folder when the config does not name one: next to the working
/// directory (running from a checkout), relative to the executable (`.build/<triple>/release/kith`
/// in a checkout, or `<prefix>/bin/kith` with `<prefix>/share/kith/migrations`).
public enum MigrationsLocator {
    public static func locate(configured: String?, workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        if let configured {
            guard hasMigrations(configured) else {
                throw ConfigError(message: "database.migrations_dir \(configured) holds no NNNN_name.sql files")
            }
            return configured
        }
        var candidates = [workingDirectory + "/migrations"]
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let dir = URL(fileURLWithPath: executable).deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("../../../migrations").standardizedFileURL.path)
            candidates.append(dir.appendingPathComponent("../share/kith/migrations").standardizedFileURL.path)
        }
        guard let found = candidates.first(where: hasMigrations) else {
            throw ConfigError(
                message: "cannot find the migrations directory (looked in \(candidates.joined(separator: ", "))); set database.migrations_dir")
        }
        return found
    }

    static func hasMigrations(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).contains { $0.hasSuffix(".sql") }
    }
}
