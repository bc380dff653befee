import Domain
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The system's PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`).
public struct PostgresBinaries: Sendable, Equatable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    public func path(_ program: String) -> String { (directory as NSString).appendingPathComponent(program) }

    /// The major version, read from `pg_ctl --version` (e.g. "15").
    public func majorVersion() throws -> String {
        let out = try ProcessRunner.run([path("pg_ctl"), "--version"]).output
        // "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        guard let version = out.split(separator: ")").dropFirst().first?.split(separator: " ").first?.split(separator: ".").first else {
            throw KithError(.misconfigured, "cannot read the PostgreSQL version from '\(out)'")
        }
        return String(version)
    }

    /// Finds the server programs: an explicit directory if given, else `pg_config --bindir`, else
    /// the newest `/usr/lib/postgresql/*/bin` (Debian's layout). Debian's `pg_config` comes from
    /// libpq-dev and may point at a directory without a server, so each candidate must hold
    /// `initdb`, `pg_ctl` and `postgres`.
    public static func locate(explicit: String? = nil, searchRoot: String = "/usr/lib/postgresql") throws -> PostgresBinaries {
        var candidates: [String] = []
        if let explicit {
            candidates.append(explicit)
        } else {
            if let bindir = try? ProcessRunner.run(["pg_config", "--bindir"]).output.trimmingWhitespace(), !bindir.isEmpty {
                candidates.append(bindir)
            }
            let versions = (try? FileManager.default.contentsOfDirectory(atPath: searchRoot)) ?? []
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                candidates.append("\(searchRoot)/\(version)/bin")
            }
        }
        for candidate in candidates {
            let binaries = PostgresBinaries(directory: candidate)
            if ["initdb", "pg_ctl", "postgres"].allSatisfy({ FileManager.default.isExecutableFile(atPath: binaries.path($0)) }) {
                return binaries
            }
        }
        let looked = candidates.isEmpty ? searchRoot + "/*/bin" : candidates.joined(separator: ", ")
        throw KithError(
            .misconfigured,
            "PostgreSQL server programs (initdb, pg_ctl, postgres) not found (looked in \(looked)). Install them with 'apt-get install postgresql', or set database.url to use an existing server.")
    }
}

/// A private PostgreSQL cluster under Kith's data directory, used when no database URL is
/// configured. It listens on a Unix socket inside the data directory only (no TCP port) and
/// trusts only the socket's owner. When Kith runs as root the cluster runs as the unprivileged
/// `postgres` system user, since PostgreSQL refuses to run as root.
///
/// Layout: `<data>/postgres/` (owned by the cluster's user, mode 0700) holds `pgdata/`,
/// `run/` (the socket) and `postgres.log`.
public final class EmbeddedPostgres: Sendable {
    public static let databaseName = "kith"
    public static let superuser = "kith"
    static let port = 5432

    public let root: String
    public let binaries: PostgresBinaries
    /// The OS user the cluster runs as; nil means "the current user".
    public let osUser: String?
    let logger: Logger

    public var pgdata: String { root + "/pgdata" }
    public var socketDirectory: String { root + "/run" }
    public var logFile: String { root + "/postgres.log" }
    public var endpoint: DatabaseEndpoint {
        DatabaseEndpoint(
            address: .unixSocket(path: "\(socketDirectory)/.s.PGSQL.\(Self.port)"), username: Self.superuser,
            database: Self.databaseName)
    }

    /// - Parameters:
    ///   - dataDirectory: Kith's data directory; the cluster lives in its `postgres/` folder.
    ///   - binaries: where the server programs are; located when nil.
    ///   - osUser: the user to run the cluster as when Kith runs as root (default `postgres`).
    public init(dataDirectory: String, binaries: PostgresBinaries? = nil, osUser: String = "postgres", logger: Logger) throws {
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.root = absolute + "/postgres"
        self.binaries = try binaries ?? PostgresBinaries.locate()
        self.osUser = geteuid() == 0 ? osUser : nil
        self.logger = logger
        // sockaddr_un.sun_path holds 107 bytes plus NUL.
        let socketPath = "\(root)/run/.s.PGSQL.\(Self.port)"
        guard socketPath.utf8.count <= 107 else {
            throw KithError(
                .misconfigured,
                "the data directory path is too long for PostgreSQL's Unix socket (\(socketPath.utf8.count) bytes, at most 107): \(socketPath); choose a shorter data directory")
        }
    }

