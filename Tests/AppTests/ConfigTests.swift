import App
import Domain
import Foundation
import KithTestSupport
import Testing

@Suite struct ConfigTests {
    func writeFile(_ yaml: String) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory("kith-cfg")
        let path = dir.path + "/kith.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    @Test func defaultsAreClosedAndLocal() async throws {
        let config = try await ConfigLoader(environment: [:], defaultConfigFile: "/nonexistent/kith.yaml").load()
        #expect(config == KithConfig())
        #expect(config.federationMode == .allowlist)
        #expect(config.registrationMode == .closed)
        #expect(config.databaseURL == nil)
        #expect(config.publicURL == "http://localhost:8080")
        #expect(config.configFile == nil)
    }

    @Test func withoutAPublicURLIdsFollowTheListeningAddress() async throws {
        // As `scripts/run --port 18200` on a fresh clone: ids on the port the node listens on.
        let onPort = try await ConfigLoader(flags: ["http.port": "18200"], environment: [:], defaultConfigFile: "/nonexistent/kith.yaml").load()
        #expect(onPort.publicURL == "http://localhost:18200")
        #expect(onPort.domain == "localhost:18200")
        #expect(!onPort.publicURLIsSet)
        let fromEnvironment = try await ConfigLoader(
            environment: ["KITH_HTTP_PORT": "9300", "KITH_HTTP_HOST": "10.1.2.3"], defaultConfigFile: "/nonexistent/kith.yaml"
        ).load()
        #expect(fromEnvironment.publicURL == "http://10.1.2.3:9300")
        #expect(KithConfig.listeningURL(host: "0.0.0.0", port: 80) == "http://localhost:80")
        #expect(KithConfig.listeningURL(host: "fd00::1", port: 8080) == "http://[fd00::1]:8080")
        // Set, it wins whatever the port.
        let set = try await ConfigLoader(
            flags: ["http.port": "18200", "public_url": "https://social.example.com"], environment: [:], defaultConfigFile: "/nonexistent/kith.yaml"
        ).load()
        #expect(set.publicURL == "https://social.example.com")
        #expect(set.publicURLIsSet)
    }

    @Test func fileThenEnvironmentThenFlags() async throws {
        let (dir, path) = try writeFile(
            """
            public_url: https://social.example.com/
            http:
              host: 0.0.0.0
              port: 9000
            data_dir: /var/lib/kith
            log:
              level: debug
            federation:
              mode: blocklist
            registration:
              mode: invite
            """)
        defer { dir.remove() }

        let fromFile = try await ConfigLoader(environment: [:], configFile: path).load()
        #expect(fromFile.publicURL == "https://social.example.com")
        #expect(fromFile.domain == "social.example.com")
        #expect(fromFile.host == "0.0.0.0")
        #expect(fromFile.port == 9000)
        #expect(fromFile.dataDirectory == "/var/lib/kith")
        #expect(fromFile.logLevel == .debug)
        #expect(fromFile.federationMode == .blocklist)
        #expect(fromFile.registrationMode == .invite)
        #expect(fromFile.configFile == path)

        let env = ["KITH_HTTP_PORT": "9100", "KITH_LOG_LEVEL": "warning", "KITH_CONFIG": path]
        let fromEnv = try await ConfigLoader(environment: env).load()
        #expect(fromEnv.port == 9100)  // environment beats file
        #expect(fromEnv.logLevel == .warning)
        #expect(fromEnv.host == "0.0.0.0")  // file still supplies the rest

        let fromFlags = try await ConfigLoader(flags: ["http.port": "9200", "federation.mode": "allowlist"], environment: env).load()
        #expect(fromFlags.port == 9200)  // flag beats environment
        #expect(fromFlags.federationMode == .allowlist)  // flag beats file
        #expect(fromFlags.logLevel == .warning)
    }

    @Test func badPortFromEnvironmentNamesTheVariable() async throws {
        await expectConfigError(ConfigLoader(environment: ["KITH_HTTP_PORT": "70000"]), contains: ["KITH_HTTP_PORT", "out of range"])
        await expectConfigError(ConfigLoader(environment: ["KITH_HTTP_PORT": "eighty"]), contains: ["KITH_HTTP_PORT", "not a whole number"])
    }

    @Test func badURLInFileNamesTheFileAndSetting() async throws {
        let (dir, path) = try writeFile("public_url: not a url\n")
        defer { dir.remove() }
        await expectConfigError(ConfigLoader(environment: [:], configFile: path), contains: ["public_url", path, "not a valid public URL"])
        let (dir2, path2) = try writeFile("public_url: https://example.com/some/path\n")
        defer { dir2.remove() }
        await expectConfigError(ConfigLoader(environment: [:], configFile: path2), contains: ["public_url", path2])
    }

    @Test func unknownEnumFromFlagNamesTheFlagAndChoices() async throws {
        await expectConfigError(
            ConfigLoader(flags: ["federation.mode": "open"], environment: [:]),
            contains: ["--federation-mode", "'open'", "allowlist, blocklist"])
        await expectConfigError(
            ConfigLoader(environment: ["KITH_REGISTRATION_MODE": "everyone"]), contains: ["KITH_REGISTRATION_MODE", "closed, invite, approval, open"])
        await expectConfigError(ConfigLoader(flags: ["log.level": "loud"], environment: [:]), contains: ["--log-level"])
    }

    @Test func metricsTokenMustBeLongEnough() async throws {
        await expectConfigError(ConfigLoader(environment: ["KITH_METRICS_TOKEN": "short"]), contains: ["KITH_METRICS_TOKEN", "16 characters"])
        let config = try await ConfigLoader(environment: ["KITH_METRICS_TOKEN": "a-long-enough-token"], defaultConfigFile: "/nonexistent").load()
        #expect(config.metricsToken == "a-long-enough-token")
    }

    @Test func badDatabaseURLIsRefused() async throws {
        await expectConfigError(ConfigLoader(environment: ["KITH_DATABASE_URL": "mysql://x@y/z"]), contains: ["KITH_DATABASE_URL", "invalid database URL"])
    }

    @Test func missingOrBrokenConfigFile() async throws {
        await expectConfigError(ConfigLoader(environment: [:], configFile: "/nonexistent/kith.yaml"), contains: ["/nonexistent/kith.yaml", "does not exist"])
        let (dir, path) = try writeFile("http: [unclosed\n")
        defer { dir.remove() }
        await expectConfigError(ConfigLoader(environment: [:], configFile: path), contains: [path])
    }

    @Test func exampleConfigFileLoadsAndMatchesTheDefaults() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/kith.example.yaml").standardizedFileURL.path
        let config = try await ConfigLoader(environment: [:], configFile: example).load()
        var expected = KithConfig()
        expected.configFile = example
        #expect(config == expected)
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    /// Each line of the example file that sets a key (`  port: 8080`, or `# public_url: …`
    /// commented out), by its full key, with its value and the comment block above it.
    static func exampleKeys() throws -> [String: (value: String, commentedOut: Bool, comment: String)] {
        let text = try String(contentsOf: root.appendingPathComponent("config/kith.example.yaml"), encoding: .utf8)
        var keys: [String: (String, Bool, String)] = [:]
        var sections: [String] = []
        var comment: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let indent = line.prefix { $0 == " " }.count / 2
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                comment = []
                continue
            }
            var body = trimmed
            var commentedOut = false
            if trimmed.hasPrefix("#") {
                body = String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)
                // A commented-out setting is `# key: value`: a lower-case key, a value without spaces.
                guard let colon = body.firstIndex(of: ":"), !body[..<colon].isEmpty,
                    body[..<colon].allSatisfy({ $0.isLowercase || $0 == "_" }),
                    !body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces).contains(" ")
                else {
                    comment.append(body)
                    continue
                }
                commentedOut = true
            }
            guard let colon = body.firstIndex(of: ":") else { continue }
            let name = String(body[..<colon])
            let value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            sections = Array(sections.prefix(indent))
            if value.isEmpty && !commentedOut {
                sections.append(name)
            } else {
                keys[(sections + [name]).joined(separator: ".")] = (value, commentedOut, comment.joined(separator: " "))
            }
            comment = []
        }
        return keys
    }

    @Test func theExampleFileShowsEverySettingDeclaredAndNoOther() throws {
        let keys = try Self.exampleKeys()
        #expect(Set(keys.keys) == Set(Setting.all.map(\.key)))
        for setting in Setting.all {
            guard let shown = keys[setting.key] else { continue }
            if let example = setting.example {
                #expect(!shown.commentedOut && shown.value == example, "\(setting.key): the file shows \(shown.value)")
            } else {
                #expect(shown.commentedOut, "\(setting.key) has no default and is shown commented out")
            }
            #expect(shown.comment.contains(setting.environmentVariable), "\(setting.key): its comment names \(setting.environmentVariable)")
            #expect(shown.comment.contains("--\(setting.flag)"), "\(setting.key): its comment names --\(setting.flag)")
        }
    }

    @Test func theReadmeTableListsEverySettingAsDeclared() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { row in
            row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let settingRows = rows.filter { $0.count == 4 && ($0[1].hasPrefix("`KITH_") || Setting.named($0[0].trimmingCharacters(in: ["`"])) != nil) }
        #expect(settingRows.map { $0[0] } == Setting.all.map { "`\($0.key)`" }, "the table lists the settings in their declared order")
        for (row, setting) in zip(settingRows, Setting.all) {
            #expect(row == ["`\(setting.key)`", "`\(setting.environmentVariable)`", "`--\(setting.flag)`", setting.defaultText])
        }
    }

    @Test func federationSettings() async throws {
        let (dir, path) = try writeFile("federation:\n  allow_http: true\n  delivery_max_attempts: 5\n")
        defer { dir.remove() }
        let config = try await ConfigLoader(
            flags: ["federation.delivery_concurrency_per_host": "9"], environment: ["KITH_FEDERATION_ALLOW_PRIVATE_ADDRESSES": "yes"], configFile: path
        ).load()
        #expect(config.federationAllowHTTP)
        #expect(config.federationAllowPrivateAddresses)
        #expect(config.deliveryMaxAttempts == 5)
        #expect(config.deliveryConcurrencyPerHost == 9)
        let settings = config.federationSettings
        #expect(settings.allowHTTP && settings.allowPrivateAddresses && settings.deliveryMaxAttempts == 5)
        #expect(KithConfig().federationSettings.allowHTTP == false)
        #expect(KithConfig().federationSettings.allowPrivateAddresses == false)
        await expectConfigError(
            ConfigLoader(environment: ["KITH_FEDERATION_ALLOW_HTTP": "maybe"], configFile: nil, defaultConfigFile: "/nonexistent"),
            contains: ["KITH_FEDERATION_ALLOW_HTTP", "maybe"])
        await expectConfigError(
            ConfigLoader(flags: ["federation.delivery_max_attempts": "0"], environment: [:], configFile: nil, defaultConfigFile: "/nonexistent"),
            contains: ["--delivery-max-attempts", "out of range"])
    }

    @Test func cacheSize() async throws {
        #expect(KithConfig().cacheMegabytes == 64)
        let (dir, path) = try writeFile("cache:\n  megabytes: 16\n")
        defer { dir.remove() }
        #expect(try await ConfigLoader(environment: [:], configFile: path).load().cacheMegabytes == 16)
        #expect(try await ConfigLoader(flags: ["cache.megabytes": "0"], environment: ["KITH_CACHE_MEGABYTES": "8"], configFile: path).load().cacheMegabytes == 0)
        #expect(try await ConfigLoader(environment: ["KITH_CACHE_MEGABYTES": "8"], configFile: path).load().cacheMegabytes == 8)
        await expectConfigError(
            ConfigLoader(environment: ["KITH_CACHE_MEGABYTES": "-1"], configFile: nil, defaultConfigFile: "/nonexistent"),
            contains: ["KITH_CACHE_MEGABYTES", "out of range"])
    }

    func expectConfigError(_ loader: ConfigLoader, contains parts: [String], sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await loader.load()
            Issue.record("configuration was accepted", sourceLocation: sourceLocation)
        } catch let error as ConfigError {
            for part in parts {
                #expect(error.message.contains(part), "\(error.message) lacks \(part)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}
