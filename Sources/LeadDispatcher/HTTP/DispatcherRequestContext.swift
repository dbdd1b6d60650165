import Hummingbird
import HummingbirdAuth
import LeadStore
import Logging
import NIOCore

/// The per-request context: Hummingbird's core storage plus who is behind the request — the bearer
/// token (API) or the signed-in user (console) — once the auth middleware has seen it.
public struct DispatcherRequestContext: RequestContext, SessionRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token behind the request; nil on the routes that need none.
    public var token: AccessToken?
    /// The console session, as hummingbird-auth's `SessionMiddleware` loaded it (console routes only).
    public let sessions: SessionContext<ConsoleSession>
    /// The signed-in console user, once `ConsoleAuthMiddleware` has checked the session.
    public var consoleUser: ConsoleUser?
    /// The client's socket address, kept as NIO has it; put into words only for a sign-in.
    private let remoteAddress: SocketAddress?
    /// The client's address (without the port), for limits on failed sign-ins.
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        token = nil
        sessions = .init()
        consoleUser = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The actor that audit events name for changes made by this request.
    public var actor: AuditActor {
        if let consoleUser { return .user(id: consoleUser.id, name: consoleUser.name) }
        return token.map { AuditActor.token(id: $0.id, name: $0.name) } ?? .service
    }
}
