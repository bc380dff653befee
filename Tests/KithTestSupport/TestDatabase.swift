import Domain
import Foundation
import Logging
import PostgresNIO
import Storage

/// A database of its own for one test suite, on the throwaway PostgreSQL server that
/// `scripts/test` starts and names in `KITH_TEST_DATABASE_URL`. Suites can then run in
/// parallel without seeing each other's rows.
public struct TestDatabase: Sendable {
    public let endpoint: DatabaseEndpoint
    public let name: String
    let server: DatabaseEndpoint

    public static var serverURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["KITH_TEST_DATABASE_URL"], !url.isEmpty else {
                throw KithError(.misconfigured, "KITH_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a PostgreSQL for them")
            }
            return url
        }
    }

    public static let logger: Logger = {
        var logger = Logger(label: "kith-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates `kith_test_<prefix>_<random>`.
    public static func create(_ prefix: String) async throws -> TestDatabase {
        let server = try DatabaseEndpoint(url: serverURL)
        let name = "kith_test_\(prefix.lowercased())_\(UInt32.random(in: 0...UInt32.max))"
        let admin = DatabasePool(endpoint: server, maxConnections: 1, logger: logger)
        try await admin.withRunning { db in
            // Identifiers cannot be bound parameters; the name is made above from safe characters.
            try await db.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        return TestDatabase(endpoint: server.with(database: name), name: name, server: server)
    }

    /// The repository's `migrations/` folder.
    public static var migrationsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../migrations").standardizedFileURL.path
    }

    /// The URL of this database, for configs and the CLI.
    public var url: String {
        guard case .tcp(let host, let port) = endpoint.address else { return "" }
        let password = endpoint.password.map { ":\($0)" } ?? ""
        return "postgres://\(endpoint.username)\(password)@\(host):\(port)/\(name)?sslmode=disable"
    }

    /// Runs `body` with a running pool on this database.
    public func withDatabase<T: Sendable>(maxConnections: Int = 4, _ body: @Sendable (DatabasePool) async throws -> T) async throws -> T {
        try await DatabasePool(endpoint: endpoint, maxConnections: maxConnections, logger: Self.logger).withRunning(body)
    }

    /// Drops the database (after the suite's connections are closed).
    public func drop() async throws {
        let admin = DatabasePool(endpoint: server, maxConnections: 1, logger: Self.logger)
        try await admin.withRunning { db in
            try await db.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Self.logger)
        }
    }
}

/// A temporary directory, removed by `remove()`. Short paths, since PostgreSQL's socket path
/// must fit in 107 bytes.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "kith") throws {
        path = "/tmp/\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension TestDatabase {
    /// Creates a database for `body` and drops it afterwards, whether `body` threw or not.
    public static func with<T: Sendable>(_ prefix: String, _ body: @Sendable (TestDatabase) async throws -> T) async throws -> T {
        let database = try await create(prefix)
        let result: Result<T, any Error>
        do { result = .success(try await body(database)) } catch { result = .failure(error) }
        try await database.drop()
        return try result.get()
    }
}
