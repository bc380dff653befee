import Domain
import Foundation
import KithTestSupport
import PostgresNIO
import Storage
import Testing

/// The triggers of migration 0012 and the listener that reads their log: each change names the
/// accounts and posts it touched, and a fence returns only once every change committed before
/// it has been recorded.
@Suite struct ChangeListenerTests {
    func withListener(_ name: String, _ body: @Sendable (DatabasePool, ChangeListener, [Int64]) async throws -> Void) async throws {
        try await TestDatabase.with(name) { testDB in
            try await testDB.withDatabase { db in
                try await MigrationRunner(client: db.client, directory: TestDatabase.migrationsDirectory, logger: TestDatabase.logger).migrate()
                let repo = PostgresAccountRepository(client: db.client, logger: TestDatabase.logger)
                var ids: [Int64] = []
                for name in ["ann", "ben", "cat"] {
                    let account = try await repo.createLocal(
                        NewLocalAccount(
                            username: try Username(name), email: "\(name)@example.com", role: .user, passwordHash: "$2b$12$hash",
                            publicKeyPEM: "-", privateKeyPEM: "-", baseURL: "https://kith.example"))
                    ids.append(account.id)
                }
                let listener = ChangeListener(client: db.client, clock: ChangeClock(), logger: TestDatabase.logger)
                let task = Task { try await listener.run() }
                defer { task.cancel() }
                let deadline = ContinuousClock.now + .seconds(10)
                while !listener.clock.isFollowing {
                    guard ContinuousClock.now < deadline else { throw KithError(.unavailable, "the listener did not start") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await body(db, listener, ids)
            }
        }
    }

    func run(_ db: DatabasePool, _ sql: String) async throws {
        try await db.client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
    }

    @Test func aFenceReturnsOnlyOnceEarlierChangesAreRecorded() async throws {
        try await withListener("changes_fence") { db, listener, ids in
            let clock = listener.clock
            // Checked straight after each fence, many times: a fence that did not wait would
            // let some check run before its notification arrived.
            for round in 0..<50 {
                let stamp = try #require(clock.stamp())
                try await run(db, "UPDATE accounts SET display_name = 'round \(round)' WHERE id = \(ids[round % 3])")
                await listener.fence()
                #expect(!clock.isCurrent(stamp, accounts: [ids[round % 3]], statuses: []), "round \(round)")
                #expect(clock.isCurrent(stamp, accounts: [ids[(round + 1) % 3]], statuses: []), "round \(round)")
            }
        }
    }

    @Test func eachChangeNamesWhatItTouched() async throws {
        try await withListener("changes_keys") { db, listener, ids in
            let clock = listener.clock
            let (ann, ben, cat) = (ids[0], ids[1], ids[2])
            func changed(_ sql: String) async throws -> (accounts: Set<Int64>, statuses: Set<Int64>) {
                let stamp = try #require(clock.stamp())
                try await run(db, sql)
                await listener.fence()
                let candidates = Array(Set(ids + (try await statusIDs(db))))
                return (
                    Set(candidates.filter { !clock.isCurrent(stamp, accounts: [$0], statuses: []) }),
                    Set(candidates.filter { !clock.isCurrent(stamp, accounts: [], statuses: [$0]) })
                )
            }
            // A post: its author and itself.
            var touched = try await changed(
                "INSERT INTO statuses (uri, account_id, content, visibility, local) VALUES ('https://kith.example/s/1', \(ann), 'x', 'public', true)")
            let post = try await statusIDs(db)[0]
            #expect(touched.accounts == [ann] && touched.statuses == [post], "\(touched) ann \(ann) post \(post)")
            // A reply: its author, itself and its parent (whose reply count changed).
            touched = try await changed(
                """
                INSERT INTO statuses (uri, account_id, content, visibility, local, in_reply_to_id, in_reply_to_uri)
                VALUES ('https://kith.example/s/2', \(ben), 'y', 'public', true, \(post), 'https://kith.example/s/1')
                """)
            #expect(touched.accounts == [ben] && touched.statuses.contains(post) && touched.statuses.count == 2)
            // A favourite: the post and who favourited it.
            touched = try await changed("INSERT INTO favourites (account_id, status_id) VALUES (\(cat), \(post))")
            #expect(touched.accounts == [cat] && touched.statuses == [post])
            // A follow, a mute, a block: both accounts.
            touched = try await changed("INSERT INTO follows (account_id, target_account_id, state) VALUES (\(cat), \(ann), 'accepted')")
            #expect(touched.accounts == [cat, ann] && touched.statuses.isEmpty)
            touched = try await changed("INSERT INTO mutes (account_id, target_account_id) VALUES (\(ben), \(cat))")
            #expect(touched.accounts == [ben, cat])
            touched = try await changed("DELETE FROM mutes WHERE account_id = \(ben)")
            #expect(touched.accounts == [ben, cat])
            // Something unrelated: nothing.
            touched = try await changed("UPDATE node_keys SET created_at = created_at")
            #expect(touched.accounts.isEmpty && touched.statuses.isEmpty)
            // A profile change names its account only; silencing (or suspending) one, and lifting
            // it, changes what every page may show: everything.
            var before = try #require(clock.stamp())
            try await run(db, "UPDATE accounts SET display_name = 'Ann' WHERE id = \(ann)")
            await listener.fence()
            #expect(clock.isCurrent(before, accounts: [], statuses: []))
            for change in ["silenced_at = now()", "silenced_at = NULL", "suspended_at = now()", "suspended_at = NULL"] {
                before = try #require(clock.stamp())
                try await run(db, "UPDATE accounts SET \(change) WHERE id = \(ann)")
                await listener.fence()
                #expect(!clock.isCurrent(before, accounts: [], statuses: []), "\(change)")
            }
            // A statement touching too many rows to name: everything.
            let stamp = try #require(clock.stamp())
            try await run(
                db,
                """
                INSERT INTO statuses (uri, account_id, content, visibility, local)
                SELECT 'https://kith.example/bulk/' || n, \(cat), 'z', 'public', true FROM generate_series(1, 500) n
                """)
            await listener.fence()
            #expect(!clock.isCurrent(stamp, accounts: [], statuses: []))
        }
    }

    @Test func aLateCommitIsRecordedAndNothingTwice() async throws {
        try await withListener("changes_late") { db, listener, ids in
            let clock = listener.clock
            let (ann, ben) = (ids[0], ids[1])
            try await db.client.withConnection { open in
                // A transaction that stays open across several reads, then commits.
                try await open.query("BEGIN", logger: TestDatabase.logger)
                try await open.query("UPDATE accounts SET display_name = 'late' WHERE id = \(ann)", logger: TestDatabase.logger)
                let before = try #require(clock.stamp())
                for _ in 0..<3 { await listener.fence() }
                #expect(clock.isCurrent(before, accounts: [ann], statuses: []), "not committed yet")
                // Meanwhile ben changes and is recorded once: later reads do not record it again,
                // though the open transaction holds the oldest running transaction back.
                try await run(db, "UPDATE accounts SET display_name = 'ben' WHERE id = \(ben)")
                await listener.fence()
                let afterBen = try #require(clock.stamp())
                for _ in 0..<3 { await listener.fence() }
                #expect(clock.isCurrent(afterBen, accounts: [ben], statuses: []))
                try await open.query("COMMIT", logger: TestDatabase.logger)
                await listener.fence()
                #expect(!clock.isCurrent(before, accounts: [ann], statuses: []), "recorded once committed")
                #expect(!clock.isCurrent(afterBen, accounts: [ann], statuses: []))
                #expect(clock.isCurrent(afterBen, accounts: [ben], statuses: []))
            }
        }
    }

    @Test func anIdleListenerReadsAboutTenTimesASecond() async throws {
        try await withListener("changes_idle") { db, listener, ids in
            // Writes with fences, as client API writes make them; fences asked while a read
            // is under way; and a burst of fences with nothing written.
            for round in 0..<30 {
                try await run(db, "UPDATE accounts SET display_name = 'round \(round)' WHERE id = \(ids[round % 3])")
                await listener.fence()
            }
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { await listener.fence() } }
            }
            // Then nothing happens: the log is read every 100 ms again, not continually.
            try await Task.sleep(for: .milliseconds(300))
            let before = listener.reads
            try await Task.sleep(for: .seconds(1))
            let idle = listener.reads - before
            #expect(idle <= 12, "\(idle) reads in a second of idleness")
            #expect(idle >= 3, "\(idle) reads in a second: the listener stopped reading")
            // And a fence still gets its read at once.
            let stamp = try #require(listener.clock.stamp())
            try await run(db, "UPDATE accounts SET display_name = 'after' WHERE id = \(ids[0])")
            await listener.fence()
            #expect(!listener.clock.isCurrent(stamp, accounts: [ids[0]], statuses: []))
        }
    }

