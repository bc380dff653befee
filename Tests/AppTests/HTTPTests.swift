import API
import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import KithTestSupport
import Logging
import Storage
import Testing

@Suite struct HTTPTests {
    func decode(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test func healthIsOKWhenTheDatabaseAnswers() async throws {
        try await TestDatabase.with("http_health") { testDB in
            let database = DatabasePool(endpoint: testDB.endpoint, maxConnections: 2, logger: TestDatabase.logger)
            var app = buildApplication(config: KithConfig(), dependencies: AppDependencies(database: database, logger: TestDatabase.logger))
            app.addServices(database)
            try await app.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let body = try decode(response.body)
                    #expect(body["status"] as? String == "ok")
                    #expect(body["database"] as? String == "ok")
                    #expect(body["version"] as? String == KithVersion.current)
                }
            }
        }
    }

    @Test func healthIs503WithTheReasonWhenTheDatabaseIsDown() async throws {
        // A port nothing listens on: connection refused.
        let endpoint = DatabaseEndpoint(address: .tcp(host: "127.0.0.1", port: 9), username: "kith", database: "kith")
        let database = DatabasePool(endpoint: endpoint, maxConnections: 1, logger: TestDatabase.logger)
        var app = buildApplication(config: KithConfig(), dependencies: AppDependencies(database: database, logger: TestDatabase.logger))
        app.addServices(database)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try decode(response.body)
                #expect(body["status"] as? String == "unavailable")
                #expect((body["error"] as? String)?.contains("database") == true)
            }
        }
    }

    @Test func unknownRouteIsJSON404WithRequestID() async throws {
        let app = buildApplication(
            config: KithConfig(), dependencies: AppDependencies(database: AlwaysHealthy(), logger: TestDatabase.logger))
        try await app.test(.router) { client in
            try await client.execute(uri: "/no/such/thing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try decode(response.body)
                #expect(body["error"] is String)
                #expect(body.count == 1)
                #expect(response.headers[.init("X-Request-Id")!]?.isEmpty == false)
            }
            try await client.execute(uri: "/health", method: .delete) { response in
                #expect(response.status == .methodNotAllowed || response.status == .notFound)
                let body = try decode(response.body)
                #expect(body["error"] is String)
            }
        }
    }

    @Test func metricsCountRequestsByRoute() async throws {
        let app = buildApplication(
            config: KithConfig(), dependencies: AppDependencies(database: AlwaysHealthy(), logger: TestDatabase.logger))
        try await app.test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/nope", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"kith_http_requests_total{route="/health",method="GET",status="200"} 3"#))
                #expect(text.contains(#"kith_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
                #expect(text.contains(#"kith_http_request_duration_seconds_count{route="/health",method="GET"} 3"#))
                #expect(text.contains("kith_http_request_duration_seconds_bucket"))
            }
        }
    }

    @Test func metricsTokenIsRequiredWhenSet() async throws {
        var config = KithConfig()
        config.metricsToken = "0123456789abcdef-secret"
        let app = buildApplication(config: config, dependencies: AppDependencies(database: AlwaysHealthy(), logger: TestDatabase.logger))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
                let body = try decode(response.body)
                #expect(body["error"] is String)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer wrong"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer 0123456789abcdef-secret"]) {
                #expect($0.status == .ok)
            }
            // /health stays open for load balancers.
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func errorsMapToStatuses() {
        #expect(ErrorMiddleware<AppRequestContext>.map(KithError(.invalidInput, "bad")) == (.badRequest, "bad"))
        #expect(ErrorMiddleware<AppRequestContext>.map(KithError(.conflict, "taken")).0 == .conflict)
        #expect(ErrorMiddleware<AppRequestContext>.map(KithError(.internalError, "x", detail: "secret")).1 == "x")
        struct Opaque: Error {}
        #expect(ErrorMiddleware<AppRequestContext>.map(Opaque()) == (.internalServerError, "internal server error"))
    }
}

struct AlwaysHealthy: HealthCheck {
    func check() async throws {}
}
