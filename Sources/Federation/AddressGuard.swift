import Domain
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Refuses outgoing requests to loopback, private, link-local and other non-public addresses
/// (server-side request forgery), unless the node is configured to allow them.
public enum AddressGuard {
    /// Resolves `host` and throws `.forbidden` if any of its addresses is not public.
    public static func check(host: String, allowPrivate: Bool) async throws {
        if allowPrivate { return }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await resolve(bare)
        guard !addresses.isEmpty else { throw KithError(.unavailable, "\(host) does not resolve") }
        for address in addresses where !isPublic(address) {
            throw KithError(.forbidden, "\(host) resolves to a private or loopback address; set federation.allow_private_addresses to allow it")
        }
    }

    /// The IPv4 (4 bytes) and IPv6 (16 bytes) addresses of `host`.
    static func resolve(_ host: String) async throws -> [[UInt8]] {
        if let literal = parse(host) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [[UInt8]] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                        withUnsafeBytes(of: address.pointee.sin_addr) { addresses.append(Array($0)) }
                    }
                } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                        withUnsafeBytes(of: address.pointee.sin6_addr) { addresses.append(Array($0)) }
                    }
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }

    /// Parses an IPv4 or IPv6 literal.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
        return nil
    }

    /// Whether an address is on the public internet.
    public static func isPublic(_ address: [UInt8]) -> Bool {
        if address.count == 4 {
            let (a, b) = (address[0], address[1])
            switch a {
            case 0, 10, 127: return false
            case 100 where (64...127).contains(b): return false  // carrier-grade NAT
            case 169 where b == 254: return false  // link-local
            case 172 where (16...31).contains(b): return false
            case 192 where b == 168: return false
            case 192 where b == 0 && address[2] == 0: return false
            case 198 where b == 18 || b == 19: return false  // benchmarking
            case 224...255: return false  // multicast, reserved, broadcast
            default: return true
            }
        }
        guard address.count == 16 else { return false }
        if address.allSatisfy({ $0 == 0 }) { return false }  // ::
        if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return false }  // ::1
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xff && address[11] == 0xff {
            return isPublic(Array(address[12..<16]))  // IPv4-mapped
        }
        if address[0] & 0xfe == 0xfc { return false }  // fc00::/7 unique local
        if address[0] == 0xfe && address[1] & 0xc0 == 0x80 { return false }  // fe80::/10 link-local
        if address[0] == 0xff { return false }  // multicast
        return true
    }
}
