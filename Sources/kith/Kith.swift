import App
import ArgumentParser
import Core
import Domain
import Foundation
import Logging
import Synchronization

@main
struct Kith: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Kith: a federated ActivityPub server for enterprise social networks.",
        discussion: SettingFlags.help,
        subcommands: [Serve.self, Migrate.self, Accounts.self, FederationCommand.self, Audit.self, Version.self])

    /// Takes the settings' flags out of the arguments (every command accepts them), then runs
    /// the command.
    static func main() async {
        do {
            let (settings, rest) = try SettingFlags.extract(Array(CommandLine.arguments.dropFirst()))
            SettingFlags.given.withLock { $0 = settings }
            await main(rest)
        } catch {
            exit(withError: error)
        }
    }
}

/// The settings given as flags. Each setting's flag comes from its declaration (`Setting.all`);
/// any command takes them, as `--port 8080` or `--port=8080`.
enum SettingFlags {
    static let given = Mutex<[String: String]>([:])

    /// The settings' flags in `arguments` (by setting key), and the other arguments.
    static func extract(_ arguments: [String]) throws -> (settings: [String: String], rest: [String]) {
        var settings: [String: String] = [:]
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                rest += arguments[(index - 1)...]
                break
            }
            guard argument.hasPrefix("--") else {
                rest.append(argument)
                continue
            }
            let body = argument.dropFirst(2)
            let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            guard let setting = Setting.flagged(name) else {
                rest.append(argument)
                continue
            }
            if let equals = body.firstIndex(of: "=") {
                settings[setting.key] = String(body[body.index(after: equals)...])
            } else {
                guard index < arguments.count else { throw ValidationError("Missing value for '--\(name) <\(name)>'") }
                settings[setting.key] = arguments[index]
                index += 1
            }
        }
        return (settings, rest)
    }

    /// The settings' flags for `--help`.
    static var help: String {
        "Settings (any command; each beats its KITH_* variable and the config file):\n"
            + Setting.all.map { "  --\($0.flag) <value>\n        \($0.help) (\($0.environmentVariable))" }.joined(separator: "\n")
    }
}

/// Where every command reads its settings: the config file, `KITH_*` variables and the
/// settings' flags.
struct SettingsOptions: ParsableArguments {
    @Option(help: "Config file (YAML). Default: config/kith.yaml if present, or KITH_CONFIG.") var config: String?

    var flags: [String: String] { SettingFlags.given.withLock { $0 } }

    /// Loads the configuration and sets up logging; `quietLevel` caps chatter for CLI commands.
    func load(commandLogLevel: Logger.Level? = nil) async throws -> (KithConfig, Logger) {
        let configFile = self.config
        let config = try await CLIErrors.report { try await ConfigLoader(flags: flags, configFile: configFile).load() }
        let level = commandLogLevel.map { max($0, config.logLevel) } ?? config.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "kith")
        logger.logLevel = level
        return (config, logger)
    }
}

/// Prints a Kith or configuration error as one line and exits non-zero, instead of a stack of
/// type names.
enum CLIErrors {
    static func report<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as KithError {
            FileHandle.standardError.write(Data("kith: error: \(error.message)\n".utf8))
            throw ExitCode([.invalidInput, .conflict, .notFound].contains(error.kind) ? 65 : 1)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("kith: configuration error: \(error.message)\n".utf8))
            throw ExitCode(78)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the node until SIGTERM or SIGINT.", discussion: SettingFlags.help)
    @OptionGroup var settings: SettingsOptions

    func run() async throws {
        let (config, logger) = try await settings.load()
        try await CLIErrors.report { try await KithNode.serve(config: config, logger: logger) }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and print them.")
    @OptionGroup var settings: SettingsOptions

    func run() async throws {
        let (config, logger) = try await settings.load(commandLogLevel: .warning)
        let applied = try await CLIErrors.report {
            try await KithNode.withRunningDatabase(config: config, logger: logger) { _, applied in applied }
        }
        if applied.isEmpty {
            print("Database is up to date.")
        }
        for file in applied { print("Applied \(file.fileName)") }
    }
}

struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage local accounts.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a local account; prints a generated password once.")
        @Option(help: "Letters, digits and underscore, up to 30 characters.") var username: String
        @Option(help: "The account's email address.") var email: String
        @Option(help: "admin, moderator or user.") var role: String = "user"
        @Flag(help: "Read the password from the first line of standard input instead of generating one.") var passwordStdin = false
        @OptionGroup var settings: SettingsOptions

        func validate() throws {
            guard ["admin", "moderator", "user"].contains(role) else {
                throw ValidationError("--role must be admin, moderator or user")
            }
        }

