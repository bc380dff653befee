import Configuration
import Domain
import Federation
import Foundation
import Logging
import Storage

/// The node's settings, resolved from (lowest to highest precedence) built-in defaults, the
/// config file, `KITH_*` environment variables and command-line flags.
/// `config/kith.example.yaml` documents each one.
public struct KithConfig: Sendable, Equatable {
    /// The public base URL, without trailing slash; every ActivityPub id derives from it.
    /// When no source sets it, it follows the address the node listens on (see `listeningURL`).
    public var publicURL: String
    /// Whether a source (file, environment, flag) set `publicURL`, rather than its following
    /// the listening host and port.
    public var publicURLIsSet = false
    public var host: String
    public var port: Int
    /// nil: run the embedded PostgreSQL under `dataDirectory`.
    public var databaseURL: String?
    public var databaseMaxConnections: Int
    /// nil: look for `migrations/` in the usual places (see `MigrationsLocator`).
    public var migrationsDirectory: String?
    public var dataDirectory: String
    public var logLevel: Logger.Level
    public var federationMode: FederationMode
    public var registrationMode: RegistrationMode
    /// When set, `/metrics` requires it as a bearer token.
    public var metricsToken: String?
    /// Plain-http peers allowed (labs and tests).
    public var federationAllowHTTP: Bool = false
    /// Outgoing requests to private and loopback addresses allowed.
    public var federationAllowPrivateAddresses: Bool = false
    /// Every ActivityPub GET must be signed by a node this one federates with (Mastodon's
    /// secure mode); actors alone are served, in a minimal form, to unsigned requests.
    public var federationAuthorizedFetch: Bool = true
    /// The Mastodon API shows nothing to anonymous readers but the instance; off, public posts,
    /// accounts and the public timelines are readable without signing in.
    public var loginWall: Bool = true
    public var deliveryMaxAttempts: Int = 16
    public var deliveryConcurrencyPerHost: Int = 4
    /// Memory for rendered timeline and thread pages and signed-in tokens, kept while what they were
    /// built from is unchanged; 0 turns caching (and following the database's changes) off.
    public var cacheMegabytes: Int = 64
    /// The config file that was read, if any.
    public var configFile: String?

    public init(
        publicURL: String = "http://localhost:8080", host: String = "127.0.0.1", port: Int = 8080,
        databaseURL: String? = nil, databaseMaxConnections: Int = 20, migrationsDirectory: String? = nil,
        dataDirectory: String = "data", logLevel: Logger.Level = .info, federationMode: FederationMode = .allowlist,
        registrationMode: RegistrationMode = .closed, metricsToken: String? = nil, configFile: String? = nil
    ) {
        self.publicURL = publicURL
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.databaseMaxConnections = databaseMaxConnections
        self.migrationsDirectory = migrationsDirectory
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.federationMode = federationMode
        self.registrationMode = registrationMode
        self.metricsToken = metricsToken
        self.configFile = configFile
    }

    /// The URL a node without `public_url` makes its ids from: plain http on the port it
    /// listens on, at `localhost` when it listens on loopback or every interface, else at its
    /// listening host. (So `kith serve --port 18200` hands out `http://localhost:18200/users/…`.)
    public static func listeningURL(host: String, port: Int) -> String {
        let name: String
        switch host.lowercased() {
        case "127.0.0.1", "::1", "0.0.0.0", "::", "localhost": name = "localhost"
        default: name = host.contains(":") ? "[\(host.lowercased())]" : host.lowercased()
        }
        return "http://\(name):\(port)"
    }

    public var nodeIdentity: NodeIdentity { NodeIdentity(baseURL: publicURL, domain: domain) }

    public var federationSettings: FederationSettings {
        var settings = FederationSettings(
            allowHTTP: federationAllowHTTP, allowPrivateAddresses: federationAllowPrivateAddresses, deliveryMaxAttempts: deliveryMaxAttempts,
            deliveryConcurrencyPerHost: deliveryConcurrencyPerHost)
        // The embedded database is owned by one `kith serve` at a time.
        settings.ownsQueues = databaseURL == nil
        return settings
    }

    /// The public URL's host (and port if not the scheme's default): the node's domain.
    public var domain: String {
        guard let url = URLComponents(string: publicURL), let host = url.host else { return publicURL }
        return url.port.map { "\(host):\($0)" } ?? host
    }
}

/// One setting: its key in the config file, its environment variable and flag come from it.
public struct SettingKey: Sendable, Hashable {
    public let key: String
    public let flag: String
    public var environmentVariable: String {
        "KITH_" + key.replacingOccurrences(of: ".", with: "_").uppercased()
    }
    var components: [String] { key.split(separator: ".").map(String.init) }

