import Core
import Domain
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Storage

/// Starts and stops a whole node: the database (embedded or external), migrations, the HTTP
/// server, and graceful shutdown on SIGTERM/SIGINT.
public enum KithNode {
    /// Runs `kith serve` until SIGTERM or SIGINT. The embedded PostgreSQL, if used, is stopped
    /// after the HTTP server and the pool have shut down, whether serving ended well or not.
    public static func serve(config: KithConfig, logger: Logger) async throws {
        try await withDatabase(config: config, logger: logger, stopEmbeddedAlways: true) { database, migrationsDirectory in
            var app = buildApplication(config: config, dependencies: AppDependencies(database: database, logger: logger))
            app.addServices(database)
            app.beforeServerStarts {
                let applied = try await MigrationRunner(client: database.client, directory: migrationsDirectory, logger: logger).migrate()
                for file in applied {
                    logger.notice("migration applied", metadata: ["migration": "\(file.fileName)"])
                }
                logger.notice(
                    "kith serving",
                    metadata: [
                        "address": "\(config.host):\(config.port)", "public_url": "\(config.publicURL)",
                        "database": "\(database.endpoint.redacted)",
                    ])
            }
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        }
    }

    /// Opens the node's database for `body`: starts the embedded cluster when no URL is
    /// configured, and stops it afterwards if this call started it (or always, for `serve`,
    /// which owns the cluster). The pool is running while `body` runs only if `body` runs it;
    /// one-shot commands use `withRunningDatabase`.
    public static func withDatabase<T: Sendable>(
        config: KithConfig, logger: Logger, stopEmbeddedAlways: Bool = false,
        _ body: @Sendable (DatabasePool, String) async throws -> T
    ) async throws -> T {
        let migrationsDirectory = try MigrationsLocator.locate(configured: config.migrationsDirectory)
        var embedded: EmbeddedPostgres?
        var startedHere = false
        let endpoint: DatabaseEndpoint
        if let url = config.databaseURL {
            endpoint = try DatabaseEndpoint(url: url)
        } else {
            let cluster = try EmbeddedPostgres(dataDirectory: config.dataDirectory, logger: logger)
            startedHere = try await cluster.start()
            embedded = cluster
            endpoint = cluster.endpoint
        }
        let database = DatabasePool(endpoint: endpoint, maxConnections: config.databaseMaxConnections, logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(database, migrationsDirectory))
        } catch {
            result = .failure(error)
        }
        if let embedded, startedHere || stopEmbeddedAlways {
            do {
                try embedded.stop()
            } catch {
                logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
            }
        }
        return try result.get()
    }

    /// `withDatabase` with the pool running and migrations applied, for CLI commands.
    public static func withRunningDatabase<T: Sendable>(
        config: KithConfig, logger: Logger, _ body: @Sendable (DatabasePool, [MigrationFile]) async throws -> T
    ) async throws -> T {
        try await withDatabase(config: config, logger: logger) { database, migrationsDirectory in
            try await database.withRunning { database in
                let applied = try await MigrationRunner(client: database.client, directory: migrationsDirectory, logger: logger).migrate()
                return try await body(database, applied)
            }
        }
    }

    public static func accountService(database: DatabasePool, config: KithConfig, logger: Logger) -> AccountService {
        AccountService(
            accounts: PostgresAccountRepository(client: database.client, logger: logger), hasher: BcryptPasswordHasher(),
            keys: RSAActorKeyGenerator(), passwords: RandomPasswordGenerator(), baseURL: config.publicURL)
    }
}

extension KithNode {
    public static func accountRepository(database: DatabasePool, logger: Logger) -> any AccountRepository {
        PostgresAccountRepository(client: database.client, logger: logger)
    }
}
