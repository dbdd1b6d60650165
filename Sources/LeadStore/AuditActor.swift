import Foundation

/// Who made a change: a bearer token (by id and name), a console user, a command-line invocation, or
/// the service.
public struct AuditActor: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case token, user, cli, service, vendor
    }

    public var kind: Kind
    public var id: String?
    public var name: String

    public init(kind: Kind, id: String?, name: String) {
        self.kind = kind
        self.id = id
        self.name = name
    }

    public static func token(id: String, name: String) -> AuditActor {
        AuditActor(kind: .token, id: id, name: name)
    }

    public static func user(id: String, name: String) -> AuditActor {
        AuditActor(kind: .user, id: id, name: name)
    }

    public static func cli(_ command: String) -> AuditActor {
        AuditActor(kind: .cli, id: nil, name: "lead-dispatcher \(command)")
    }

    public static let service = AuditActor(kind: .service, id: nil, name: "lead-dispatcher")

    public static func vendor(_ id: String) -> AuditActor {
        AuditActor(kind: .vendor, id: id, name: "vendor \(id)")
    }
}
