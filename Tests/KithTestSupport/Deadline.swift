import Synchronization

/// A test step that did not finish in its time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "\(what) did not finish within \(limit)" }
}

/// Runs `body` and answers with its result, or throws `DeadlineExceeded` naming `what` once
/// `limit` has passed, whether or not `body` heeds cancellation: a test step that hangs (a
/// request nobody answers, a query on a connection that is gone) fails by name instead of
/// holding the whole run. A body that ignores its cancellation is left behind, still running.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: @autoclosure () -> String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    let name = what()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(
                continuation,
                work: Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    race.finish(result)
                },
                timer: Task {
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    race.finish(.failure(DeadlineExceeded(what: name, limit: limit)))
                })
        }
    } onCancel: {
        race.cancelWork()
    }
}

/// The body and the timer of one `withDeadline`: the first to finish answers, and the other is
/// cancelled.
final class DeadlineRace<T: Sendable>: Sendable {
    struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        /// What finished before `start` had stored the continuation.
        var early: Result<T, any Error>?
    }

    let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            state.work = work
            state.timer = timer
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            defer {
                state.continuation = nil
                if state.early == nil { state.early = result }
            }
            return (state.continuation, state.work, state.timer)
        }
        guard let continuation else { return }
        work?.cancel()
        timer?.cancel()
        continuation.resume(with: result)
    }

    func cancelWork() {
        state.withLock { $0.work }?.cancel()
    }
}
