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

/// One setting, declared once: its key in the config file (the environment variable derives
/// from it), its command-line flag, its default as the README's table states it, the value
/// `config/kith.example.yaml` shows (nil: shown commented out), a line of help, and how its value
/// is checked and applied. ConfigTests fails when the example file or the README's table
/// disagree with these declarations.
public struct Setting: Sendable {
    public let key: String
    public let flag: String
    public let defaultText: String
    public let example: String?
    public let help: String
    let apply: @Sendable (Setting, ConfigLoader.Reader, inout KithConfig) throws -> Void

    public var environmentVariable: String {
        "KITH_" + key.replacingOccurrences(of: ".", with: "_").uppercased()
    }
    var components: [String] { key.split(separator: ".").map(String.init) }

    init(
        key: String, flag: String, defaultText: String, example: String?, help: String,
        apply: @escaping @Sendable (Setting, ConfigLoader.Reader, inout KithConfig) throws -> Void
    ) {
        self.key = key
        self.flag = flag
        self.defaultText = defaultText
        self.example = example
        self.help = help
        self.apply = apply
    }

    /// A setting read as true or false into `property`.
    init(
        key: String, flag: String, defaultText: String, example: String?, help: String, bool property: WritableKeyPath<KithConfig, Bool> & Sendable
    ) {
        self.init(key: key, flag: flag, defaultText: defaultText, example: example, help: help) { setting, reader, config in
            if let value = try reader.bool(setting) { config[keyPath: property] = value }
        }
    }

    /// A setting read as a whole number within `range` into `property`.
    init(
        key: String, flag: String, defaultText: String, example: String?, help: String,
        int property: WritableKeyPath<KithConfig, Int> & Sendable, in range: ClosedRange<Int>
    ) {
        self.init(key: key, flag: flag, defaultText: defaultText, example: example, help: help) { setting, reader, config in
            if let value = try reader.int(setting, range: range) { config[keyPath: property] = value }
        }
    }

    /// A setting read as one of `E`'s values into `property`.
    init<E: RawRepresentable & CaseIterable & Sendable>(
        key: String, flag: String, defaultText: String, example: String?, help: String,
        choice property: WritableKeyPath<KithConfig, E> & Sendable
    ) where E.RawValue == String {
        self.init(key: key, flag: flag, defaultText: defaultText, example: example, help: help) { setting, reader, config in
            if let value = try reader.enumeration(setting, E.self) { config[keyPath: property] = value }
        }
    }

    /// Every setting, in the order the README's table lists them.
    public static let all: [Setting] = [
        Setting(
            key: "public_url", flag: "public-url",
            defaultText:
                "not set: `http://localhost:<http.port>` (or `http://<http.host>:<http.port>` when the host is not loopback or `0.0.0.0`); the start-up log says which URL ids are made from",
            example: nil, help: "Public base URL; all ActivityPub ids derive from it."
        ) { setting, reader, config in
            guard let (value, origin) = try reader.string(setting) else { return }
            config.publicURL = try ConfigLoader.parsePublicURL(value, origin: origin)
            config.publicURLIsSet = true
        },
        Setting(key: "http.host", flag: "host", defaultText: "`127.0.0.1`", example: "127.0.0.1", help: "Address to listen on.") {
            setting, reader, config in
            guard let (value, origin) = try reader.string(setting) else { return }
            guard !value.isEmpty, !value.contains(" ") else { throw ConfigError(message: "\(origin): '\(value)' is not a host name or address") }
            config.host = value
        },
        Setting(
            key: "http.port", flag: "port", defaultText: "`8080`", example: "8080",
            help: "Port to listen on.", int: \.port, in: 1...65535
        ),
        Setting(
            key: "database.url", flag: "database-url", defaultText: "empty: embedded PostgreSQL", example: "\"\"",
            help: "PostgreSQL URL; without one Kith runs its own cluster in the data directory."
        ) { setting, reader, config in
            guard let (value, origin) = try reader.string(setting), !value.isEmpty else { return }
            do {
                _ = try DatabaseEndpoint(url: value)
            } catch {
                throw ConfigError(message: "\(origin): invalid database URL: \(error)")
            }
            config.databaseURL = value
        },
        Setting(
            key: "database.max_connections", flag: "database-max-connections", defaultText: "`20`", example: "20",
            help: "Database connection pool size.", int: \.databaseMaxConnections, in: 1...1000
        ),
        Setting(
            key: "database.migrations_dir", flag: "migrations-dir", defaultText: "found automatically", example: "\"\"",
            help: "Folder of NNNN_name.sql migrations."
        ) { setting, reader, config in
            if let (value, _) = try reader.string(setting), !value.isEmpty { config.migrationsDirectory = value }
        },
        Setting(key: "data_dir", flag: "data-dir", defaultText: "`data`", example: "data", help: "Data directory.") { setting, reader, config in
            guard let (value, origin) = try reader.string(setting) else { return }
            guard !value.isEmpty else { throw ConfigError(message: "\(origin): the data directory must not be empty") }
            config.dataDirectory = value
        },
        Setting(
            key: "log.level", flag: "log-level", defaultText: "`info`", example: "info",
            help: "Log level: trace, debug, info, notice, warning, error, critical.", choice: \.logLevel
        ),
        Setting(
            key: "federation.mode", flag: "federation-mode", defaultText: "`allowlist`", example: "allowlist",
            help: "Federation mode: allowlist or blocklist.", choice: \.federationMode
        ),
        Setting(
            key: "registration.mode", flag: "registration-mode", defaultText: "`closed`", example: "closed",
            help: "Registration mode: closed, invite, approval or open.", choice: \.registrationMode
        ),
        Setting(
            key: "metrics.token", flag: "metrics-token", defaultText: "empty: `/metrics` open", example: "\"\"",
            help: "Bearer token /metrics requires (prefer KITH_METRICS_TOKEN: flags show in ps)."
        ) { setting, reader, config in
            guard let (value, origin) = try reader.string(setting), !value.isEmpty else { return }
            guard value.count >= 16 else { throw ConfigError(message: "\(origin): the metrics token must be at least 16 characters") }
            config.metricsToken = value
        },
        Setting(
            key: "federation.allow_http", flag: "federation-allow-http", defaultText: "`false`: peers over https only", example: "false",
            help: "Allow plain-http peers: true or false (labs and tests only).", bool: \.federationAllowHTTP
        ),
        Setting(
            key: "federation.allow_private_addresses", flag: "federation-allow-private-addresses", defaultText: "`false`", example: "false",
            help: "Allow requests to private and loopback addresses: true or false.", bool: \.federationAllowPrivateAddresses
        ),
        Setting(
            key: "federation.delivery_max_attempts", flag: "delivery-max-attempts", defaultText: "`16` (about two days)", example: "16",
            help: "Attempts per delivery before it is dead (1-100).", int: \.deliveryMaxAttempts, in: 1...100
        ),
        Setting(
            key: "federation.delivery_concurrency_per_host", flag: "delivery-concurrency-per-host", defaultText: "`4`", example: "4",
            help: "Deliveries in flight to one host at once (1-64).", int: \.deliveryConcurrencyPerHost, in: 1...64
        ),
        Setting(
            key: "federation.authorized_fetch", flag: "federation-authorized-fetch", defaultText: "`true`: ActivityPub GETs must be signed by an allowed node", example: "true",
            help: "Require signed ActivityPub GETs from allowed nodes: true (default) or false.", bool: \.federationAuthorizedFetch
        ),
        Setting(
            key: "access.login_wall", flag: "login-wall", defaultText: "`true`: the API shows nothing to anonymous readers", example: "true",
            help: "Show nothing to anonymous API readers: true (default) or false.", bool: \.loginWall
        ),
        Setting(
            key: "cache.megabytes", flag: "cache-megabytes", defaultText: "`64`: rendered timeline and thread pages and tokens; `0` off", example: "64",
            help: "Memory (MB) for rendered pages and tokens; 0 turns caching off.", int: \.cacheMegabytes, in: 0...65536
        ),
    ]

