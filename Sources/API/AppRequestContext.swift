import Hummingbird

/// The request context of every Kith route. Later layers (authentication, signature
/// verification) add their fields here.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
