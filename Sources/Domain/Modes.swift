/// Which remote nodes a node federates with.
public enum FederationMode: String, Sendable, CaseIterable, Codable {
    /// Only nodes on the allow list (the enterprise default: a closed group of companies).
    case allowlist
    /// Every node except those on the block list (open federation, as Mastodon does).
    case blocklist
}

/// Who may create an account on a node.
public enum RegistrationMode: String, Sendable, CaseIterable, Codable {
    /// Only admins create accounts (the enterprise default).
    case closed
    /// People with an invitation link may sign up.
    case invite
    /// Anyone may apply; an admin approves.
    case approval
    /// Anyone may sign up.
    case open
}