    /// The setting with this key.
    public static func named(_ key: String) -> Setting? { all.first { $0.key == key } }
    /// The setting with this command-line flag (without the dashes).
    public static func flagged(_ flag: String) -> Setting? { all.first { $0.flag == flag } }
}

/// A bad setting stops start-up with a message naming the setting and where the value came from.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// Reads `KithConfig` from its sources through swift-configuration providers.
public struct ConfigLoader: Sendable {
    /// Values given as command-line flags, by setting key (`http.port`).
    public var flags: [String: String]
    public var environment: [String: String]
    /// An explicit config file (`--config` or `KITH_CONFIG`); it must exist. When nil,
    /// `defaultConfigFile` is read if present.
    public var configFile: String?
    public var defaultConfigFile: String

    public init(
        flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment,
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
        var describe: @Sendable (Setting) -> String
    }

    public func load() async throws -> KithConfig {
        var sources: [Source] = []
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags {
            guard let setting = Setting.named(key) else { throw ConfigError(message: "unknown setting \(key)") }
            flagValues[AbsoluteConfigKey(setting.components)] = ConfigValue(.string(value), isSecret: false)
        }
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
        for setting in Setting.all { try setting.apply(setting, reader, &config) }
        if !config.publicURLIsSet {
            config.publicURL = KithConfig.listeningURL(host: config.host, port: config.port)
        }
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

        func string(_ setting: Setting) throws -> (String, String)? {
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

        func int(_ setting: Setting, range: ClosedRange<Int>) throws -> Int? {
            guard let (text, origin) = try string(setting) else { return nil }
            guard let value = Int(text) else { throw ConfigError(message: "\(origin): '\(text)' is not a whole number") }
            guard range.contains(value) else {
                throw ConfigError(message: "\(origin): \(value) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return value
        }

        func bool(_ setting: Setting) throws -> Bool? {
            guard let (text, origin) = try string(setting) else { return nil }
            switch text.lowercased() {
            case "true", "yes", "1", "on": return true
            case "false", "no", "0", "off", "": return false
            default: throw ConfigError(message: "\(origin): '\(text)' is not true or false")
            }
        }

        func enumeration<E: RawRepresentable & CaseIterable>(_ setting: Setting, _ type: E.Type) throws -> E? where E.RawValue == String {
            guard let (text, origin) = try string(setting) else { return nil }
            guard let value = E(rawValue: text.lowercased()) else {
                let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigError(message: "\(origin): unknown value '\(text)' (expected one of: \(allowed))")
            }
            return value
        }
    }
}

