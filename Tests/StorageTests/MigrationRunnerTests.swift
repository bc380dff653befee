import Domain
import Foundation
import KithTestSupport
import PostgresNIO
import Storage
import Testing

@Suite struct MigrationRunnerTests {
    /// Copies the real migrations into a temporary folder, plus `extra` files.
    func migrationsFolder(extra: [String: String] = [:]) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("kith-mig")
        for name in try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrationsDirectory) {
            try FileManager.default.copyItem(atPath: TestDatabase.migrationsDirectory + "/" + name, toPath: dir.path + "/" + name)
        }
        for (name, sql) in extra { try sql.write(toFile: dir.path + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    func tableExists(_ name: String, _ db: DatabasePool) async throws -> Bool {
        try await db.client.query("SELECT to_regclass(\(name)) IS NOT NULL", logger: TestDatabase.logger).collect().first!.decode(Bool.self)
    }

    @Test func freshApplyThenRerunIsANoOp() async throws {
        try await TestDatabase.with("mig_fresh") { testDB in
            try await testDB.withDatabase { db in
                let runner = MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger)
                let files = try runner.loadFiles()
                #expect(files.first?.fileName == "0001_init.sql")
                let applied = try await runner.migrate()
                #expect(applied.map(\.version) == files.map(\.version))
                #expect(try await tableExists("accounts", db))
                let recorded = try await runner.appliedVersions()
                #expect(recorded == Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0.checksum) }))
                let again = try await runner.migrate()
                #expect(again.isEmpty)
                // ids sort by time: a later id is larger.
                let ids = try await db.client.query("SELECT kith_next_id(), kith_next_id()", logger: TestDatabase.logger)
                    .collect().first!.decode((Int64, Int64).self)
                #expect(ids.1 > ids.0)
                #expect(ids.0 >> 16 > 1_700_000_000_000)
            }
        }
    }

    @Test func changedFileIsRefused() async throws {
        try await TestDatabase.with("mig_changed") { testDB in
            let folder = try migrationsFolder(extra: ["0900_extra.sql": "CREATE TABLE extra (id int);"])
            defer { folder.remove() }
            try await testDB.withDatabase { db in
                let runner = MigrationRunner(client: db.client, directory: folder.path, logger: TestDatabase.logger)
                try await runner.migrate()
                try "CREATE TABLE extra (id bigint);".write(toFile: folder.path + "/0900_extra.sql", atomically: true, encoding: .utf8)
                do {
                    try await runner.migrate()
                    Issue.record("a changed migration was accepted")
                } catch let error as KithError {
                    #expect(error.message.contains("0900_extra.sql"))
                    #expect(error.message.contains("changed after it was applied"))
                }
            }
        }
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.with("mig_fail") { testDB in
            let folder = try migrationsFolder(extra: ["0901_broken.sql": "CREATE TABLE half (id int);\nSELECT no_such_function();"])
            defer { folder.remove() }
            try await testDB.withDatabase { db in
                let runner = MigrationRunner(client: db.client, directory: folder.path, logger: TestDatabase.logger)
                do {
                    try await runner.migrate()
                    Issue.record("a broken migration was applied")
                } catch let error as KithError {
                    #expect(error.message.contains("0901_broken.sql"))
                    #expect(error.message.contains("no_such_function"))
                }
                #expect(try await tableExists("accounts", db))  // 0001 committed on its own
                #expect(try await !tableExists("half", db))  // 0901 rolled back whole
                #expect(try await runner.appliedVersions()[901] == nil)
            }
        }
    }

    @Test func badFileNameIsRefused() throws {
        let folder = try migrationsFolder(extra: ["12_short.sql": "SELECT 1;"])
        defer { folder.remove() }
        let runner = MigrationRunner(client: PostgresClient(configuration: .init(host: "127.0.0.1", username: "x", password: nil, database: nil, tls: .disable)), directory: folder.path, logger: TestDatabase.logger)
        #expect(throws: KithError.self) { try runner.loadFiles() }
    }

    @Test func concurrentRunnersApplyOnce() async throws {
        try await TestDatabase.with("mig_race") { testDB in
            // A slow migration that fails if run twice (it inserts a unique row), so two runners
            // that both got past the lock would be seen.
            let folder = try migrationsFolder(extra: [
                "0902_slow.sql": "CREATE TABLE slow (id int PRIMARY KEY);\nSELECT pg_sleep(0.5);\nINSERT INTO slow VALUES (1);"
            ])
            defer { folder.remove() }
            // Two separate pools, as two processes would have.
            let (a, b) = try await testDB.withDatabase { db1 in
                try await testDB.withDatabase { db2 in
                    async let first = MigrationRunner(client: db1.client, directory: folder.path, logger: TestDatabase.logger).migrate()
                    async let second = MigrationRunner(client: db2.client, directory: folder.path, logger: TestDatabase.logger).migrate()
                    return try await (first.map(\.version), second.map(\.version))
                }
            }
            let expected = try MigrationRunner(client: PostgresClient(configuration: .init(host: "127.0.0.1", username: "x", password: nil, database: nil, tls: .disable)), directory: folder.path, logger: TestDatabase.logger).loadFiles().map(\.version)
            // One runner applied everything, the other found nothing to do.
            #expect((a == expected && b.isEmpty) || (b == expected && a.isEmpty))
            try await testDB.withDatabase { db in
                let count = try await db.client.query("SELECT count(*) FROM slow", logger: TestDatabase.logger).collect().first!.decode(Int.self)
                #expect(count == 1)
            }
        }
    }
}
