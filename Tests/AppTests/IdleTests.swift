import Domain
import Foundation
import KithTestSupport
import Testing

/// A node that has been used goes back to its idle cost: after client API writes (each waits
/// for the change log to be read) and an inbox flood, the log is read about ten times a second
/// and no more.
@Suite(.serialized, .timeLimit(.minutes(20))) struct IdleTests {
    @Test func aUsedNodeReadsTheChangeLogTenTimesASecondWhenIdle() async throws {
        try await withTwoNodes { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")
            let a = ClientAPITests.API(node: hq, token: try await ClientAPITests().token(hq, alice))
            // alice follows bob through the API; bob posts 40 times: a small flood into hq's inbox.
            let bobOnHQ = try await hq.runtime.resolver.resolve(sub.acct("bob"))
            #expect(try await a.post("/api/v1/accounts/\(bobOnHQ.id)/follow").status == 200)
            try await eventually("alice follows bob") { try await sub.store.graph.followCounts(of: bob.id).followers == 1 }
            for n in 0..<40 {
                _ = try await sub.social.post(accountID: bob.id, .init(content: "<p>news \(n)</p>"))
            }
            // And alice writes through the API meanwhile: posts, a favourite, a bookmark.
            for n in 0..<10 {
                #expect(try await a.post("/api/v1/statuses", #"{"status":"note \#(n)"}"#).status == 200)
            }
            try await eventually("the flood processed on hq", timeout: .seconds(60)) {
                try await hq.count("SELECT count(*) FROM statuses WHERE account_id = \(bobOnHQ.id)") == 40
            }
            let someID = try #require(try await hq.strings("SELECT id::text FROM statuses WHERE account_id = \(bobOnHQ.id) LIMIT 1").first)
            #expect(try await a.post("/api/v1/statuses/\(someID)/favourite").status == 200)
            #expect(try await a.post("/api/v1/statuses/\(someID)/bookmark").status == 200)
            try await eventually("deliveries done", timeout: .seconds(60)) {
                let pending = [
                    try await hq.count("SELECT count(*) FROM deliveries WHERE state = 'pending'"),
                    try await sub.count("SELECT count(*) FROM deliveries WHERE state = 'pending'"),
                    try await hq.count("SELECT count(*) FROM inbox_items WHERE state = 'pending'"),
                ]
                return pending == [0, 0, 0]
            }

            // Then nobody does anything.
            try await Task.sleep(for: .milliseconds(1500))
            let before = (hq.runtime.changes.reads, sub.runtime.changes.reads)
            try await Task.sleep(for: .seconds(2))
            let reads = (hq.runtime.changes.reads - before.0, sub.runtime.changes.reads - before.1)
            #expect(reads.0 <= 24, "hq read the change log \(reads.0) times in 2 s of idleness")
            #expect(reads.1 <= 24, "sub read the change log \(reads.1) times in 2 s of idleness")
            #expect(reads.0 >= 6, "hq stopped reading the change log (\(reads.0) reads in 2 s)")
        }
    }
}
