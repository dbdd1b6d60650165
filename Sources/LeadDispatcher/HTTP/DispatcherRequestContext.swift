import Hummingbird
import LeadStore
import Logging

/// The per-request context: Hummingbird's core storage plus the bearer token that authenticated the
/// request, once the auth middleware has seen it.
public struct DispatcherRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token behind the request; nil on the routes that need none.
    public var token: AccessToken?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        token = nil
    }

    /// The actor that audit events name for changes made by this request.
    public var actor: AuditActor {
        token.map { AuditActor.token(id: $0.id, name: $0.name) } ?? .service
    }
}
