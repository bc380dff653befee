import Crypto

/// An actor's Ed25519 key as FEP-521a publishes it (a `Multikey` in `assertionMethod`):
/// `publicKeyMultibase` is `z` + base58btc of the multicodec prefix `0xed 0x01` and the 32-byte
/// key. Object integrity proofs (FEP-8b32, eddsa-jcs-2022) are made and checked with it.
public enum Multikey {
    static let ed25519Prefix: [UInt8] = [0xED, 0x01]

    /// The multibase text of an Ed25519 public key.
    public static func encode(ed25519 key: Curve25519.Signing.PublicKey) -> String {
        "z" + Base58.encode(ed25519Prefix + Array(key.rawRepresentation))
    }

    /// The Ed25519 public key in a `publicKeyMultibase`; nil when it is not one.
    public static func decodeEd25519(_ multibase: String) -> Curve25519.Signing.PublicKey? {
        guard multibase.hasPrefix("z"), let bytes = Base58.decode(String(multibase.dropFirst())), bytes.count == 34,
            Array(bytes.prefix(2)) == ed25519Prefix
        else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: bytes.dropFirst(2))
    }
}

/// Base58 with Bitcoin's alphabet (multibase `z`).
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        var digits: [UInt8] = []  // base 58, least significant first
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        let text = [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }
        return String(decoding: text, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        let zeros = characters.prefix { $0 == alphabet[0] }.count
        var bytes: [UInt8] = []  // base 256, least significant first
        for character in characters.dropFirst(zeros) {
            guard character < 128, values[Int(character)] >= 0 else { return nil }
            var carry = Int(values[Int(character)])
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
