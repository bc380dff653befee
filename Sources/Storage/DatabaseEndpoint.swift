import Domain
import Foundation
import NIOSSL
import PostgresNIO

/// Where and how to reach PostgreSQL, parsed from a libpq-style URL:
/// `postgres://user:password@host:5432/dbname?sslmode=disable` or, for a Unix socket,
/// `postgres://user@/dbname?host=/path/to/socket/dir` (libpq's `host=` convention).
public struct DatabaseEndpoint: Sendable, Equatable {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The full path of the socket file (`<dir>/.s.PGSQL.<port>`).
        case unixSocket(path: String)
    }

    public enum TLSMode: String, Sendable, Equatable { case disable, prefer, require }

    public var address: Address
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(address: Address, username: String, password: String? = nil, database: String, tls: TLSMode = .disable) {
        self.address = address
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses a database URL. Errors say what is wrong without echoing the password.
    public init(url: String) throws(KithError) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw KithError(.invalidInput, "not a PostgreSQL URL (expected postgres://user:password@host:port/dbname)")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        guard (1...65535).contains(port) else {
            throw KithError(.invalidInput, "port \(port) is out of range 1-65535")
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"]
        let address: Address
        if let host, host.hasPrefix("/") {
            address = .unixSocket(path: "\(host)/.s.PGSQL.\(port)")
        } else if let host {
            address = .tcp(host: host, port: port)
        } else {
            throw KithError(.invalidInput, "no host given (use postgres://user@host/db, or ?host=/socket/dir for a Unix socket)")
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard let user = components.user, !user.isEmpty else {
            throw KithError(.invalidInput, "no user given (postgres://USER@host/db)")
        }
        let tls: TLSMode
        switch query["sslmode"] ?? "prefer" {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        case let other: throw KithError(.invalidInput, "unknown sslmode '\(other)' (use disable, prefer or require)")
        }
        let isLoopbackOrSocket: Bool
        switch address {
        case .unixSocket: isLoopbackOrSocket = true
        case .tcp(let host, _): isLoopbackOrSocket = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        }
        self.init(
            address: address, username: user, password: components.password,
            database: database.isEmpty ? user : database,
            // TLS to a socket or loopback adds cost and no protection; libpq's `prefer` would try it.
            tls: (query["sslmode"] == nil && isLoopbackOrSocket) ? .disable : tls)
    }

    /// The same server, another database (tests give each suite its own).
    public func with(database: String) -> DatabaseEndpoint {
        var copy = self
        copy.database = database
        return copy
    }

    /// A description safe for logs and errors: no password.
    public var redacted: String {
        switch address {
        case .tcp(let host, let port): "postgres://\(username)@\(host):\(port)/\(database)"
        case .unixSocket(let path): "postgres://\(username)@/\(database)?socket=\(path)"
        }
    }

    func clientConfiguration(maxConnections: Int) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch address {
        case .tcp(let host, let port):
            let tlsConfig: PostgresClient.Configuration.TLS
            switch tls {
            case .disable: tlsConfig = .disable
            case .prefer: tlsConfig = .prefer(.makeClientConfiguration())
            case .require: tlsConfig = .require(.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tlsConfig)
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: username, password: password, database: database)
        }
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(5)
        // The hot statements are prepared once per connection; left to itself PostgreSQL
        // plans them again at every execution (a custom plan cost a home page 0.5 of its
        // 1.4 ms in the database). Their generic plans were measured as fast or faster.
        // A generic plan knows no LIMIT, so its estimated cost passes JIT's threshold: at 10^6
        // posts JIT compiled a public timeline page's 0.2 ms query for 265 ms, every time. A
        // parallel plan's workers cost 8 ms to start for a page read in under one. Neither
        // pays for itself on statements of a few milliseconds: both are off.
        configuration.options.additionalStartupParameters = [
            ("plan_cache_mode", "force_generic_plan"), ("jit", "off"), ("max_parallel_workers_per_gather", "0"),
        ]
        return configuration
    }
}
