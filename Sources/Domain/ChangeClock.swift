import Synchronization

/// Knows, for each account and post, when it last changed, so that something built from the
/// database (a rendered timeline page, a token with its account) can tell whether it is still
/// what the database would give now.
///
/// It is fed by the database itself: triggers name every changed account (`a<id>`) and post
/// (`s<id>`), or everything (`g`), in a change log that `ChangeListener` reads for the whole
/// process, whichever process made the change. While the log is not followed (not read yet,
/// or reading failed) nothing is current; when following resumes, everything stamped before is
/// stale.
public final class ChangeClock: Sendable {
    struct State {
        /// Advances with every change; a stamp is its value when reading began.
        var now: UInt64 = 1
        /// Stamps below this are stale (everything changed, or changes may have been missed).
        var floor: UInt64 = 1
        var following = false
        var accounts: [Int64: UInt64] = [:]
        var statuses: [Int64: UInt64] = [:]
    }

    private let state = Mutex(State())
    /// Past this many remembered changes the record starts over (everything stale once).
    let capacity: Int

    public init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    /// The stamp to give what is about to be read from the database, taken before reading
    /// begins; nil while changes are not being followed (nothing read now may be kept).
    public func stamp() -> UInt64? {
        state.withLock { $0.following ? $0.now : nil }
    }

    /// Whether something read under `stamp` from these accounts and posts is still current:
    /// none of them changed since, nothing was missed, and changes are being followed.
    public func isCurrent(_ stamp: UInt64, accounts: [Int64], statuses: [Int64]) -> Bool {
        state.withLock { state in
            guard state.following, stamp >= state.floor else { return false }
            for id in accounts where (state.accounts[id] ?? 0) > stamp { return false }
            for id in statuses where (state.statuses[id] ?? 0) > stamp { return false }
            return true
        }
    }

    /// Records changes: comma-separated `a<id>`, `s<id>` and `g` (everything).
    /// Anything else in it is ignored.
    public func record(_ payload: String) {
        state.withLock { state in
            state.now += 1
            for key in payload.split(separator: ",") {
                guard let kind = key.first else { continue }
                let id = Int64(key.dropFirst())
                switch kind {
                case "a": if let id { state.accounts[id] = state.now }
                case "s": if let id { state.statuses[id] = state.now }
                case "g": state.floor = state.now
                default: continue
                }
            }
            if state.accounts.count + state.statuses.count > capacity {
                state.accounts = [:]
                state.statuses = [:]
                state.floor = state.now
            }
        }
    }

    /// Starts or stops trusting stamps. Starting makes everything stamped before stale: changes
    /// made while not following were not seen.
    public func following(_ on: Bool) {
        state.withLock { state in
            state.now += 1
            state.floor = state.now
            state.following = on
        }
    }

    public var isFollowing: Bool { state.withLock { $0.following } }
}

/// Waits until every change this process has committed so far has reached its `ChangeClock`, so
/// that a client's next request sees what its last one wrote.
public protocol ChangeFence: Sendable {
    func fence() async
}