    @Test func aReadCostsTheSameOnALongLog() async throws {
        try await withListener("changes_long") { db, listener, _ in
            // As after an inbox flood: 20,000 rows, and statistics that still describe the
            // table as it was (autovacuum has not analysed it yet).
            // One transaction each, as the inbox stores activities.
            try await run(db, "ALTER TABLE changes SET (autovacuum_enabled = false)")
            try await run(db, "DO $$ BEGIN FOR n IN 1..20000 LOOP INSERT INTO changes (keys) VALUES ('a' || n); COMMIT; END LOOP; END $$")
            await listener.fence()
            let next = try await db.client.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text", logger: TestDatabase.logger)
            var bound = ""
            for try await value in next.decode(String.self) { bound = value }
            let read = ChangeListener.readQuery(after: .init(next: bound, running: "{}"))
            // The pages one read touches, counted by PostgreSQL: an index probe, not the log.
            func pages() async throws -> Int {
                let explained = PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, BUFFERS) " + read.sql, binds: read.binds)
                var lines: [String] = []
                for try await line in try await db.client.query(explained, logger: TestDatabase.logger).decode(String.self) { lines.append(line) }
                let buffers = try #require(lines.first { $0.contains("Buffers:") }, "\(lines)")
                return buffers.split(separator: " ").compactMap { word -> Int? in
                    let parts = word.split(separator: "=")
                    guard parts.count == 2, ["hit", "read"].contains(parts[0]) else { return nil }
                    return Int(parts[1])
                }.reduce(0, +)
            }
            _ = try await pages()
            let touched = try await pages()
            #expect(touched <= 20, "one read touched \(touched) pages of a 20,000-row log")
            // What it reads is still right: a change after the bound, and nothing before it.
            try await run(db, "INSERT INTO changes (keys) VALUES ('a424242')")
            var keys: [String] = []
            for try await (_, _, key) in try await db.client.query(read, logger: TestDatabase.logger).decode((String, String, String?).self) {
                if let key { keys.append(key) }
            }
            #expect(keys == ["a424242"])
        }
    }

    func statusIDs(_ db: DatabasePool) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await db.client.query("SELECT id FROM statuses ORDER BY id", logger: TestDatabase.logger).decode(Int64.self) {
            ids.append(id)
        }
        return ids
    }
}
