// swift-tools-version: 6.2
import PackageDescription

// Layering (see ARCHITECTURE.md): ActivityStreams, HTTPSignatures and Domain depend on nothing
// of ours; Core on Domain and ActivityStreams; Storage on Domain, ActivityStreams (JSON) and
// PostgresNIO; Federation on Core, the protocol libraries and AsyncHTTPClient; API on Core,
// Federation (the ActivityPub routes serve its documents and hand inboxes to it) and
// Hummingbird; only App and the executables wire concrete types together. API and Federation
// never import PostgresNIO, Storage never imports Hummingbird.
let package = Package(
    name: "kith",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kith", targets: ["kith"]),
        .executable(name: "kith-bench", targets: ["KithBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.4.0",
            traits: [.defaults, "YAML", "CommandLineArguments"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.7.0"),
    ],
    targets: [
        .target(name: "ActivityStreams"),
        .target(
            name: "HTTPSignatures",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ]),
        .target(name: "Domain", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "Core", dependencies: ["Domain", "ActivityStreams", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Storage",
            dependencies: [
                "Domain", "ActivityStreams",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .target(
            name: "Federation",
            dependencies: [
                "Core", "Domain", "ActivityStreams", "HTTPSignatures",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "API",
            dependencies: [
                "Core", "Domain", "ActivityStreams", "Federation", "HTTPSignatures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .target(
            name: "App",
            dependencies: [
                "ActivityStreams", "HTTPSignatures", "Domain", "Core", "Storage", "Federation", "API",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "kith",
            dependencies: [
                "App", "Core", "Domain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // scripts/bench's load side: simulated remote nodes, a client-API poster, the RSA ceiling.
        .executableTarget(
            name: "KithBench",
            dependencies: [
                "HTTPSignatures",
                "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        // Shared by the test targets: a fresh PostgreSQL database per suite.
        .target(
            name: "KithTestSupport",
            dependencies: [
                "Storage", "Domain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KithTestSupport"),
        // Kith's repositories in memory, for tests of one rule, handler or renderer at a time.
        .target(name: "InMemoryRepositories", dependencies: ["Domain", "ActivityStreams"], path: "Tests/InMemoryRepositories"),
        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "Domain", "ActivityStreams", "InMemoryRepositories"]),
        .testTarget(
            name: "HTTPSignaturesTests", dependencies: ["HTTPSignatures", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "ActivityStreamsTests",
            dependencies: ["ActivityStreams", "HTTPSignatures", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "FederationTests",
            dependencies: [
                "Federation", "Domain", "ActivityStreams", "HTTPSignatures", "InMemoryRepositories",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "Domain", "Core", "KithTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "API", "Storage", "Domain", "Core", "KithTestSupport", "ActivityStreams", "HTTPSignatures", "Federation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
