import Domain
import Synchronization
import Testing

@Suite struct ChangeClockTests {
    func following() -> ChangeClock {
        let clock = ChangeClock()
        clock.following(true)
        return clock
    }

    @Test func nothingIsCurrentWhileChangesAreNotFollowed() throws {
        let clock = ChangeClock()
        #expect(clock.stamp() == nil)
        clock.following(true)
        let stamp = try #require(clock.stamp())
        #expect(clock.isCurrent(stamp, accounts: [1], statuses: [2]))
        clock.following(false)
        #expect(clock.stamp() == nil)
        #expect(!clock.isCurrent(stamp, accounts: [1], statuses: [2]))
    }

    @Test func aChangeMakesStaleOnlyWhatWasReadFromIt() throws {
        let clock = following()
        let stamp = try #require(clock.stamp())
        clock.record("a7,s9")
        #expect(!clock.isCurrent(stamp, accounts: [7], statuses: []))
        #expect(!clock.isCurrent(stamp, accounts: [], statuses: [9]))
        #expect(clock.isCurrent(stamp, accounts: [8], statuses: [7, 10]))
        // Read after the change: current.
        let later = try #require(clock.stamp())
        #expect(clock.isCurrent(later, accounts: [7], statuses: [9]))
    }

    @Test func everythingAndUnknownKeys() throws {
        let clock = following()
        let stamp = try #require(clock.stamp())
        clock.record("x1,,s,a")
        #expect(clock.isCurrent(stamp, accounts: [1], statuses: [1]))
        clock.record("g")
        #expect(!clock.isCurrent(stamp, accounts: [], statuses: []))
        let later = try #require(clock.stamp())
        clock.record("a1,g")
        #expect(!clock.isCurrent(later, accounts: [], statuses: []))
    }

    @Test func resumingFollowingMakesEarlierStampsStale() throws {
        let clock = following()
        let stamp = try #require(clock.stamp())
        clock.following(false)
        clock.following(true)
        #expect(!clock.isCurrent(stamp, accounts: [], statuses: []))
    }

    @Test func pastCapacityTheRecordStartsOver() throws {
        let clock = ChangeClock(capacity: 3)
        clock.following(true)
        let stamp = try #require(clock.stamp())
        clock.record("a1,a2")
        let between = try #require(clock.stamp())
        #expect(clock.isCurrent(between, accounts: [3], statuses: []))
        clock.record("a3,a4")
        #expect(!clock.isCurrent(stamp, accounts: [9], statuses: []))
        #expect(!clock.isCurrent(between, accounts: [9], statuses: []))
    }

    @Test func cacheKeepsValuesWhileCurrent() throws {
        let clock = following()
        let cache = StampedCache<String, Int>(clock: clock, capacity: 1000, lifetime: .seconds(60))
        cache.store(1, for: "page", stamp: clock.stamp(), strict: [4], accounts: [5], statuses: [6], cost: 10)
        #expect(cache.value(for: "page") == 1)
        #expect(cache.value(for: "other") == nil)
        // Without grace, a change to a source has the next lookup rebuild; lookups meanwhile
        // are served the late value until the rebuild is stored.
        clock.record("s6")
        #expect(cache.value(for: "page") == nil)
        #expect(cache.value(for: "page") == 1)
        cache.store(2, for: "page", stamp: clock.stamp(), strict: [4], accounts: [5], statuses: [6], cost: 10)
        #expect(cache.value(for: "page") == 2)
        // A change to a strict source drops it at once.
        clock.record("a4")
        #expect(cache.value(for: "page") == nil)
        #expect(cache.value(for: "page") == nil)
        let stats = cache.statistics
        #expect(stats.hits == 3 && stats.misses == 4 && stats.entries == 0 && stats.cost == 0)
        // A value read while changes were not followed is not kept.
        cache.store(3, for: "page", stamp: nil, strict: [])
        #expect(cache.value(for: "page") == nil)
        // Nor is anything once changes stop being followed.
        cache.store(4, for: "page", stamp: clock.stamp(), strict: [])
        clock.following(false)
        #expect(cache.value(for: "page") == nil)
    }

    @Test func lateValuesAreServedForTheGraceThenRebuiltOnce() async throws {
        let clock = following()
        let cache = StampedCache<String, Int>(clock: clock, capacity: 1000, lifetime: .seconds(60), grace: .milliseconds(100))
        cache.store(1, for: "page", stamp: clock.stamp(), strict: [1], accounts: [2])
        clock.record("a2")
        #expect(cache.value(for: "page") == 1, "late, within the grace")
        try await Task.sleep(for: .milliseconds(150))
        #expect(cache.value(for: "page") == nil, "past the grace: this lookup rebuilds")
        #expect(cache.value(for: "page") == 1, "the others meanwhile get the late value")
        cache.store(2, for: "page", stamp: clock.stamp(), strict: [1], accounts: [2])
        #expect(cache.value(for: "page") == 2)
        // The reader's own change is not held back by the grace.
        clock.record("a1")
        #expect(cache.value(for: "page") == nil)
    }

