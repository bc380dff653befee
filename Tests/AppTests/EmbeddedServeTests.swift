import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import KithTestSupport
import Storage
import Testing

/// /health against the embedded cluster, then with that cluster stopped.
@Suite(.timeLimit(.minutes(5))) struct EmbeddedHealthTests {
    @Test func healthFollowsTheDatabase() async throws {
        let dir = try TemporaryDirectory("kith-hl")
        defer { dir.remove() }
        let cluster = try EmbeddedPostgres(dataDirectory: dir.path, logger: TestDatabase.logger)
        defer { try? cluster.stop() }
        try await cluster.start()
        let database = DatabasePool(endpoint: cluster.endpoint, maxConnections: 2, logger: TestDatabase.logger)
        var app = buildApplication(config: KithConfig(), dependencies: AppDependencies(database: database, logger: TestDatabase.logger))
        app.addServices(database)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try cluster.stop()
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("database"))
            }
        }
    }
}
