import Foundation
import KithTestSupport
import PostgresNIO
import Storage
import Testing

/// `kith federation …` as an operator runs it.
@Suite(.timeLimit(.minutes(5))) struct FederationCLITests {
    let cli = CLITests()

    @Test func policyDeliveriesRetryAndResolve() async throws {
        try await withNodeGate { try await policyAndDeliveries() }
    }

    func policyAndDeliveries() async throws {
        // The CLI's node (kith.example) cannot be reached to check its signature: a peer that
        // serves documents unsigned, as in open federation.
        let peer = try await TestNode(name: "cli_peer", authorizedFetch: false)
        do {
            try await peer.start()
            _ = try await peer.createAccount("alice")
            try await TestDatabase.with("fedcli") { testDB in
                let common = [
                    "--database-url", testDB.url, "--migrations-dir", TestDatabase.migrationsDirectory, "--public-url", "https://kith.example",
                ]
                #expect(try await cli.kith(["migrate"] + common).status == 0)

                // Domain policy.
                let allow = try await cli.kith(["federation", "allow", peer.domain] + common)
                #expect(allow.status == 0, "\(allow.stderr)")
                #expect(try await cli.kith(["federation", "block", "Evil.Example"] + common).status == 0)
                let list = try await cli.kith(["federation", "list"] + common)
                #expect(list.stdout.contains("mode: allowlist"))
                #expect(list.stdout.contains("allow\t\(peer.domain)"))
                #expect(list.stdout.contains("block\tevil.example\tsuspend"))
                let silence = try await cli.kith(
                    ["federation", "block", "loud.example", "--severity", "silence", "--private-comment", "spam wave"] + common)
                #expect(silence.stdout.contains("Blocked loud.example (silence)"), "\(silence.stderr)")
                #expect(try await cli.kith(["federation", "list"] + common).stdout.contains("block\tloud.example\tsilence\tspam wave"))
                #expect(try await cli.kith(["federation", "block", "x.example", "--severity", "harsh"] + common).status != 0)
                #expect(try await cli.kith(["federation", "unblock", "loud.example"] + common).status == 0)
                #expect(try await cli.kith(["federation", "unblock", "loud.example"] + common).status != 0)  // nothing left to remove

                // Every change is in the audit log, as done at the command line, oldest last.
                let audit = try await cli.kith(["audit", "--details"] + common)
                #expect(audit.status == 0, "\(audit.stderr)")
                let actions = audit.stdout.split(separator: "\n").filter { $0.contains("\tcli:") }.map { $0.split(separator: "\t")[4] }
                #expect(actions == ["domain_block.destroy", "domain_block.create", "domain_block.create", "domain_allow.create"])
                #expect(audit.stdout.contains(#""severity": "silence""#))
                let blocksOnly = try await cli.kith(["audit", "--action", "domain_block"] + common)
                #expect(blocksOnly.stdout.split(separator: "\n").count == 4)  // the header and three entries
                let bad = try await cli.kith(["federation", "allow", "https://x.example/path"] + common)
                #expect(bad.status == 65)
                #expect(bad.stderr.contains("not a domain"))

                // Resolve an actor on the peer, through WebFinger (lab settings: http, loopback).
                let lab = common + ["--federation-allow-http", "true", "--federation-allow-private-addresses", "true"]
                let resolved = try await cli.kith(["federation", "resolve", "alice@\(peer.domain)"] + lab)
                #expect(resolved.status == 0, "\(resolved.stderr)")
                #expect(resolved.stdout.contains("id: \(peer.baseURL)/users/alice"))
                #expect(resolved.stdout.contains("key: \(peer.baseURL)/users/alice#main-key"))
                // With the production defaults, the loopback peer is refused.
                let refused = try await cli.kith(["federation", "resolve", "\(peer.baseURL)/users/alice"] + common)
                #expect(refused.status != 0)
                #expect(refused.stderr.contains("http"))
                // An unknown node is not asked at all.
                let unknown = try await cli.kith(["federation", "resolve", "bob@127.0.0.1:9"] + lab)
                #expect(unknown.status != 0)
                #expect(unknown.stderr.contains("not a node this one federates with"))

                // Deliveries: a dead one is listed with its error, retried, and made pending.
                try await testDB.withDatabase { db in
                    try await db.client.query(
                        """
                        INSERT INTO accounts (username, uri, inbox_uri, public_key_id, public_key_pem, email, password_hash)
                        VALUES ('op', 'https://kith.example/users/op', 'https://kith.example/users/op/inbox', 'k', 'pem', 'op@kith.example', 'x')
                        """, logger: TestDatabase.logger)
                    try await db.client.query(
                        """
                        INSERT INTO activities (id, uri, account_id, type, payload, fanout_state)
                        SELECT 7, 'https://kith.example/activities/7', id, 'Create', '{}', 'done' FROM accounts WHERE username = 'op'
                        """, logger: TestDatabase.logger)
                    try await db.client.query(
                        """
                        INSERT INTO deliveries (id, activity_id, inbox_uri, host, state, attempts, last_status, last_error)
                        VALUES (41, 7, 'https://gone.example/inbox', 'gone.example', 'dead', 16, 503, 'gave up after 16 attempts: HTTP 503'),
                               (42, 7, 'https://fine.example/inbox', 'fine.example', 'delivered', 1, 202, NULL)
                        """, logger: TestDatabase.logger)
                }
                let dead = try await cli.kith(["federation", "deliveries", "--dead"] + common)
                #expect(dead.status == 0, "\(dead.stderr)")
                #expect(dead.stdout.contains("41\tdead\t16"))
                #expect(dead.stdout.contains("gave up after 16 attempts: HTTP 503"))
                #expect(!dead.stdout.contains("fine.example"))
                let retry = try await cli.kith(["federation", "retry", "41"] + common)
                #expect(retry.status == 0, "\(retry.stderr)")
                let pending = try await cli.kith(["federation", "deliveries"] + common)
                #expect(pending.stdout.contains("41\tpending\t0"))
                // Retrying is an admin action like allowing or blocking: it is in the audit log.
                let retried = try await cli.kith(["audit", "--action", "delivery", "--details"] + common)
                #expect(retried.status == 0, "\(retried.stderr)")
                #expect(retried.stdout.contains("delivery.retry\tdelivery:41"), "\(retried.stdout)")
                #expect(retried.stdout.contains(#""state": "dead""#), "the state before")
                #expect(retried.stdout.contains("https://gone.example/inbox"))
                #expect(try await cli.kith(["federation", "retry", "42"] + common).status == 65)  // delivered: nothing to retry
                #expect(try await cli.kith(["federation", "retry", "999"] + common).status == 65)
            }
        } catch {
            await peer.remove()
            throw error
        }
        await peer.remove()
    }
}
