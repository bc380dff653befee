import Domain
import Foundation
import KithTestSupport
import PostgresNIO
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The embedded cluster, for real: initdb, pg_ctl and postgres from the system. When the tests
/// run as root the cluster runs as the `postgres` user, which is what `kith serve` does then.
@Suite(.serialized) struct EmbeddedPostgresTests {
    func count(_ endpoint: DatabaseEndpoint) async throws -> Int {
        try await DatabasePool(endpoint: endpoint, maxConnections: 1, logger: TestDatabase.logger).withRunning { db in
            try await db.client.query("SELECT count(*) FROM notes", logger: TestDatabase.logger).collect().first!.decode(Int.self)
        }
    }

    func exec(_ endpoint: DatabaseEndpoint, _ sql: String) async throws {
        try await DatabasePool(endpoint: endpoint, maxConnections: 1, logger: TestDatabase.logger).withRunning { db in
            try await db.client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
        }
    }

    @Test func initStartStopRestartKeepsData() async throws {
        let dir = try TemporaryDirectory("kith-emb")
        defer { dir.remove() }
        let cluster = try EmbeddedPostgres(dataDirectory: dir.path, logger: TestDatabase.logger)
        defer { try? cluster.stop() }

        #expect(try await cluster.start())
        #expect(cluster.isRunning)
        #expect(FileManager.default.fileExists(atPath: cluster.pgdata + "/PG_VERSION"))
        // Unix socket only: no TCP listener is configured.
        let settings = try String(contentsOfFile: cluster.pgdata + "/kith.conf", encoding: .utf8)
        #expect(settings.contains("listen_addresses = ''"))
        #expect(FileManager.default.fileExists(atPath: cluster.socketDirectory + "/.s.PGSQL.5432"))
        try await exec(cluster.endpoint, "CREATE TABLE notes (body text)")
        try await exec(cluster.endpoint, "INSERT INTO notes VALUES ('kept')")

        try cluster.stop()
        #expect(!cluster.isRunning)
        #expect(!FileManager.default.fileExists(atPath: cluster.pgdata + "/postmaster.pid"))
        try cluster.stop()  // stopping a stopped cluster is fine

        // A second start reuses the cluster and its data (no second initdb).
        let again = try EmbeddedPostgres(dataDirectory: dir.path, logger: TestDatabase.logger)
        #expect(try await again.start())
        #expect(try await count(again.endpoint) == 1)
        try again.stop()
    }

    @Test func recoversAfterCrashes() async throws {
        let dir = try TemporaryDirectory("kith-emb")
        defer { dir.remove() }
        let cluster = try EmbeddedPostgres(dataDirectory: dir.path, logger: TestDatabase.logger)
        defer { try? cluster.stop() }
        try await cluster.start()
        try await exec(cluster.endpoint, "CREATE TABLE notes (body text)")
        try await exec(cluster.endpoint, "INSERT INTO notes VALUES ('before crash')")

        // 1. Kith was killed while the cluster kept running: the next start uses it.
        let afterKithCrash = try EmbeddedPostgres(dataDirectory: dir.path, logger: TestDatabase.logger)
        #expect(try await afterKithCrash.start() == false)
        #expect(try await count(afterKithCrash.endpoint) == 1)

        // 2. The postmaster itself was killed with SIGKILL: postmaster.pid is stale.
        guard case .running(let pid) = cluster.postmasterStateForTesting else {
            Issue.record("cluster not running")
            return
        }
        kill(pid, SIGKILL)
        for _ in 0..<100 where FileManager.default.fileExists(atPath: "/proc/\(pid)") { try await Task.sleep(for: .milliseconds(50)) }
        // Children may outlive the postmaster for a moment; wait until the shared memory is free.
        try await Task.sleep(for: .milliseconds(500))
        #expect(FileManager.default.fileExists(atPath: cluster.pgdata + "/postmaster.pid"))
        #expect(try await cluster.start())
        #expect(try await count(cluster.endpoint) == 1)  // crash recovery kept committed data
        try cluster.stop()

        // 3. After a reboot the stale pid may belong to an unrelated live process (here: us).
        let pidFile = cluster.pgdata + "/postmaster.pid"
        try "\(getpid())\n\(cluster.pgdata)\n0\n5432\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        #expect(try await cluster.start())
        #expect(try await count(cluster.endpoint) == 1)
        try cluster.stop()

        // 4. …or to another PostgreSQL server (the one scripts/test runs for the suite).
        let otherPostmaster = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).compactMap(Int32.init).first { pid in
            let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return cmdline.hasPrefix("/usr/lib/postgresql/") && cmdline.contains("-D") && !cmdline.contains(cluster.pgdata)
        }
        if let otherPostmaster {
            try "\(otherPostmaster)\n\(cluster.pgdata)\n0\n5432\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
            #expect(cluster.postmasterStateForTesting == .stale(pid: otherPostmaster))
            #expect(try await cluster.start())
            #expect(try await count(cluster.endpoint) == 1)
            try cluster.stop()
        }
    }

    @Test func missingBinariesNameTheDebianPackage() throws {
        do {
            _ = try PostgresBinaries.locate(explicit: "/nonexistent/postgresql/bin")
            Issue.record("found binaries in a folder that does not exist")
        } catch let error as KithError {
            #expect(error.message.contains("apt-get install postgresql"))
            #expect(error.message.contains("/nonexistent/postgresql/bin"))
        }
        // And the real search finds the installed server.
        let found = try PostgresBinaries.locate()
        #expect(FileManager.default.isExecutableFile(atPath: found.path("postgres")))
    }

    @Test func tooLongDataDirectoryIsRefused() throws {
        let long = "/tmp/" + String(repeating: "d", count: 100)
        #expect(throws: KithError.self) { try EmbeddedPostgres(dataDirectory: long, logger: TestDatabase.logger) }
    }
}