        func run() async throws {
            let (config, logger) = try await settings.load(commandLogLevel: .warning)
            let password = passwordStdin ? readLine(strippingNewline: true) : nil
            if passwordStdin && password == nil { throw ValidationError("--password-stdin given but standard input is empty") }
            let (username, email, role) = (self.username, self.email, Role(rawValue: self.role)!)
            let created = try await CLIErrors.report {
                try await KithNode.withRunningDatabase(config: config, logger: logger) { database, _ in
                    try await KithNode.accountService(database: database, config: config, logger: logger)
                        .createLocal(username: username, email: email, role: role, password: password)
                }
            }
            print("Created \(created.account.role.rawValue) account \(created.account.username) (\(created.account.uri))")
            if let generated = created.generatedPassword {
                print("Password: \(generated)")
                print("It is shown only this once.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List local accounts.")
        @Flag(help: "Print only the number of local accounts.") var count = false
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            let (config, logger) = try await settings.load(commandLogLevel: .warning)
            let wantCount = count
            let (total, accounts) = try await CLIErrors.report {
                try await KithNode.withRunningDatabase(config: config, logger: logger) { database, _ in
                    let repository = KithNode.accountRepository(database: database, logger: logger)
                    return (try await repository.countLocal(), wantCount ? [] : try await repository.listLocal(limit: 10_000))
                }
            }
            if wantCount {
                print(total)
                return
            }
            let formatter = ISO8601DateFormatter()
            print(["ID", "USERNAME", "EMAIL", "ROLE", "CREATED"].joined(separator: "\t"))
            for account in accounts {
                print([String(account.id), account.username, account.email ?? "", account.role.rawValue, formatter.string(from: account.createdAt)]
                    .joined(separator: "\t"))
            }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the audit log (every admin and moderator action), newest first. Entries cannot be changed or removed.")
    @Option(help: "Only this action, or a family of them (domain_block, account.suspend, …).") var action: String?
    @Option(help: "Only actions by this actor (a username, or cli:<system user>).") var actor: String?
    @Option(help: "Only entries from this time on (ISO 8601, e.g. 2026-11-01T00:00:00Z).") var since: String?
    @Option(help: "How many to show.") var limit: Int = 50
    @Flag(help: "Print the state before and after too.") var details = false
    @OptionGroup var settings: SettingsOptions
    func run() async throws {
        var since: Date?
        if let raw = self.since {
            guard let date = ISO8601DateFormatter().date(from: raw) else { throw ValidationError("--since must be an ISO 8601 time") }
            since = date
        }
        let filter = AuditFilter(actorLabel: actor, action: action, since: since)
        let limit = self.limit
        let entries = try await FederationCLI.admin(settings: settings) { admin, _ in
            try await admin.auditLog(filter, page: PageRequest(limit: limit))
        }
        let formatter = ISO8601DateFormatter()
        print(["ID", "TIME", "ACTOR", "ADDRESS", "ACTION", "TARGET"].joined(separator: "\t"))
        for entry in entries {
            let record = entry.record
            print(
                [String(entry.id), formatter.string(from: entry.createdAt), record.actor.label, record.actor.address ?? "-", record.action,
                    "\(record.targetType):\(record.targetID)"].joined(separator: "\t"))
            if details {
                print("  before: \(record.before ?? "-")")
                print("  after:  \(record.after ?? "-")")
            }
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Kith's version.")
    func run() { print("kith \(KithVersion.current)") }
}

struct FederationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation", abstract: "Federation with other nodes: policy, resolution, deliveries.",
        subcommands: [Allow.self, Block.self, Unallow.self, Unblock.self, List.self, Resolve.self, Deliveries.self, Retry.self, Sign.self])

    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow a node (domain, with :port if not the default) to federate.")
        @Argument(help: "The node's domain, e.g. social.sister.example.") var domain: String
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let allow = try await FederationCLI.admin(settings: settings) { try await $0.allow(domain, by: $1) }
            print("Allowed \(allow.domain)")
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Block a node. suspend (the default): nothing is accepted from or sent to it, and what is stored of it is removed; silence: its posts stay out of public timelines.")
        @Argument(help: "The node's domain.") var domain: String
        @Option(help: "suspend, silence or noop.") var severity: String = "suspend"
        @Flag(help: "Refuse its media.") var rejectMedia = false
        @Flag(help: "Ignore reports from it.") var rejectReports = false
        @Option(help: "A note for this node's admins.") var privateComment: String?
        @Option(help: "A note shown with the list of blocked nodes.") var publicComment: String?
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            guard let severity = BlockSeverity(rawValue: severity) else {
                throw ValidationError("--severity must be suspend, silence or noop")
            }
            let block = try await FederationCLI.admin(settings: settings) {
                try await $0.block(
                    DomainBlock(
                        domain: domain, severity: severity, rejectMedia: rejectMedia, rejectReports: rejectReports, privateComment: privateComment,
                        publicComment: publicComment), by: $1)
            }
            print("Blocked \(block.domain) (\(block.severity.rawValue))")
        }
    }

