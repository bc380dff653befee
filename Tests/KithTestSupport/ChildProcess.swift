import Foundation
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, spawned and reaped with posix_spawn and waitpid. Output goes to
/// files, not pipes: a daemon the child leaves behind (PostgreSQL) cannot then keep a read
/// waiting forever. Every wait is bounded.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    let outputPath: String
    let errorPath: String
    private var exitStatus: Int32?

    public init(_ argv: [String], environment: [String: String], stdin: String? = nil) throws {
        let base = "/tmp/kith-child-\(UInt32.random(in: 0...UInt32.max))"
        outputPath = base + ".out"
        errorPath = base + ".err"
        let inputPath = base + ".in"
        try (stdin ?? "").write(toFile: inputPath, atomically: false, encoding: .utf8)
        defer { unlink(inputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        SpawnActions.closeInheritedDescriptors(&actions)

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, &cEnv)
        guard error == 0 else { throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EINVAL) }
        self.pid = pid
    }

    /// Whether the child still runs (reaps it if it ended).
    public var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            exitStatus = SpawnActions.exitStatus(status)
            return false
        }
        return result == 0
    }

    /// Waits for the child to end, at most `timeout`; kills it (SIGKILL) past that.
    @discardableResult
    public func wait(timeout: Duration = .seconds(120)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus ?? -1
    }

    /// The exit status once the child has ended and been reaped.
    public var lastStatus: Int32? { exitStatus }

    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    public var errorOutput: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    deinit {
        if exitStatus == nil, isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        unlink(outputPath)
        unlink(errorPath)
    }
}
