import Domain
import Federation
import HTTPSignatures
import Hummingbird

/// Authorized fetch: who asks for an ActivityPub document. With it on (the default), every GET
/// of an object or collection must be signed by an actor of a node this one federates with;
/// unsigned requests get 401, signers from other nodes 403. A signature is checked whenever one
/// is present, since it is also what lets followers-only and direct posts be served.
public struct FetchAuthorizer: Sendable {
    let receiver: InboxReceiver
    let node: NodeIdentity
    /// Signatures required on every document GET.
    public let required: Bool

    public init(receiver: InboxReceiver, node: NodeIdentity, required: Bool) {
        self.receiver = receiver
        self.node = node
        self.required = required
    }

    static func isSigned(_ request: Request) -> Bool {
        request.headers[.init("Signature")!] != nil || request.headers[.init("Signature-Input")!] != nil
            || (request.headers[.authorization]?.lowercased().hasPrefix("signature ") ?? false)
    }

    /// The verified signer, or nil for an unsigned request when signatures are not required.
    public func requester(_ request: Request) async throws -> Account? {
        guard Self.isSigned(request) else {
            if required {
                throw KithError(.unauthorized, "this node serves ActivityPub documents only to requests signed by a node it federates with")
            }
            return nil
        }
        return try await receiver.signer(of: Self.signable(request, baseURL: node.baseURL, body: []))
    }

    /// The verified signer, or nil for any unsigned request (for documents that have a minimal
    /// public form, such as an actor's key).
    public func optionalRequester(_ request: Request) async throws -> Account? {
        guard Self.isSigned(request) else { return nil }
        return try await requester(request)
    }

    /// The request as the signature verifier sees it.
    static func signable(_ request: Request, baseURL: String, body: [UInt8]) -> SignableRequest {
        var headers = HeaderFields(request.headers.map { (name: $0.name.canonicalName, value: $0.value) })
        if let authority = request.head.authority { headers.set("Host", authority) }
        return SignableRequest(method: request.method.rawValue, targetURI: baseURL + request.uri.description, headers: headers, body: body)
    }
}
