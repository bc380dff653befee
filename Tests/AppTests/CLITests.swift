import Foundation
import KithTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `kith` executable, as an admin would.
@Suite(.timeLimit(.minutes(5))) struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String {
        get throws {
            let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            var dir = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
            // The test bundle may sit in <debug>/x.xctest/ or directly in <debug>/.
            for _ in 0..<3 {
                let candidate = dir.appendingPathComponent("kith").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                dir.deleteLastPathComponent()
            }
            throw CLIError(message: "kith executable not found next to \(testBinary); build it with swift build first")
        }
    }

    struct CLIError: Error { var message: String }

    func kith(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeoutSeconds: Int = 120) async throws -> Run {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KITH_") }
        env.merge(environment) { _, new in new }
        let child = try ChildProcess([try Self.executable] + arguments, environment: env, stdin: stdin)
        let status = await child.wait(timeout: .seconds(timeoutSeconds))
        return Run(status: status, stdout: child.output, stderr: child.errorOutput)
    }

    @Test func version() async throws {
        let run = try await kith(["version"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("kith "))
    }

    @Test func migrateAndAccounts() async throws {
        try await TestDatabase.with("cli") { testDB in
            let common = ["--database-url", testDB.url, "--migrations-dir", TestDatabase.migrationsDirectory, "--public-url", "https://kith.example"]

            let migrate = try await kith(["migrate"] + common)
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(migrate.stdout.contains("Applied 0001_init.sql"))
            let again = try await kith(["migrate"] + common)
            #expect(again.stdout.contains("up to date"))

            let created = try await kith(["accounts", "create", "--username", "alice", "--email", "alice@example.com", "--role", "admin"] + common)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains("Created admin account alice (https://kith.example/users/alice)"))
            let password = created.stdout.split(separator: "\n").first { $0.hasPrefix("Password: ") }?.dropFirst("Password: ".count)
            #expect((password?.count ?? 0) >= 16)

            let given = try await kith(["accounts", "create", "--username", "bob", "--email", "bob@example.com", "--password-stdin"] + common, stdin: "correct horse battery\n")
            #expect(given.status == 0, "\(given.stderr)")
            #expect(!given.stdout.contains("Password:"))

            let invalid = try await kith(["accounts", "create", "--username", "not valid!", "--email", "x@example.com"] + common)
            #expect(invalid.status != 0)
            #expect(invalid.stderr.contains("username"))

            let duplicate = try await kith(["accounts", "create", "--username", "ALICE", "--email", "other@example.com"] + common)
            #expect(duplicate.status != 0)
            #expect(duplicate.stderr.contains("already taken"))

            let badRole = try await kith(["accounts", "create", "--username", "carol", "--email", "c@example.com", "--role", "emperor"] + common)
            #expect(badRole.status != 0)

            let list = try await kith(["accounts", "list"] + common)
            #expect(list.status == 0)
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[1].contains("alice\talice@example.com\tadmin"))
            #expect(lines[2].contains("bob\tbob@example.com\tuser"))
            #expect(try await kith(["accounts", "list", "--count"] + common).stdout == "2\n")

            // The password is stored as a bcrypt hash, never as given.
            try await testDB.withDatabase { db in
                let hash = try await db.client.query("SELECT password_hash FROM accounts WHERE username = 'bob'", logger: TestDatabase.logger)
                    .collect().first!.decode(String.self)
                #expect(hash.hasPrefix("$2b$12$") || hash.hasPrefix("$2a$12$") || hash.hasPrefix("$2y$12$"))
                #expect(!hash.contains("correct horse"))
            }
        }
    }

    @Test func badConfigurationStopsWithAClearMessage() async throws {
        let run = try await kith(["migrate", "--port", "99999"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--port"))
        #expect(run.stderr.contains("out of range"))
        let env = try await kith(["migrate"], environment: ["KITH_FEDERATION_MODE": "everything"])
        #expect(env.status != 0)
        #expect(env.stderr.contains("KITH_FEDERATION_MODE"))
    }
}
