import Domain
import HTTPSignatures

/// The node's own key pairs, made on first use and cached for the life of the process.
public actor NodeKeys {
    public static let application = "application"
    let repository: any NodeKeyRepository
    var cache: [String: NodeKeyPair] = [:]

    public init(repository: any NodeKeyRepository) {
        self.repository = repository
    }

    /// The application actor's key pair (RSA-2048), created and stored the first time.
    public func applicationKeyPair() async throws -> NodeKeyPair {
        if let cached = cache[Self.application] { return cached }
        let pair = try await repository.keyPair(named: Self.application) {
            let generated = try RSAKeyPair.generate()
            return NodeKeyPair(publicKeyPEM: generated.publicKeyPEM, privateKeyPEM: generated.privateKeyPEM)
        }
        cache[Self.application] = pair
        return pair
    }
}