    public static let publicURL = SettingKey(key: "public_url", flag: "public-url")
    public static let host = SettingKey(key: "http.host", flag: "host")
    public static let port = SettingKey(key: "http.port", flag: "port")
    public static let databaseURL = SettingKey(key: "database.url", flag: "database-url")
    public static let databaseMaxConnections = SettingKey(key: "database.max_connections", flag: "database-max-connections")
    public static let migrationsDirectory = SettingKey(key: "database.migrations_dir", flag: "migrations-dir")
    public static let dataDirectory = SettingKey(key: "data_dir", flag: "data-dir")
    public static let logLevel = SettingKey(key: "log.level", flag: "log-level")
    public static let federationMode = SettingKey(key: "federation.mode", flag: "federation-mode")
    public static let registrationMode = SettingKey(key: "registration.mode", flag: "registration-mode")
    public static let metricsToken = SettingKey(key: "metrics.token", flag: "metrics-token")
    public static let federationAllowHTTP = SettingKey(key: "federation.allow_http", flag: "federation-allow-http")
    public static let federationAllowPrivateAddresses = SettingKey(
        key: "federation.allow_private_addresses", flag: "federation-allow-private-addresses")
    public static let federationAuthorizedFetch = SettingKey(key: "federation.authorized_fetch", flag: "federation-authorized-fetch")
    public static let loginWall = SettingKey(key: "access.login_wall", flag: "login-wall")
    public static let deliveryMaxAttempts = SettingKey(key: "federation.delivery_max_attempts", flag: "delivery-max-attempts")
    public static let deliveryConcurrencyPerHost = SettingKey(key: "federation.delivery_concurrency_per_host", flag: "delivery-concurrency-per-host")
    public static let cacheMegabytes = SettingKey(key: "cache.megabytes", flag: "cache-megabytes")

    public static let all: [SettingKey] = [
        .publicURL, .host, .port, .databaseURL, .databaseMaxConnections, .migrationsDirectory, .dataDirectory,
        .logLevel, .federationMode, .registrationMode, .metricsToken, .federationAllowHTTP, .federationAllowPrivateAddresses,
        .deliveryMaxAttempts, .deliveryConcurrencyPerHost, .federationAuthorizedFetch, .loginWall, .cacheMegabytes,
    ]
}

/// A bad setting stops start-up with a message naming the setting and where the value came from.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// Reads `KithConfig` from its sources through swift-configuration providers.
public struct ConfigLoader: Sendable {
    /// Values given as command-line flags, keyed by setting.
    public var flags: [SettingKey: String]
    public var environment: [String: String]
    /// An explicit config file (`--config` or `KITH_CONFIG`); it must exist. When nil,
    /// `defaultConfigFile` is read if present.
    public var configFile: String?
    public var defaultConfigFile: String

    public init(
        flags: [SettingKey: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile: String? = nil, defaultConfigFile: String = "config/kith.yaml"
    ) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
        self.defaultConfigFile = defaultConfigFile
    }

    /// A provider plus how to name, in an error message, where a value came from.
    struct Source {
        var provider: any ConfigProvider
        var describe: @Sendable (SettingKey) -> String
    }

    public func load() async throws -> KithConfig {
        var sources: [Source] = []
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (setting, value) in flags { flagValues[AbsoluteConfigKey(setting.components)] = ConfigValue(.string(value), isSecret: false) }
        sources.append(Source(provider: InMemoryProvider(name: "command-line flags", values: flagValues)) { "command-line flag --\($0.flag)" })
        sources.append(
            Source(provider: EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "kith")) {
                "environment variable \($0.environmentVariable)"
            })