    /// Creates the cluster on first use, then starts it (or adopts one left running by a Kith
    /// that crashed, or by a concurrent `kith` command) and makes sure the `kith` database
    /// exists. Returns false when the server was already running. Connect to `endpoint`.
    @discardableResult
    public func start() async throws -> Bool {
        try prepareDirectories()
        if !FileManager.default.fileExists(atPath: pgdata + "/PG_VERSION") {
            try initialize()
        } else {
            let clusterVersion = (try? String(contentsOfFile: pgdata + "/PG_VERSION", encoding: .utf8))?.trimmingWhitespace() ?? "?"
            let binaryVersion = try binaries.majorVersion()
            guard clusterVersion == binaryVersion else {
                throw KithError(
                    .misconfigured,
                    "the embedded database in \(pgdata) was made by PostgreSQL \(clusterVersion) but the installed server is \(binaryVersion); upgrade it with pg_upgrade or install PostgreSQL \(clusterVersion)")
            }
        }
        try writeSettings()
        let started: Bool
        switch postmasterState() {
        case .running(let pid):
            logger.notice("using embedded PostgreSQL already running", metadata: ["pid": "\(pid)", "pgdata": "\(pgdata)"])
            started = false
        case .stale(let pid):
            logger.notice("removing stale PostgreSQL pid file", metadata: ["pid": "\(pid)", "pgdata": "\(pgdata)"])
            try FileManager.default.removeItem(atPath: pgdata + "/postmaster.pid")
            try pgctl(["start", "-w", "-t", "120", "-l", logFile])
            started = true
        case .stopped:
            try pgctl(["start", "-w", "-t", "120", "-l", logFile])
            started = true
        }
        try await ensureDatabase()
        return started
    }

    /// Stops the cluster (fast shutdown: active sessions are rolled back, data is flushed).
    /// Stopping a cluster that is not running is not an error.
    public func stop() throws {
        guard case .running = postmasterState() else { return }
        try pgctl(["stop", "-m", "fast", "-w", "-t", "120"])
    }

    public var isRunning: Bool {
        if case .running = postmasterState() { return true }
        return false
    }

    /// For tests: what `postmaster.pid` says.
    public var postmasterStateForTesting: PostmasterState { postmasterState() }

    public enum PostmasterState: Equatable { case stopped, running(pid: Int32), stale(pid: Int32) }

    /// Reads `postmaster.pid` and checks that its process is alive and is this cluster's
    /// postmaster: after a crash or a reboot the pid may be dead, a zombie, or reused by an
    /// unrelated process (even another PostgreSQL).
    public func postmasterState() -> PostmasterState {
        guard let text = try? String(contentsOfFile: pgdata + "/postmaster.pid", encoding: .utf8) else { return .stopped }
        guard let pid = text.split(separator: "\n").first.flatMap({ Int32(String($0).trimmingWhitespace()) }), pid > 0 else {
            return .stale(pid: 0)
        }
        // /proc/<pid>/stat: "pid (comm) state …"; Z and X are dead processes not yet reaped.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        guard let state, state != "Z", state != "X" else { return .stale(pid: pid) }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let isOurs = arguments.first.map { $0.hasSuffix("/postgres") || $0 == "postgres" } == true && arguments.contains(pgdata)
        return isOurs ? .running(pid: pid) : .stale(pid: pid)
    }

    // MARK: - Steps

    private func prepareDirectories() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: (root as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        for dir in [root, socketDirectory] {
            if !fm.fileExists(atPath: dir) { try fm.createDirectory(atPath: dir, withIntermediateDirectories: false) }
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir)
        }
        if let osUser {
            guard let pw = getpwnam(osUser) else {
                throw KithError(
                    .misconfigured,
                    "Kith runs as root, so its embedded PostgreSQL must run as the '\(osUser)' system user, which does not exist; install the postgresql package (it creates the user) or run Kith as a normal user")
            }
            for path in [root, socketDirectory] { try chownOrThrow(path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
            if fm.fileExists(atPath: logFile) { try chownOrThrow(logFile, pw.pointee.pw_uid, pw.pointee.pw_gid) }
            // The cluster's user must be able to reach its folder through every parent directory.
            let probe = try ProcessRunner.run(["runuser", "-u", osUser, "--", "test", "-w", root], allowFailure: true)
            guard probe.status == 0 else {
                throw KithError(
                    .misconfigured,
                    "the '\(osUser)' user cannot reach \(root) (a parent directory is closed to it, e.g. /root); choose a data directory such as /var/lib/kith")
            }
        }
    }

    private func chownOrThrow(_ path: String, _ uid: uid_t, _ gid: gid_t) throws {
        guard chown(path, uid, gid) == 0 else {
            throw KithError(.misconfigured, "cannot give \(path) to the '\(osUser ?? "")' user: \(String(cString: strerror(errno)))")
        }
    }

    private func initialize() throws {
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: pgdata), !contents.isEmpty {
            throw KithError(.misconfigured, "\(pgdata) exists and is not empty but holds no PostgreSQL cluster; move it away")
        }
        logger.notice("creating embedded PostgreSQL cluster", metadata: ["pgdata": "\(pgdata)"])
        try runAsOwner([
            binaries.path("initdb"), "-D", pgdata, "-U", Self.superuser, "--auth=trust", "-E", "UTF8", "--locale=C",
        ])
        // Settings Kith owns live in their own file, rewritten at every start, so a moved data
        // directory still gets the right socket path.
        let conf = try String(contentsOfFile: pgdata + "/postgresql.conf", encoding: .utf8)
        try (conf + "\n# Kith: settings managed by Kith at every start\ninclude_if_exists = 'kith.conf'\n")
            .write(toFile: pgdata + "/postgresql.conf", atomically: false, encoding: .utf8)
    }

