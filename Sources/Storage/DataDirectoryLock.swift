import Domain
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<data_dir>/kith.lock`, held by the Kith process that owns the
/// embedded cluster: `kith serve` for its lifetime, or a one-shot command while nothing else
/// runs. The kernel releases it when the process dies, so a crash never leaves it behind.
/// Whoever holds it may stop the cluster; others only use it.
public final class DataDirectoryLock: Sendable {
    let fd: Int32
    public let path: String

    /// Tries to take the lock, retrying until `wait` has passed. Returns nil if another process
    /// still holds it.
    public static func acquire(dataDirectory: String, wait: Duration = .zero) async throws -> DataDirectoryLock? {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("kith.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw KithError(.misconfigured, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + wait
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                let pid = "\(getpid())\n"
                _ = ftruncate(fd, 0)
                _ = pwrite(fd, pid, pid.utf8.count, 0)
                return DataDirectoryLock(fd: fd, path: path)
            }
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(fd)
                throw KithError(.misconfigured, "cannot lock \(path): \(message)")
            }
            if ContinuousClock.now >= deadline {
                close(fd)
                return nil
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
