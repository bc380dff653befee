/// An actor's Ed25519 public key for object integrity proofs (FEP-8b32), as it publishes it in
/// `assertionMethod` (FEP-521a): the key's id and its `publicKeyMultibase`.
public struct AssertionKey: Sendable, Equatable {
    public var id: String
    public var multibase: String

    public init(id: String, multibase: String) {
        self.id = id
        self.multibase = multibase
    }
}
