import Domain
import Foundation
import KithTestSupport
import Logging
import Synchronization
import Testing

/// Log records, kept in memory.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let records = Mutex<[Record]>([])

    func contains(_ predicate: (Record) -> Bool) -> Bool {
        records.withLock { $0.contains(where: predicate) }
    }

    var logger: Logger {
        var logger = Logger(label: "kith-capture") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            let merged = metadata.merging(explicit ?? [:]) { $1 }.mapValues(\.description)
            capture.records.withLock { $0.append(Record(level: level, message: message.description, metadata: merged)) }
        }
    }
}

/// What a request, an inbound activity or a delivery causes logs with its metadata: the
/// request's id, the activity's id, type and actor, the delivery's inbox.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RequestLoggingTests {
    @Test func queriesAndOutgoingRequestsLogWithWhatTheyWereFor() async throws {
        let capture = LogCapture()
        try await withTwoNodes(hqLogger: capture.logger) { hq, sub in
            let alice = try await hq.createAccount("alice")
            let bob = try await sub.createAccount("bob")

            // An activity from sub (bob follows alice), processed on hq: the handler's queries
            // log with the activity's id, type and actor.
            let follow = try await sub.social.follow(accountID: bob.id, hq.acct("alice"))
            try await eventually("the follow reached hq") {
                guard let remoteBob = try await hq.store.accounts.account(uri: sub.baseURL + "/users/bob") else { return false }
                return try await hq.store.graph.findFollow(accountID: remoteBob.id, targetAccountID: alice.id) != nil
            }
            #expect(
                capture.contains {
                    $0.message == "Row stream received rows" && $0.metadata["type"] == "Follow"
                        && $0.metadata["actor"] == sub.baseURL + "/users/bob" && $0.metadata["activity_id"] == follow.uri
                }, "a query of the Follow's handler")

            // A client API request: its queries log with its request id.
            let token = try await ClientAPITests().token(hq, alice)
            let posted = try await RawHTTP.send(
                .POST, hq.baseURL + "/api/v1/statuses", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: #"{"status":"Hello, followers"}"#)
            #expect(posted.status == 200, "\(posted.body)")
            let requestID = try #require(posted.headers["x-request-id"])
            #expect(capture.contains { $0.message == "Row stream received rows" && $0.metadata["hb.request.id"] == requestID })
            #expect(!capture.contains { $0.level >= .info && $0.metadata["hb.request.id"] == requestID }, "nothing at info for a normal request")

            // Its delivery to bob's node: the POST (AsyncHTTPClient's own lines) logs with the inbox.
            try await eventually("the post reached sub") {
                capture.contains { $0.metadata["ahc-connection-id"] != nil && $0.metadata["inbox"]?.hasPrefix(sub.baseURL) == true }
            }
        }
    }
}
