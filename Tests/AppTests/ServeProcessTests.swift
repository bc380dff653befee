import Foundation
import KithTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kith serve` as a real process on the embedded database: what `scripts/run` does.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ServeProcessTests {
    /// Starts kith, as another user if `user` is given. setpriv execs kith in place, so the
    /// signal the test sends reaches kith itself (runuser would forward it and then SIGKILL kith
    /// two seconds later, in the middle of its shutdown).
    func start(_ arguments: [String], asUser user: passwd? = nil) throws -> ChildProcess {
        let demote = user.map { ["/usr/bin/setpriv", "--reuid=\($0.pw_uid)", "--regid=\($0.pw_gid)", "--clear-groups"] } ?? []
        let argv = demote + [try CLITests.executable] + arguments
        return try ChildProcess(argv, environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KITH_") })
    }

    func waitForHealth(port: Int, process: ChildProcess) async throws -> (status: Int, body: String)? {
        for _ in 0..<300 where process.isRunning {
            if let response = Loopback.get(port: port, path: "/health") { return response }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Root can demote to `nobody`, and `nobody` can reach the kith binary and the migrations
    /// (not so when the checkout is under /root).
    static var nobodyCanRunKith: Bool {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser"),
            let executable = try? CLITests.executable,
            let probe = try? ChildProcess(
                ["/usr/sbin/runuser", "-u", "nobody", "--", "/usr/bin/test", "-x", executable, "-a", "-r",
                 TestDatabase.migrationsDirectory + "/0001_init.sql"], environment: [:])
        else { return false }
        for _ in 0..<500 where probe.isRunning { usleep(10_000) }
        return !probe.isRunning && probe.lastStatus == 0
    }

    func postgresProcesses(using dataDirectory: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.filter { pid in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return comm.hasPrefix("postgres") && cmdline.contains(dataDirectory)
        }
    }

    @Test func serveAnswersHealthAndSigtermLeavesNoPostgres() async throws {
        let dir = try TemporaryDirectory("kith-srv")
        defer { dir.remove() }
        let common = ["--data-dir", dir.path, "--migrations-dir", TestDatabase.migrationsDirectory]

        let created = try await CLITests().kith(["accounts", "create", "--username", "first", "--email", "first@example.com"] + common)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(postgresProcesses(using: dir.path).isEmpty)  // a one-shot command stops what it started

        for round in 1...2 {
            let port = try Loopback.freePort()
            let serve = try start(["serve", "--port", String(port)] + common)
            let health = try await waitForHealth(port: port, process: serve)
            #expect(health?.status == 200, "round \(round)")
            #expect(health?.body.contains(#""database":"ok""#) == true)
            #expect(!postgresProcesses(using: dir.path).isEmpty)

            // An admin command while serving uses the running cluster and leaves it running.
            let during = try await CLITests().kith(["accounts", "list", "--count"] + common)
            #expect(during.stdout == "1\n", "\(during.stderr)")
            #expect(Loopback.get(port: port, path: "/health")?.status == 200)
            if round == 1 {
                // A second serve on the same data directory refuses instead of sharing it.
                let second = try await CLITests().kith(["serve", "--port", String(try Loopback.freePort())] + common, timeoutSeconds: 60)
                #expect(second.status != 0)
                #expect(second.stderr.contains("another kith serve is running"))
                #expect(Loopback.get(port: port, path: "/health")?.status == 200)
            }

            serve.signal(SIGTERM)
            #expect(await serve.wait(timeout: .seconds(60)) == 0, "\(serve.errorOutput)")
            #expect(postgresProcesses(using: dir.path).isEmpty, "PostgreSQL left running after SIGTERM")
            #expect(Loopback.get(port: port, path: "/health") == nil)
        }

        // The data outlived both runs.
        let list = try await CLITests().kith(["accounts", "list", "--count"] + common)
        #expect(list.stdout == "1\n")
    }

    /// Kith run by a normal user keeps its cluster as that user. When the tests run as root this
    /// runs kith as `nobody`; as a normal user every embedded test already covers it.
    @Test(.enabled(if: Self.nobodyCanRunKith, "runs when the tests run as root and 'nobody' can reach the build"))
    func embeddedDatabaseAsANormalUser() async throws {

        let dir = try TemporaryDirectory("kith-usr")
        defer { dir.remove() }
        // getpwnam's result lives in static storage that other threads' look-ups overwrite:
        // copy what is needed at once.
        guard let entry = getpwnam("nobody") else { throw POSIXError(.ENOENT) }
        let nobody = entry.pointee
        let nobodyUID = nobody.pw_uid
        chown(dir.path, nobodyUID, nobody.pw_gid)

        let port = try Loopback.freePort()
        let serve = try start(["serve", "--port", String(port), "--data-dir", dir.path, "--migrations-dir", TestDatabase.migrationsDirectory], asUser: nobody)
        let health = try await waitForHealth(port: port, process: serve)
        #expect(health?.status == 200)
        let owners = postgresProcesses(using: dir.path).compactMap { pid -> uid_t? in
            var info = stat()
            return stat("/proc/\(pid)", &info) == 0 ? info.st_uid : nil
        }
        #expect(!owners.isEmpty)
        #expect(owners.allSatisfy { $0 == nobodyUID }, "\(owners) vs \(nobodyUID)")
        serve.signal(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(60)) == 0, "\(serve.errorOutput)")
        #expect(postgresProcesses(using: dir.path).isEmpty)
    }
}
