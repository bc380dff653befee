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

    static let json = "application/json; charset=utf-8"

    public func addRoutes(to router: Router<AppRequestContext>) {
        // The router matches these with and without a trailing slash.
        router.get("/api/v1/instance") { _, _ in DocumentResponse.json(try await self.instanceV1(), contentType: Self.json) }
        router.get("/api/v2/instance") { _, _ in DocumentResponse.json(try await self.instanceV2(), contentType: Self.json) }
        router.get("/api/v1/custom_emojis") { _, _ in DocumentResponse.json([], contentType: Self.json) }
        router.get("/api/v1/instance/peers") { _, _ in
            DocumentResponse.json(.array(try await self.timelines.peers().map { .string($0) }), contentType: Self.json)
        }
    }

    var configuration: [String: JSONValue] {
        [
            "accounts": ["max_featured_tags": 10, "max_pinned_statuses": 5],
            "statuses": [
                "max_characters": .number(Double(settings.maxPostLength)), "max_media_attachments": 4, "characters_reserved_per_url": 23,
                // Posts may be kept on this node (`local_only` on create), as Hometown and glitch-soc offer.
                "local_only": true,
            ],
            "media_attachments": [
                "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"], "image_size_limit": 16_777_216,
                "image_matrix_limit": 33_177_600, "video_size_limit": 103_809_024, "video_frame_rate_limit": 120,
                "video_matrix_limit": 8_294_400,
            ],
            "polls": ["max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746],
        ]
    }

    var registrationsOpen: Bool { settings.registrationMode == .open || settings.registrationMode == .approval }

    func instanceV1() async throws -> JSONValue {
        let usage = try await statistics.usage()
        return [
            "uri": .string(settings.node.domain),
            "title": .string(settings.node.domain),
            "short_description": "A Kith node: the enterprise social network.",
            "description": "A Kith node: the enterprise social network.",
            "email": "",
            "version": .string(settings.version),
            "urls": ["streaming_api": .string(settings.node.baseURL.replacingOccurrences(of: "http", with: "ws", options: .anchored))],
            "stats": [
                "user_count": .number(Double(usage.users)), "status_count": .number(Double(usage.localPosts)), "domain_count": 0,
            ],
            "thumbnail": .null,
            "languages": ["en"],
            "registrations": .bool(registrationsOpen),
            "approval_required": .bool(settings.registrationMode == .approval),
            "invites_enabled": .bool(settings.registrationMode == .invite),
            "configuration": .object(configuration),
            "contact_account": .null,
            "rules": [],
        ]
    }

    func instanceV2() async throws -> JSONValue {
        let usage = try await statistics.usage()
        var configuration = self.configuration
        configuration["urls"] = ["streaming": .string(settings.node.baseURL.replacingOccurrences(of: "http", with: "ws", options: .anchored))]
        configuration["translation"] = ["enabled": false]
        return [
            "domain": .string(settings.node.domain),
            "title": .string(settings.node.domain),
            "version": .string(settings.version),
            "source_url": .string(settings.node.baseURL),
            "description": "A Kith node: the enterprise social network.",
            "usage": ["users": ["active_month": .number(Double(usage.activeMonth))]],
            "thumbnail": ["url": ""],
            "icon": [],
            "languages": ["en"],
            "configuration": .object(configuration),
            "registrations": [
                "enabled": .bool(registrationsOpen), "approval_required": .bool(settings.registrationMode == .approval), "message": .null,
            ],
            "api_versions": ["mastodon": 2],
            "contact": ["email": "", "account": .null],
            "rules": [],
        ]
    }
}
