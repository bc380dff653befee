import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// `/api/v1/notifications`: the reader's notifications, one, all cleared, one dismissed.
public struct NotificationsController: Sendable {
    let api: MastodonAPI

    public init(api: MastodonAPI) {
        self.api = api
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/notifications") { request, context in
            let viewer = try context.user(scope: "read:notifications")
            let parameters = try await RequestParameters.parse(request)
            let page = try MastodonAPI.page(request)
            let notifications = try await self.api.d.notifications.notifications(
                accountID: viewer.id, types: parameters.list("types"), excludeTypes: parameters.list("exclude_types"), page: page)
            var entities: [MastodonNotification] = []
            for notification in notifications {
                if let entity = try await self.api.notificationEntity(notification, viewer: viewer) { entities.append(entity) }
            }
            return MastodonAPI.respond(entities, headers: self.api.link(request, first: notifications.first?.id, last: notifications.last?.id))
        }
        router.post("/api/v1/notifications/clear") { request, context in
            let viewer = try context.user(scope: "write:notifications")
            try await self.api.d.notifications.clearNotifications(accountID: viewer.id)
            return MastodonAPI.respond([:])
        }
        router.get("/api/v1/notifications/:id") { request, context in
            let viewer = try context.user(scope: "read:notifications")
            guard let notification = try await self.api.d.notifications.notification(id: try MastodonAPI.pathID(context), accountID: viewer.id),
                let entity = try await self.api.notificationEntity(notification, viewer: viewer)
            else { throw KithError(.notFound, "Record not found") }
            return MastodonAPI.respond(entity)
        }
        router.post("/api/v1/notifications/:id/dismiss") { request, context in
            let viewer = try context.user(scope: "write:notifications")
            guard try await self.api.d.notifications.dismissNotification(id: try MastodonAPI.pathID(context), accountID: viewer.id) else {
                throw KithError(.notFound, "Record not found")
            }
            return MastodonAPI.respond([:])
        }
    }
}