        let explicitFile = configFile ?? environment["KITH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let filePath = explicitFile ?? defaultConfigFile
        var loadedFile: String?
        if FileManager.default.fileExists(atPath: filePath) {
            do {
                let provider = try await FileProvider<YAMLSnapshot>(filePath: .init(filePath))
                sources.append(Source(provider: provider) { "\($0.key) in config file \(filePath)" })
                loadedFile = filePath
            } catch {
                throw ConfigError(message: "config file \(filePath) is not valid YAML: \(error)")
            }
        } else if explicitFile != nil {
            let origin = configFile != nil ? "--config" : "KITH_CONFIG"
            throw ConfigError(message: "config file \(filePath) (from \(origin)) does not exist")
        }

        let reader = Reader(sources: sources)
        var config = KithConfig()
        config.configFile = loadedFile
        if let (value, origin) = try reader.string(.publicURL) {
            config.publicURL = try Self.parsePublicURL(value, origin: origin)
            config.publicURLIsSet = true
        }
        if let (value, origin) = try reader.string(.host) {
            guard !value.isEmpty, !value.contains(" ") else { throw ConfigError(message: "\(origin): '\(value)' is not a host name or address") }
            config.host = value
        }
        if let port = try reader.int(.port, range: 1...65535) { config.port = port }
        if config.publicURLIsSet == false {
            config.publicURL = KithConfig.listeningURL(host: config.host, port: config.port)
        }
        if let (value, origin) = try reader.string(.databaseURL), !value.isEmpty {
            do {
                _ = try DatabaseEndpoint(url: value)
            } catch {
                throw ConfigError(message: "\(origin): invalid database URL: \(error)")
            }
            config.databaseURL = value
        }
        if let count = try reader.int(.databaseMaxConnections, range: 1...1000) { config.databaseMaxConnections = count }
        if let (value, _) = try reader.string(.migrationsDirectory), !value.isEmpty { config.migrationsDirectory = value }
        if let (value, origin) = try reader.string(.dataDirectory) {
            guard !value.isEmpty else { throw ConfigError(message: "\(origin): the data directory must not be empty") }
            config.dataDirectory = value
        }
        if let level = try reader.enumeration(.logLevel, Logger.Level.self) { config.logLevel = level }
        if let mode = try reader.enumeration(.federationMode, FederationMode.self) { config.federationMode = mode }
        if let mode = try reader.enumeration(.registrationMode, RegistrationMode.self) { config.registrationMode = mode }
        if let (value, origin) = try reader.string(.metricsToken), !value.isEmpty {
            guard value.count >= 16 else { throw ConfigError(message: "\(origin): the metrics token must be at least 16 characters") }
            config.metricsToken = value
        }
        if let value = try reader.bool(.federationAllowHTTP) { config.federationAllowHTTP = value }
        if let value = try reader.bool(.federationAllowPrivateAddresses) { config.federationAllowPrivateAddresses = value }
        if let value = try reader.bool(.federationAuthorizedFetch) { config.federationAuthorizedFetch = value }
        if let value = try reader.bool(.loginWall) { config.loginWall = value }
        if let value = try reader.int(.deliveryMaxAttempts, range: 1...100) { config.deliveryMaxAttempts = value }
        if let value = try reader.int(.deliveryConcurrencyPerHost, range: 1...64) { config.deliveryConcurrencyPerHost = value }
        if let value = try reader.int(.cacheMegabytes, range: 0...65536) { config.cacheMegabytes = value }
        return config
    }

    static func parsePublicURL(_ value: String, origin: String) throws -> String {
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil,
            url.path.isEmpty || url.path == "/"
        else {
            throw ConfigError(
                message: "\(origin): '\(value)' is not a valid public URL (expected http(s)://host[:port], no path, e.g. https://social.example.com)")
        }
        var normalized = "\(scheme)://\(host.lowercased())"
        if let port = url.port { normalized += ":\(port)" }
        return normalized
    }

    /// Looks a setting up in each source in turn; the first that has it wins.
    struct Reader {
        var sources: [Source]

        func string(_ setting: SettingKey) throws -> (String, String)? {
            let key = AbsoluteConfigKey(setting.components)
            for source in sources {
                let result: LookupResult
                do {
                    result = try source.provider.value(forKey: key, type: .string)
                } catch {
                    throw ConfigError(message: "\(source.describe(setting)): \(error)")
                }
                if let value = result.value, case .string(let text) = value.content {
                    return (text.trimmingCharacters(in: .whitespaces), source.describe(setting))
                }
            }
            return nil
        }

        func int(_ setting: SettingKey, range: ClosedRange<Int>) throws -> Int? {
            guard let (text, origin) = try string(setting) else { return nil }
            guard let value = Int(text) else { throw ConfigError(message: "\(origin): '\(text)' is not a whole number") }
            guard range.contains(value) else {
                throw ConfigError(message: "\(origin): \(value) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return value
        }

        func bool(_ setting: SettingKey) throws -> Bool? {
            guard let (text, origin) = try string(setting) else { return nil }
            switch text.lowercased() {
            case "true", "yes", "1", "on": return true
            case "false", "no", "0", "off", "": return false
            default: throw ConfigError(message: "\(origin): '\(text)' is not true or false")
            }
        }

        func enumeration<E: RawRepresentable & CaseIterable>(_ setting: SettingKey, _ type: E.Type) throws -> E? where E.RawValue == String {
            guard let (text, origin) = try string(setting) else { return nil }
            guard let value = E(rawValue: text.lowercased()) else {
                let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigError(message: "\(origin): unknown value '\(text)' (expected one of: \(allowed))")
            }
            return value
        }
    }
}

