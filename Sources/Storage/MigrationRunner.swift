import Crypto
import Domain
import Foundation
import Logging
import PostgresNIO

/// One `migrations/NNNN_name.sql` file.
public struct MigrationFile: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String
    /// SHA-256 of the file's bytes, hex.
    public var checksum: String

    public var fileName: String { String(format: "%04d_%@.sql", version, name) }
}

/// Applies the SQL files of `migrations/` in order, each in its own transaction, and records
/// them in `schema_migrations`. A PostgreSQL advisory lock serialises concurrent runners (two
/// nodes starting at once against one database), and a file changed after it was applied stops
/// start-up: migrations are forward-only.
public struct MigrationRunner: Sendable {
    /// Arbitrary but fixed: 'Kith' in ASCII.
    static let advisoryLockKey: Int64 = 0x4B69_7468

    let client: PostgresClient
    let directory: String
    let logger: Logger

    public init(client: PostgresClient, directory: String, logger: Logger) {
        self.client = client
        self.directory = directory
        self.logger = logger
    }

    /// Reads and validates the migration files, ordered by version.
    public func loadFiles() throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw KithError(.misconfigured, "cannot read the migrations directory \(directory)", detail: "\(error)")
        }
        var files: [MigrationFile] = []
        for name in names where name.hasSuffix(".sql") {
            let stem = name.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), !parts[1].isEmpty else {
                throw KithError(.misconfigured, "migration file \(name) is not named NNNN_name.sql")
            }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let sql = String(data: data, encoding: .utf8) else {
                throw KithError(.misconfigured, "cannot read migration file \(path) as UTF-8")
            }
            let checksum = Hex.lowercase(SHA256.hash(data: data))
            files.append(MigrationFile(version: version, name: String(parts[1]), sql: sql, checksum: checksum))
        }
        files.sort { $0.version < $1.version }
        for (a, b) in zip(files, files.dropFirst()) where a.version == b.version {
            throw KithError(.misconfigured, "two migration files have version \(a.version): \(a.fileName) and \(b.fileName)")
        }
        return files
    }

    /// Applies every file not yet applied and returns those it applied (empty when up to date).
    @discardableResult
    public func migrate() async throws -> [MigrationFile] {
        let files = try loadFiles()
        return try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await applyPending(files, on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                // The lock is per session; release it so the pooled connection is clean.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The versions recorded in `schema_migrations`, with their checksums.
    public func appliedVersions() async throws -> [Int: String] {
        try await client.withConnection { try await appliedVersions(on: $0) }
    }

    private func appliedVersions(on connection: PostgresConnection) async throws -> [Int: String] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        guard exists else { return [:] }
        var result: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String).self) {
            result[version] = checksum
        }
        return result
    }

    private func applyPending(_ files: [MigrationFile], on connection: PostgresConnection) async throws -> [MigrationFile] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        let applied = try await appliedVersions(on: connection)
        let known = Set(files.map(\.version))
        if let orphan = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw KithError(
                .misconfigured,
                String(format: "migration %04d is recorded as applied but its file is missing from %@; is this an older Kith than the database?", orphan, directory))
        }
        var newlyApplied: [MigrationFile] = []
        for file in files {
            if let checksum = applied[file.version] {
                guard checksum == file.checksum else {
                    throw KithError(
                        .misconfigured,
                        "migration \(file.fileName) was changed after it was applied (checksum \(file.checksum) differs from the recorded \(checksum)); add a new migration instead of editing an applied one")
                }
                continue
            }
            try await apply(file, on: connection)
            newlyApplied.append(file)
        }
        return newlyApplied
    }

    private func apply(_ file: MigrationFile, on connection: PostgresConnection) async throws {
        let statements = SQLScript.statements(in: file.sql)
        try await connection.query("BEGIN", logger: logger)
        do {
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(file.version), \(file.name), \(file.checksum))",
                logger: logger)
            try await connection.query("COMMIT", logger: logger)
            logger.debug("migration applied", metadata: ["migration": "\(file.fileName)", "statements": "\(statements.count)"])
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw KithError(.misconfigured, "migration \(file.fileName) failed: \(PostgresErrorText.describe(error))")
        }
    }
}
