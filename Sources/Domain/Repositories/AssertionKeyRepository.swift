/// Where accounts' assertion keys are kept: the published key of any account, and the private
/// key of a local one.
public protocol AssertionKeyRepository: Sendable {
    /// The assertion key account `accountID` publishes, if it has one.
    func assertionKey(accountID: Int64) async throws -> AssertionKey?
    /// A local account's key pair (the private key as base64 of its 32-byte seed): the stored
    /// one, or else `made`, stored now. Two callers at once get the same pair.
    func localAssertionKey(accountID: Int64, made: (key: AssertionKey, privateKey: String)) async throws -> (key: AssertionKey, privateKey: String)
}