    private func writeSettings() throws {
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        let settings = """
            # Written by Kith at every start; edits here are lost. Tune the cluster in postgresql.conf.
            listen_addresses = ''
            port = \(Self.port)
            unix_socket_directories = \(quoted(socketDirectory))
            unix_socket_permissions = 0700
            max_connections = 100

            """
        let path = pgdata + "/kith.conf"
        try settings.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    }

    private func pgctl(_ arguments: [String]) throws {
        do {
            try runAsOwner([binaries.path("pg_ctl"), "-D", pgdata] + arguments)
        } catch let error as KithError {
            let tail = (try? String(contentsOfFile: logFile, encoding: .utf8))
                .map { $0.split(separator: "\n").suffix(8).joined(separator: "\n") } ?? ""
            throw KithError(error.kind, error.message + (tail.isEmpty ? "" : "\nlast lines of \(logFile):\n\(tail)"))
        }
    }

    private func runAsOwner(_ command: [String]) throws {
        let argv = osUser.map { ["runuser", "-u", $0, "--"] + command } ?? command
        _ = try ProcessRunner.run(argv)
    }

    private func ensureDatabase() async throws {
        let maintenance = DatabasePool(endpoint: endpoint.with(database: "postgres"), maxConnections: 1, logger: logger)
        try await maintenance.withRunning { db in
            let exists = try await db.client.query(
                "SELECT 1 FROM pg_database WHERE datname = \(Self.databaseName)", logger: self.logger
            ).collect().count > 0
            if !exists {
                // An identifier cannot be a bound parameter; the name is a constant.
                try await db.client.query("CREATE DATABASE kith", logger: self.logger)
            }
        }
    }
}

/// Runs a program and captures its combined output. posix_spawn and waitpid directly:
/// Foundation's `Process` did not reap `pg_ctl start` reliably (its child daemonises).
enum ProcessRunner {
    struct Result { var status: Int32; var output: String }

    @discardableResult
    static func run(_ argv: [String], allowFailure: Bool = false) throws -> Result {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw KithError(.internalError, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        // Only the dup2'd copies reach the child; the daemon pg_ctl leaves behind must not hold
        // the pipe open, or reading would never end.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        // Nothing else of ours reaches the child: the postgres daemon that pg_ctl leaves
        // behind would otherwise hold our sockets and pipes open for its whole life.
        SpawnActions.closeInheritedDescriptors(&actions)

        let program = ["/usr/bin/env"] + argv
        var cArgs: [UnsafeMutablePointer<CChar>?] = program.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        var pid: pid_t = 0
        let spawnError = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &cArgs, environ)
        close(fds[1])
        guard spawnError == 0 else {
            close(fds[0])
            throw KithError(.misconfigured, "cannot run \(argv[0]): \(String(cString: strerror(spawnError)))")
        }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 {
                data.append(contentsOf: buffer[0..<n])
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = SpawnActions.exitStatus(status)
        let output = String(decoding: data, as: UTF8.self)
        if exitStatus != 0 && !allowFailure {
            let name = argv.first(where: { $0.hasPrefix("/") }).map { URL(fileURLWithPath: $0).lastPathComponent } ?? argv[0]
            throw KithError(.unavailable, "\(name) exited with status \(exitStatus): \(output.trimmingWhitespace())")
        }
        return Result(status: exitStatus, output: output)
    }
}

/// Helpers for posix_spawn.
public enum SpawnActions {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34+ has `posix_spawn_file_actions_addclosefrom_np`, but Swift's Glibc module
    /// does not import it; look it up at run time.
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// A `waitpid` status as a shell shows it: the exit code, or 128 + the signal that ended the
    /// child. (WIFEXITED and WEXITSTATUS are macros Swift does not import.)
    public static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Makes the child start with only descriptors 0, 1 and 2 (those the actions set up).
    public static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        // Older C libraries: close what is open now.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}
