import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// `/api/v1/instance`, `/api/v2/instance` and what else describes the node to apps: its peers and custom emoji.
public struct InstanceController: Sendable {
    public struct Settings: Sendable {
        public var node: NodeIdentity
        public var softwareVersion: String
        public var registrationMode: RegistrationMode
        public var maxPostLength: Int

        public init(node: NodeIdentity, softwareVersion: String, registrationMode: RegistrationMode, maxPostLength: Int) {
            self.node = node
            self.softwareVersion = softwareVersion
            self.registrationMode = registrationMode
            self.maxPostLength = maxPostLength
        }

        /// What clients parse to decide which features to use: Mastodon's version first.
        var version: String { "4.3.0 (compatible; Kith \(softwareVersion))" }
    }

    let statistics: any NodeStatistics
    let timelines: any TimelineRepository
    let settings: Settings

    public init(statistics: any NodeStatistics, timelines: any TimelineRepository, settings: Settings) {
        self.statistics = statistics
        self.timelines = timelines
        self.settings = settings
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        // The router matches these with and without a trailing slash.
        router.get("/api/v1/instance") { _, _ in MastodonAPI.respond(try await self.instance(.v1)) }
        router.get("/api/v2/instance") { _, _ in MastodonAPI.respond(try await self.instance(.v2)) }
        router.get("/api/v1/custom_emojis") { _, _ in MastodonAPI.respond([]) }
        router.get("/api/v1/instance/peers") { _, _ in
            MastodonAPI.respond(try await self.timelines.peers())
        }
    }

    func instance(_ version: MastodonInstance.Version) async throws -> MastodonInstance {
        let usage = try await statistics.usage()
        return MastodonInstance(
            version: version, domain: settings.node.domain, baseURL: settings.node.baseURL, softwareVersion: settings.version,
            maxPostLength: settings.maxPostLength, registrationMode: settings.registrationMode, users: usage.users, localPosts: usage.localPosts,
            activeMonth: usage.activeMonth)
    }
}