    @Test func cacheEntriesExpireAndCapacityHolds() async throws {
        let clock = following()
        let short = StampedCache<Int, Int>(clock: clock, capacity: 1000, lifetime: .milliseconds(20))
        short.store(1, for: 1, stamp: clock.stamp(), strict: [])
        try await Task.sleep(for: .milliseconds(40))
        #expect(short.value(for: 1) == nil)

        let small = StampedCache<Int, Int>(clock: clock, capacity: 100, lifetime: .seconds(60))
        small.store(0, for: 0, stamp: clock.stamp(), strict: [], cost: 26)
        #expect(small.value(for: 0) == nil, "an entry over a quarter of the capacity is not kept")
        for key in 1...20 { small.store(key, for: key, stamp: clock.stamp(), strict: [], cost: 10) }
        let stats = small.statistics
        #expect(stats.cost <= 100 && stats.entries == stats.cost / 10 && stats.entries > 0)
    }

    /// Builds that wait until released, and how many were started.
    final class Builds: Sendable {
        let started = Mutex(0)
        let open = Mutex(false)

        func build(_ value: Int) async throws -> StampedCache<String, Int>.Built {
            started.withLock { $0 += 1 }
            while !open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            return .init(value: value)
        }

        func waitForStart(_ count: Int) async throws {
            for _ in 0..<2000 where started.withLock({ $0 }) < count { try await Task.sleep(for: .milliseconds(5)) }
            #expect(started.withLock { $0 } == count)
        }
    }

    @Test func concurrentMissesOfOneKeyShareOneBuild() async throws {
        let clock = following()
        let cache = StampedCache<String, Int>(clock: clock, capacity: 1000, lifetime: .seconds(60))
        let builds = Builds()
        let first = Task { try await cache.value(for: "page", strict: [1]) { try await builds.build(7) } }
        try await builds.waitForStart(1)
        let others = (0..<50).map { _ in Task { try await cache.value(for: "page", strict: [1]) { try await builds.build(8) } } }
        try await Task.sleep(for: .milliseconds(50))
        builds.open.withLock { $0 = true }
        #expect(try await first.value == 7)
        for other in others { #expect(try await other.value == 7) }
        #expect(builds.started.withLock { $0 } == 1)
        #expect(cache.sharedBuilds == 50)
        #expect(cache.value(for: "page") == 7, "the shared build was kept")
    }

    @Test func aReaderDoesNotShareABuildBegunBeforeItsOwnChange() async throws {
        let clock = following()
        let cache = StampedCache<String, Int>(clock: clock, capacity: 1000, lifetime: .seconds(60))
        let builds = Builds()
        let before = Task { try await cache.value(for: "page", strict: [1]) { try await builds.build(1) } }
        try await builds.waitForStart(1)
        clock.record("a1")
        let after = Task { try await cache.value(for: "page", strict: [1]) { try await builds.build(2) } }
        try await builds.waitForStart(2)
        // Nor one begun before a change to everything.
        clock.record("g")
        let afterEverything = Task { try await cache.value(for: "page", strict: [1]) { try await builds.build(3) } }
        try await builds.waitForStart(3)
        builds.open.withLock { $0 = true }
        #expect(try await before.value == 1)
        #expect(try await after.value == 2)
        #expect(try await afterEverything.value == 3)
        #expect(cache.sharedBuilds == 0)
    }

    struct Refused: Error {}

    @Test func aFailedBuildFailsItsWaitersAndIsNotKept() async throws {
        let clock = following()
        let cache = StampedCache<String, Int>(clock: clock, capacity: 1000, lifetime: .seconds(60))
        let started = Mutex(0)
        let failing: @Sendable () async throws -> StampedCache<String, Int>.Built = {
            started.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(100))
            throw Refused()
        }
        let lookups = (0..<5).map { _ in Task { try await cache.value(for: "page", strict: [1], build: failing) } }
        for lookup in lookups { await #expect(throws: Refused.self) { try await lookup.value } }
        #expect(started.withLock { $0 } == 1)
        #expect(try await cache.value(for: "page", strict: [1]) { .init(value: 9) } == 9, "the next lookup builds again")
    }
}
