import Core
import Domain
import Hummingbird

extension ClientAPIController {
    /// The signed-in account, if its token grants `scope` and its role is staff (moderator or
    /// more; admin or more with `adminOnly`), and how the audit log names it: 403 otherwise, as
    /// Mastodon answers.
    func staff(_ request: Request, _ context: AppRequestContext, scope: String, adminOnly: Bool) async throws -> (Account, AuditActor) {
        let (_, account) = try await user(request, scope: scope)
        guard adminOnly ? account.role.isAdmin : account.role.isStaff else { throw KithError(.forbidden, "This action is not allowed") }
        return (account, auditActor(account, request, context))
    }

    /// How the audit log names a signed-in account acting through the API.
    func auditActor(_ account: Account, _ request: Request, _ context: AppRequestContext) -> AuditActor {
        AuditActor(accountID: account.id, label: account.username, address: context.clientAddress(request))
    }

    /// A numeric path parameter (`id` unless named); 404 when it is not a number.
    static func pathID(_ context: AppRequestContext, _ name: String = "id") throws -> Int64 {
        guard let id = Int64(try context.parameters.require(name)) else { throw KithError(.notFound, "Record not found") }
        return id
    }

    /// Runs `body`, reporting its input errors as Mastodon does: 422 "Validation failed: …".
    static func validated<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as KithError where error.kind == .invalidInput {
            throw KithError(.unprocessable, "Validation failed: \(error.message)")
        }
    }
}
