import ActivityStreams
import Domain
import Federation
import Hummingbird

/// Actor documents, WebFinger, host-meta and NodeInfo: what a peer reads to find and
/// authenticate this node's actors.
public struct FederationDocumentsController<Context: RequestContext>: Sendable {
    public struct Settings: Sendable {
        public var node: NodeIdentity
        public var softwareVersion: String
        public var openRegistrations: Bool
        public var federationMode: String

        public init(node: NodeIdentity, softwareVersion: String, openRegistrations: Bool, federationMode: String) {
            self.node = node
            self.softwareVersion = softwareVersion
            self.openRegistrations = openRegistrations
            self.federationMode = federationMode
        }
    }

    let accounts: any AccountRepository
    let statistics: any NodeStatistics
    let keys: NodeKeys
    let settings: Settings
    /// Authorized fetch: without a valid signature, actors are served in their minimal form.
    let authorizer: FetchAuthorizer?
    /// Who may read a secret group's full document (its members, or their nodes' actors).
    let groups: (any GroupRepository)?
    /// Accounts' Ed25519 keys for object integrity proofs, published in their documents.
    let assertionKeys: AssertionKeys?

    public init(
        accounts: any AccountRepository, statistics: any NodeStatistics, keys: NodeKeys, settings: Settings, authorizer: FetchAuthorizer?,
        groups: (any GroupRepository)? = nil, assertionKeys: AssertionKeys? = nil
    ) {
        self.groups = groups
        self.assertionKeys = assertionKeys
        self.accounts = accounts
        self.statistics = statistics
        self.keys = keys
        self.settings = settings
        self.authorizer = authorizer
    }

    var node: NodeIdentity { settings.node }

    public func addRoutes(to router: Router<Context>) {
        router.get("/users/:username") { request, context in
            let account = try await self.localAccount(try context.parameters.require("username"))
            let key = try await self.assertionKeys?.published(by: account)
            if account.isConcealedGroup {
                // A secret group shows its profile to its members and their nodes only; anyone
                // else gets its keys and inboxes.
                if let signer = try await self.authorizer?.optionalRequester(request), let groups = self.groups,
                    try await groups.mayRead(groupID: account.id, signer: signer)
                {
                    return DocumentResponse.activityStreams(ActorDocuments.person(account, node: self.node, assertionKey: key), request: request)
                }
                return DocumentResponse.activityStreams(ActorDocuments.minimal(account, node: self.node, assertionKey: key), request: request)
            }
            if let authorizer = self.authorizer, authorizer.required, try await authorizer.optionalRequester(request) == nil {
                return DocumentResponse.activityStreams(ActorDocuments.minimal(account, node: self.node, assertionKey: key), request: request)
            }
            return DocumentResponse.activityStreams(ActorDocuments.person(account, node: self.node, assertionKey: key), request: request)
        }
        router.get("/actor") { request, _ in
            let key = try await self.keys.applicationKeyPair()
            return DocumentResponse.activityStreams(ActorDocuments.application(node: self.node, publicKeyPEM: key.publicKeyPEM), request: request)
        }
        router.get("/.well-known/webfinger") { request, _ in
            try await self.webfinger(request)
        }
        router.get("/.well-known/host-meta") { request, _ in
            let accept = request.headers[.accept] ?? ""
            if accept.contains("json") {
                return DocumentResponse.json(WebFinger.hostMetaJSON(node: self.node), contentType: "application/json")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/xrd+xml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WebFinger.hostMetaXML(node: self.node))))
        }
        router.get("/.well-known/host-meta.json") { _, _ in
            DocumentResponse.json(WebFinger.hostMetaJSON(node: self.node), contentType: "application/json")
        }
        router.get("/.well-known/nodeinfo") { _, _ in
            DocumentResponse.json(NodeInfo.wellKnown(node: self.node), contentType: "application/json")
        }
        router.get("/nodeinfo/:version") { _, context in
            let version = try context.parameters.require("version")
            guard NodeInfo.versions.contains(version) else {
                throw KithError(.notFound, "NodeInfo \(version) is not served; try 2.0 or 2.1")
            }
            let usage = try await self.statistics.usage()
            return DocumentResponse.json(
                NodeInfo.document(
                    version: version, softwareVersion: self.settings.softwareVersion, usage: usage,
                    openRegistrations: self.settings.openRegistrations, node: self.node, federationMode: self.settings.federationMode),
                contentType: NodeInfo.mediaType(version))
        }
    }

    func localAccount(_ username: String) async throws -> Account {
        guard let account = try await accounts.findLocal(username: username) else {
            throw KithError(.notFound, "no account named '\(username)' on this node")
        }
        return account
    }

    func webfinger(_ request: Request) async throws -> Response {
        guard let resource = request.uri.queryParameters["resource"].map(String.init) else {
            throw KithError(.invalidInput, "the resource parameter is required")
        }
        let document: JSONValue
        switch try WebFinger.parse(resource: resource, node: node) {
        case .application:
            document = WebFinger.document(
                username: node.domain, actorURI: node.applicationActorURI, profileURL: nil, node: node)
        case .account(let username):
            let account = try await localAccount(username)
            // Secret groups are not found: members know their address.
            if account.isConcealedGroup { throw KithError(.notFound, "no account named '\(username)' on this node") }
            document = WebFinger.document(username: account.username, actorURI: account.uri, profileURL: account.url, node: node)
        }
        var response = DocumentResponse.json(document, contentType: WebFinger.mediaType)
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }
}