    struct Unallow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a node from the allow list.")
        @Argument(help: "The node's domain.") var domain: String
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let allow = try await FederationCLI.admin(settings: settings) { try await $0.removeAllow(domain: domain, by: $1) }
            print("No longer allowed: \(allow.domain)")
        }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a node from the block list.")
        @Argument(help: "The node's domain.") var domain: String
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let block = try await FederationCLI.admin(settings: settings) { try await $0.removeBlock(domain: domain, by: $1) }
            print("No longer blocked: \(block.domain)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the federation mode and the allowed and blocked nodes.")
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let (config, logger) = try await settings.load(commandLogLevel: .warning)
            let (allowed, blocked) = try await CLIErrors.report {
                try await FederationCLI.admin(config: config, logger: logger) { admin, _ in
                    (try await admin.allowedNodes(), try await admin.blockedNodes())
                }
            }
            print("mode: \(config.federationMode.rawValue)")
            for allow in allowed { print("allow\t\(allow.domain)") }
            for block in blocked {
                print("block\t\(block.domain)\t\(block.severity.rawValue)" + (block.privateComment.map { "\t\($0)" } ?? ""))
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fetch an actor (user@domain or URL) or a post (URL) and print what Kith sees.")
        @Argument(help: "user@domain, or an actor's or post's URL.") var reference: String
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let (config, logger) = try await settings.load(commandLogLevel: .warning)
            let reference = self.reference
            let output = try await CLIErrors.report {
                try await KithNode.withRunningDatabase(config: config, logger: logger) { database, _ in
                    try await FederationCLI.resolve(reference, database: database, config: config, logger: logger)
                }
            }
            print(output)
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first (pending and dead by default).")
        @Flag(help: "Only deliveries that gave up (dead), with their last error.") var dead = false
        @Flag(help: "Every state, delivered ones too.") var all = false
        @Option(help: "How many to show.") var limit: Int = 50
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let which: DeliveryListing = dead ? .dead : all ? .all : .undelivered
            let limit = self.limit
            let rows = try await FederationCLI.admin(settings: settings) { admin, _ in try await admin.deliveries(which, limit: limit) }
            let formatter = ISO8601DateFormatter()
            print(["ID", "STATE", "ATTEMPTS", "NEXT", "STATUS", "INBOX", "ACTIVITY", "ERROR"].joined(separator: "\t"))
            for row in rows {
                print(
                    [String(row.id), row.state.rawValue, String(row.attempts), formatter.string(from: row.nextAttemptAt),
                        row.lastStatus.map(String.init) ?? "-", row.inboxURI, row.activityURI, row.lastError ?? ""].joined(separator: "\t"))
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a pending or dead delivery due now.")
        @Argument(help: "The delivery's id (from 'kith federation deliveries').") var id: Int64
        @OptionGroup var settings: SettingsOptions
        func run() async throws {
            let id = self.id
            _ = try await FederationCLI.admin(settings: settings) { try await $0.retryDelivery(id: id, by: $1) }
            print("Delivery \(id) will be attempted again now.")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an HTTP request as Kith's delivery does and print it as JSON (to check a peer's verifier).")
        @Option(help: "File with the PEM private key (RSA or Ed25519).") var privateKey: String
        @Option(help: "The key's URL, e.g. https://node.example/users/alice#main-key.") var keyId: String
        @Option(help: "HTTP method.") var method: String = "POST"
        @Option(help: "The full URL the request goes to.") var url: String
        @Option(help: "File whose bytes are the body (default: no body).") var bodyFile: String?
        @Option(name: .customLong("header"), help: "Extra header 'Name: value' (repeatable).") var headers: [String] = []
        @Option(help: "cavage (draft-cavage-12, what Mastodon sends) or rfc9421.") var format: String = "cavage"
        @Option(help: "rsa-v1_5-sha256, rsa-pss-sha512 or ed25519 (default: by key type).") var algorithm: String?

        func run() async throws {
            guard let format = RequestSigningTool.Format(rawValue: format) else {
                throw ValidationError("--format must be cavage or rfc9421")
            }
            let pem: String
            let body: String
            do {
                pem = try String(contentsOfFile: privateKey, encoding: .utf8)
                body = try bodyFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            } catch {
                throw ValidationError("cannot read \(error.localizedDescription)")
            }
            let (keyId, method, url, headers, algorithm) = (self.keyId, self.method, self.url, self.headers, self.algorithm)
            let output = try await CLIErrors.report {
                try RequestSigningTool.sign(
                    privateKeyPEM: pem, keyId: keyId, method: method, url: url, body: body, headers: headers, format: format,
                    algorithm: algorithm)
            }
            print(output)
        }
    }
}

extension FederationCLI {
    /// Runs `body` with the admin service, as the person at the command line; errors are
    /// reported as the other commands report them.
    static func admin<T: Sendable>(
        settings: SettingsOptions, _ body: @Sendable @escaping (AdminService, AuditActor) async throws -> T
    ) async throws -> T {
        let (config, logger) = try await settings.load(commandLogLevel: .warning)
        return try await CLIErrors.report { try await FederationCLI.admin(config: config, logger: logger, body) }
    }
}
