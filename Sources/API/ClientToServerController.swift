import ActivityStreams
import Core
import Domain
import Federation
import Foundation
import Hummingbird

/// ActivityPub client-to-server: an account's owner POSTs activities (or bare objects) to its
/// outbox with a Bearer token, and reads its inbox. The same use cases as the Mastodon API run
/// underneath, so side effects and delivery are the same.
public struct ClientToServerController: Sendable {
    let api: MastodonAPI
    var d: MastodonAPI.Dependencies { api.d }

    public init(api: MastodonAPI) {
        self.api = api
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/users/:username/outbox") { request, context in
            let account = try context.user(scope: "write:statuses")
            try self.requireOwner(account, context)
            return try await self.post(request, account: account)
        }
        router.get("/users/:username/inbox") { request, context in
            let account = try context.user(scope: "read:statuses")
            try self.requireOwner(account, context)
            let page = try MastodonAPI.page(request)
            let statuses = try await self.d.timelines.homeTimeline(accountID: account.id, page: page).filter { $0.accountID != account.id }
            var items: [JSONValue] = []
            for status in statuses {
                guard let author = try await self.d.accounts.account(id: status.accountID) else { continue }
                if let originalID = status.reblogOfID, let original = try await self.d.statuses.status(id: originalID) {
                    items.append(ObjectDocuments.announce(status, originalURI: original.uri, author: author))
                } else {
                    var create = ObjectDocuments.create(status, author: author, node: self.d.node)
                    if !status.local, case .object(var object) = create {
                        object["id"] = .string(status.uri)  // remote activities' ids are not kept; the object's stands in
                        create = .object(object)
                    }
                    items.append(create)
                }
            }
            let id = account.uri + "/inbox"
            var collection: [String: JSONValue] = [
                "@context": "https://www.w3.org/ns/activitystreams", "id": .string(id), "type": "OrderedCollectionPage",
                "partOf": .string(id), "orderedItems": .array(items),
            ]
            if let last = statuses.last, statuses.count == page.limit { collection["next"] = .string("\(id)?max_id=\(last.id)") }
            return DocumentResponse.activityStreams(.object(collection), request: request)
        }
    }

    func requireOwner(_ account: Account, _ context: AppRequestContext) throws {
        guard account.username.lowercased() == (try context.parameters.require("username")).lowercased() else {
            throw KithError(.forbidden, "only the account's owner may use its outbox and inbox")
        }
    }

    func post(_ request: Request, account: Account) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let json: JSONValue
        do {
            json = try JSONValue.parse(body.readableBytesView)
        } catch {
            throw KithError(.invalidInput, "the body is not JSON")
        }
        let type = ASObject.types(of: json).first ?? ""
        if ASPost.postTypes.contains(type) {
            // A bare object is wrapped in a Create, as the spec says.
            return try await create(json, addressing: json, account: account)
        }
        let object = json["object"]
        switch type {
        case "Create":
            guard let object, object.objectValue != nil else { throw KithError(.invalidInput, "Create needs an embedded object") }
            return try await create(object, addressing: json, account: account)
        case "Follow":
            guard let target = object?.idValue else { throw KithError(.invalidInput, "Follow needs an object") }
            let follow = try await d.social.follow(accountID: account.id, target)
            return created(follow.uri ?? target)
        case "Like", "Announce":
            let status = try await statusNamed(object)
            if type == "Like" {
                try await d.social.like(accountID: account.id, statusID: status.id)
                return created(status.uri)
            }
            return created(try await d.social.boost(accountID: account.id, statusID: status.id).uri)
        case "Block":
            guard let target = object?.idValue, let blocked = try await d.accounts.account(uri: target) else {
                throw KithError(.notFound, "unknown actor to block")
            }
            try await d.social.block(accountID: account.id, targetAccountID: blocked.id)
            return created(blocked.uri)
        case "Undo":
            guard let inner = object, let innerType = ASObject.types(of: inner).first, let target = inner["object"]?.idValue else {
                throw KithError(.invalidInput, "Undo needs the embedded activity it undoes")
            }
            switch innerType {
            case "Follow", "Block":
                guard let other = try await d.accounts.account(uri: target) else { throw KithError(.notFound, "unknown actor") }
                if innerType == "Follow" {
                    try await d.social.unfollow(accountID: account.id, targetAccountID: other.id)
                } else {
                    try await d.social.unblock(accountID: account.id, targetAccountID: other.id)
                }
            case "Like":
                try await d.social.unlike(accountID: account.id, statusID: try await statusNamed(.string(target)).id)
            case "Announce":
                try await d.social.unboost(accountID: account.id, statusID: try await statusNamed(.string(target)).id)
            default:
                throw KithError(.invalidInput, "Undo of \(innerType) is not supported")
            }
            return created(target)
        case "Delete":
            let status = try await statusNamed(object)
            try await d.social.delete(accountID: account.id, statusID: status.id)
            return created(status.uri)
        case "Update":
            guard let object, ASObject.types(of: object).contains(where: ASActor.actorTypes.contains), object["id"]?.stringValue == account.uri else {
                throw KithError(.invalidInput, "only Update of the account's own actor is supported")
            }
            // The owner's HTML goes through the same allowlist as HTML from other servers.
            let updated = try await d.social.updateProfile(
                accountID: account.id,
                ProfileChange(
                    displayName: object["name"]?.stringValue.map(HTMLSanitizer.plainText),
                    note: object["summary"]?.stringValue.map(HTMLSanitizer.sanitize),
                    locked: object["manuallyApprovesFollowers"]?.boolValue, discoverable: object["discoverable"]?.boolValue,
                    fields: object["attachment"] == nil
                        ? nil
                        : ASActor.propertyValues(object).map { ProfileField(name: HTMLSanitizer.plainText($0.name), value: HTMLSanitizer.sanitize($0.value)) }))
            return created(updated.uri)
        default:
            throw KithError(.invalidInput, "activities of type '\(type)' are not supported in the outbox")
        }
    }

    func statusNamed(_ value: JSONValue?) async throws -> Status {
        guard let uri = value?.idValue, let status = try await d.statuses.status(uri: uri) else {
            throw KithError(.notFound, "unknown object \(value?.idValue ?? "")")
        }
        return status
    }

    /// A Note from a client: its text (from `source`, or the HTML with tags removed) is formatted
    /// as the Mastodon API formats posts; to/cc give the visibility and the addressees.
    func create(_ object: JSONValue, addressing: JSONValue, account: Account) async throws -> Response {
        let raw = object["source"]?["content"]?.stringValue ?? Self.stripTags(object["content"]?.stringValue ?? "")
        let to = (addressing["to"]?.idList ?? []) + (object["to"]?.idList ?? [])
        let cc = (addressing["cc"]?.idList ?? []) + (object["cc"]?.idList ?? [])
        let followers = account.followersURI ?? account.uri + "/followers"
        let status = try await d.composer.compose(
            .init(
                text: raw.trimmingCharacters(in: .whitespacesAndNewlines), visibility: Addressing.visibility(to: to, cc: cc, followers: followers),
                inReplyTo: object["inReplyTo"]?.idValue.map { .uri($0) },
                addressees: (to + cc).filter { !ASPublic.isPublic($0) && $0 != followers },
                spoilerText: object["summary"]?.stringValue ?? "", sensitive: object["sensitive"]?.boolValue ?? false),
            by: account)
        return created(status.uri + "/activity")
    }

    /// The text of a client's HTML: paragraphs and line breaks become newlines, tags go.
    static func stripTags(_ html: String) -> String {
        HTMLSanitizer.plainText(html.replacingOccurrences(of: "<br>", with: "\n").replacingOccurrences(of: "</p><p>", with: "\n\n"))
    }

    func created(_ location: String) -> Response {
        Response(status: .created, headers: [.location: location])
    }
}
