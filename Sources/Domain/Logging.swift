import Logging

extension Logger {
    /// The logger of the request or job this code runs for, when one is bound (the request log
    /// middleware binds each request's, with its `hb.request.id`; the inbox and delivery workers
    /// bind each activity's and delivery's, with `activity_id`, `actor`, `inbox`), else
    /// `fallback`. Storage and outgoing HTTP log with it, so their lines name what they were for.
    public static func current(or fallback: Logger) -> Logger {
        let current = Logger.current
        // swift-log's unbound default has an empty label.
        return current.label.isEmpty ? fallback : current
    }
}
