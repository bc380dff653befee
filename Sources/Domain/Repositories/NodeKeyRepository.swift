/// Storage of the node's own key pairs.
public protocol NodeKeyRepository: Sendable {
    /// The key pair stored under `name`; when there is none, stores `make()`'s. Concurrent
    /// callers all get the same pair.
    func keyPair(named name: String, orCreate make: @Sendable () async throws -> NodeKeyPair) async throws -> NodeKeyPair
}
