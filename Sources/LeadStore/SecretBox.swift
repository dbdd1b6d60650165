import Crypto
import Foundation

/// Encrypts CRM keys at rest with AES-GCM under the master key.
///
/// The owner (`agent:jane`) is bound in as authenticated data, so a sealed key copied onto another
/// row does not open there.
public struct SecretBox: Sendable {
    let masterKey: MasterKey

    public init(masterKey: MasterKey) {
        self.masterKey = masterKey
    }

    public func seal(_ secret: String, owner: SecretOwner) throws -> Data {
        let box = try AES.GCM.seal(Data(secret.utf8), using: masterKey.key, authenticating: Data(owner.description.utf8))
        guard let combined = box.combined else {
            throw StoreError.masterKey("AES-GCM produced no combined representation")
        }
        return combined
    }

    public func open(_ sealed: Data, owner: SecretOwner) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let data = try AES.GCM.open(box, using: masterKey.key, authenticating: Data(owner.description.utf8))
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw StoreError.secretUnreadable(owner: owner.description)
        }
    }
}

/// The entity a CRM key belongs to.
public struct SecretOwner: Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind):\(id)" }
}
