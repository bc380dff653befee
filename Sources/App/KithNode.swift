import Core
import Domain
import Federation
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
        try await withDatabase(config: config, logger: logger, serving: true) { database, migrationsDirectory in
            let federation = federationStorage(database: database, logger: logger)
            let runtime = FederationRuntime(database: database, config: config, logger: logger)
            var app = buildApplication(
                config: config, dependencies: AppDependencies(database: database, logger: logger, federation: federation, runtime: runtime))
            app.addServices(database)
            app.addServices(runtime.services)
            app.beforeServerStarts {
                let applied = try await MigrationRunner(client: database.client, directory: migrationsDirectory, logger: logger).migrate()
                for file in applied {
                    logger.notice("migration applied", metadata: ["migration": "\(file.fileName)"])
                }
                // Made (once per node) before the first request, not during one.
                _ = try await federation.keys.applicationKeyPair()
                // Every id this node hands out is made from it: say which, and why.
                logger.notice(
                    "ids are made from the public URL",
                    metadata: [
                        "public_url": "\(config.publicURL)",
                        "from": "\(config.publicURLIsSet ? "the public_url setting" : "the listening port (public_url not set)")",
                    ])
                logger.notice(
                    "kith starting",
                    metadata: [
                        "address": "\(config.host):\(config.port)", "public_url": "\(config.publicURL)",
                        "database": "\(database.endpoint.redacted)",
                    ])
            }
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            logger.notice("kith stopped")
        }
    }

    /// Opens the node's database for `body`. With no database URL this is the embedded
    /// cluster, owned through `DataDirectoryLock`: `serve` must own it (it waits briefly for a
    /// one-shot command to finish, then gives up: another `serve` is running) and stops it when
    /// done. A one-shot command owns it only if nothing else runs; otherwise it uses the
    /// cluster of the running `serve` and leaves it running.
    public static func withDatabase<T: Sendable>(
        config: KithConfig, logger: Logger, serving: Bool = false,
        _ body: @Sendable (DatabasePool, String) async throws -> T
    ) async throws -> T {
        let migrationsDirectory = try MigrationsLocator.locate(configured: config.migrationsDirectory)
        if let url = config.databaseURL {
            let database = DatabasePool(endpoint: try DatabaseEndpoint(url: url), maxConnections: config.databaseMaxConnections, logger: logger)
            return try await body(database, migrationsDirectory)
        }
        let cluster = try EmbeddedPostgres(dataDirectory: config.dataDirectory, logger: logger)
        let lock = try await DataDirectoryLock.acquire(dataDirectory: config.dataDirectory, wait: serving ? .seconds(10) : .zero)
        if serving && lock == nil {
            throw KithError(.misconfigured, "another kith serve is running with the data directory \(config.dataDirectory)")
        }
        try await cluster.start()
        // Holding the lock means no other Kith uses the cluster, even when we found it running
        // (left by a Kith that was killed): stop it when done. Without the lock, leave it be.
        let stopAfterwards = lock != nil
        let database = DatabasePool(endpoint: cluster.endpoint, maxConnections: config.databaseMaxConnections, logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(database, migrationsDirectory))
        } catch {
            result = .failure(error)
        }
        if stopAfterwards {
            do {
                try cluster.stop()
            } catch {
                logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
            }
        }
        withExtendedLifetime(lock) {}
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
    public static func federationStorage(database: DatabasePool, logger: Logger) -> FederationStorage {
        let node = PostgresNodeRepository(client: database.client, logger: logger)
        return FederationStorage(
            accounts: PostgresAccountRepository(client: database.client, logger: logger), statistics: node,
            keys: NodeKeys(repository: node))
    }

    public static func accountRepository(database: DatabasePool, logger: Logger) -> any AccountRepository {
        PostgresAccountRepository(client: database.client, logger: logger)
    }
}
