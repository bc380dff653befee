import Domain
import Logging
import PostgresNIO
import ServiceLifecycle

/// The node's connection pool. It is a `Service`: the service group that owns it runs it, and
/// graceful shutdown closes its connections.
public final class DatabasePool: Service, HealthCheck {
    public let client: PostgresClient
    public let endpoint: DatabaseEndpoint
    let logger: Logger

    public init(endpoint: DatabaseEndpoint, maxConnections: Int = 20, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
        self.client = PostgresClient(configuration: endpoint.clientConfiguration(maxConnections: maxConnections), backgroundLogger: logger)
    }

    public func run() async throws {
        await client.run()
    }

    /// Runs `body` while the pool is running, for one-shot commands (`kith migrate`, …) that have
    /// no service group.
    public func withRunning<T: Sendable>(_ body: @Sendable (DatabasePool) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Wait until the run task is about to enter run(), so the first query does not find
            // the pool idle (PostgresNIO warns when leasing before run() was called).
            let (started, signal) = AsyncStream<Void>.makeStream()
            group.addTask {
                signal.finish()
                await self.client.run()
            }
            for await _ in started {}
            defer { group.cancelAll() }
            return try await body(self)
        }
    }

    /// `SELECT 1`, bounded in time: a database that does not answer within `timeout` is unhealthy.
    public func check() async throws {
        try await check(timeout: .seconds(2))
    }

    public func check(timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.client.query("SELECT 1", logger: self.logger)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw KithError(.unavailable, "database did not answer within \(timeout)")
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch let error as KithError {
                throw error
            } catch {
                throw KithError(.unavailable, "database unreachable: \(PostgresErrorText.describe(error))")
            }
        }
    }
}

/// Readable text for PostgresNIO errors, whose `description` is deliberately generic.
public enum PostgresErrorText {
    public static func describe(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return String(describing: error) }
        if let message = psql.serverInfo?[.message] {
            let detail = psql.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return message + detail
        }
        if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
        return "\(psql.code)"
    }

    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}
