import ActivityStreams
import Domain

/// Handles inbound activities of some types. The inbox verified the actor's key and the actor
/// is not suspended; a handler checks the rest (who may do this to what) and is idempotent, so
/// an item taken again after a crash does no harm. A handler that needs a peer that did not
/// answer throws `.unavailable`, and the item is tried again later.
public protocol InboundHandler: Sendable {
    /// The activity types (`type`) it handles.
    var types: [String] { get }
    func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws
}

/// The handlers by activity type: what this node understands of what it receives. Built once,
/// in App; a type with no handler is kept and marked done.
public struct InboundHandlers: Sendable {
    let byType: [String: any InboundHandler]

    public init(_ handlers: [any InboundHandler]) {
        var table: [String: any InboundHandler] = [:]
        for handler in handlers {
            for type in handler.types {
                precondition(table[type] == nil, "two inbound handlers for \(type)")
                table[type] = handler
            }
        }
        byType = table
    }

    public subscript(type: String) -> (any InboundHandler)? { byType[type] }

    /// The activity types handled, sorted.
    public var types: [String] { byType.keys.sorted() }
}
