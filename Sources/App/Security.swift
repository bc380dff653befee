import Core
import HTTPSignatures
import HummingbirdBcrypt
import NIOPosix

/// bcrypt (cost 12) on NIO's blocking thread pool, so hashing never stalls the event loops or
/// Swift's cooperative threads.
public struct BcryptPasswordHasher: PasswordHasher {
    public var cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// RSA-2048 actor keys, generated off the cooperative pool (it takes tens of milliseconds).
public struct RSAActorKeyGenerator: ActorKeyGenerator {
    public init() {}

    public func makeKeyPair() async throws -> (publicKeyPEM: String, privateKeyPEM: String) {
        let pair = try await NIOThreadPool.singleton.runIfActive { try RSAKeyPair.generate() }
        return (pair.publicKeyPEM, pair.privateKeyPEM)
    }
}

/// 20 characters from a 57-symbol alphabet without look-alikes (about 117 bits), drawn from
/// the system's CSPRNG.
public struct RandomPasswordGenerator: PasswordGenerator {
    static let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    public init() {}

    public func makePassword() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in Self.alphabet.randomElement(using: &rng)! })
    }
}
