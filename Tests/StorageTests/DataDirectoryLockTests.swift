import KithTestSupport
import Storage
import Testing

@Suite struct DataDirectoryLockTests {
    @Test func onlyOneHolderAtATime() async throws {
        let dir = try TemporaryDirectory("kith-lock")
        defer { dir.remove() }
        var first = try await DataDirectoryLock.acquire(dataDirectory: dir.path)
        #expect(first != nil)
        #expect(try await DataDirectoryLock.acquire(dataDirectory: dir.path, wait: .milliseconds(300)) == nil)
        first = nil  // released when the holder goes away (or its process dies)
        #expect(first == nil)
        let second = try await DataDirectoryLock.acquire(dataDirectory: dir.path)
        #expect(second != nil)
    }
}