/// Values built from the database, each kept while `clock` says what it came from is
/// unchanged, for at most `lifetime` (which bounds what no logged change announces: a mute
/// running out, say), and within `capacity` in total cost (bytes, for pages; past it, entries
/// are dropped).
///
/// An entry names its sources in two kinds. A change to a *strict* account (the reader's own:
/// its posts, favourites, follows, mutes, tokens) drops it at once, so a reader always sees its
/// own actions. A change to anything else (a followed account's new post, someone else's
/// favourite of a shown post) makes it *late*: it is still served for `grace`, then the next
/// lookup rebuilds it while lookups meanwhile are still served the late value. Others' changes
/// thus show after at most `grace` and one rebuild, and a reader whose sources change faster
/// than that is rebuilt about once per `grace`, not once per change.
public final class StampedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
        var stamp: UInt64
        var strict: [Int64]
        var accounts: [Int64]
        var statuses: [Int64]
        var expires: ContinuousClock.Instant
        var cost: Int
        /// When a lookup first found it late.
        var lateSince: ContinuousClock.Instant?
        /// When a lookup was told to rebuild it.
        var rebuilding: ContinuousClock.Instant?
    }

    /// A build under way for a key, which lookups of the same key made meanwhile share.
    struct Flight {
        var id: UInt64
        var stamp: UInt64
        var task: Task<Value, any Error>
    }

    struct State {
        var entries: [Key: Entry] = [:]
        var cost = 0
        var hits = 0
        var misses = 0
        var flights: [Key: Flight] = [:]
        var flightCount: UInt64 = 0
        var shared = 0
    }

    /// What a build read and made: the value and what it was read from, as `store` takes them.
    public struct Built: Sendable {
        public var value: Value
        public var accounts: [Int64]
        public var statuses: [Int64]
        public var cost: Int

        public init(value: Value, accounts: [Int64] = [], statuses: [Int64] = [], cost: Int = 1) {
            self.value = value
            self.accounts = accounts
            self.statuses = statuses
            self.cost = cost
        }
    }

    public let clock: ChangeClock
    let capacity: Int
    let lifetime: Duration
    let grace: Duration
    /// A rebuild not stored within this is given up, and the next lookup tries again.
    static var rebuildTimeout: Duration { .seconds(5) }
    private let state = Mutex(State())

    public init(clock: ChangeClock, capacity: Int, lifetime: Duration, grace: Duration = .zero) {
        self.clock = clock
        self.capacity = capacity
        self.lifetime = lifetime
        self.grace = grace
    }

    /// The value kept for `key`, if it may still be served; nil when the caller is to build it
    /// (and `store` it).
    public func value(for key: Key) -> Value? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard var entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            guard entry.expires > now, clock.isCurrent(entry.stamp, accounts: entry.strict, statuses: []) else {
                state.entries[key] = nil
                state.cost -= entry.cost
                state.misses += 1
                return nil
            }
            if entry.lateSince == nil, !clock.isCurrent(entry.stamp, accounts: entry.accounts, statuses: entry.statuses) {
                entry.lateSince = now
            }
            if let lateSince = entry.lateSince, now >= lateSince + grace,
                entry.rebuilding.map({ now >= $0 + Self.rebuildTimeout }) ?? true
            {
                entry.rebuilding = now
                state.entries[key] = entry
                state.misses += 1
                return nil
            }
            state.entries[key] = entry
            state.hits += 1
            return entry.value
        }
    }

    /// The value kept for `key`, or the one `build` makes (and is kept). Lookups of a key
    /// that is being built meanwhile wait for that build instead of starting their own, so an
    /// entry that expires or is dropped under many readers (a change to everything, say) is
    /// built once, not once per reader; a lookup joins a build only if the build began after
    /// the last change to the `strict` accounts, so a reader still sees its own actions.
    public func value(for key: Key, strict: [Int64], build: @escaping @Sendable () async throws -> Built) async throws -> Value {
        if let kept = value(for: key) { return kept }
        let task = state.withLock { state -> Task<Value, any Error> in
            if let flight = state.flights[key], clock.isCurrent(flight.stamp, accounts: strict, statuses: []) {
                state.shared += 1
                return flight.task
            }
            let stamp = clock.stamp()
            state.flightCount += 1
            let id = state.flightCount
            let task = Task {
                defer { self.land(key, id: id) }
                let built = try await build()
                self.store(built.value, for: key, stamp: stamp, strict: strict, accounts: built.accounts, statuses: built.statuses, cost: built.cost)
                return built.value
            }
            if let stamp { state.flights[key] = Flight(id: id, stamp: stamp, task: task) }
            return task
        }
        return try await task.value
    }

    private func land(_ key: Key, id: UInt64) {
        state.withLock { state in
            if state.flights[key]?.id == id { state.flights[key] = nil }
        }
    }

    /// Keeps `value`, read from the database under `stamp` (taken before reading began) from
    /// the `strict` accounts and these other accounts and posts. A nil stamp (changes not
    /// followed then) keeps nothing.
    public func store(
        _ value: Value, for key: Key, stamp: UInt64?, strict: [Int64], accounts: [Int64] = [], statuses: [Int64] = [], cost: Int = 1
    ) {
        guard let stamp, cost <= capacity / 4 else { return }
        let entry = Entry(
            value: value, stamp: stamp, strict: strict, accounts: accounts, statuses: statuses, expires: .now + lifetime, cost: cost)
        state.withLock { state in
            if let old = state.entries.updateValue(entry, forKey: key) { state.cost -= old.cost }
            state.cost += cost
            guard state.cost > capacity else { return }
            // Over capacity: drop entries (in no particular order) down to three quarters.
            for (key, entry) in state.entries where state.cost > capacity * 3 / 4 {
                state.entries[key] = nil
                state.cost -= entry.cost
            }
        }
    }

    /// Lookups served from the cache, lookups left to the caller, entries and their total cost.
    public var statistics: (hits: Int, misses: Int, entries: Int, cost: Int) {
        state.withLock { ($0.hits, $0.misses, $0.entries.count, $0.cost) }
    }

    /// Misses that waited for a build of the same key already under way instead of building.
    public var sharedBuilds: Int { state.withLock { $0.shared } }
}

