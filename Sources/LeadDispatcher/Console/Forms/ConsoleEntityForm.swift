import Foundation
import LeadPolicy
import LeadStore

/// How the console shows and reads the form of one kind of policy entity: its inputs (named after the
/// admin API's fields), the API body a posted form stands for, and what its page shows around it.
protocol ConsoleEntityForm {
    associatedtype Entity: PolicyEntity

    /// "agent".
    static var noun: String { get }
    /// `/console/agents`.
    static var section: String { get }
    /// Whether the form offers a preview of a sample lead (rules).
    static var previews: Bool { get }
    /// Where the form is shown and posted: the entity's page, or `…/edit` where that page shows
    /// something else (a pool's rotation).
    static func editPath(_ id: String) -> String

    /// An existing entity as the form's values.
    static func values(_ entity: Entity) -> [String: String]
    /// A new entity's starting values.
    static func defaults(_ policy: Policy) -> [String: String]
    /// The inputs, showing `values` and each error beside its input.
    static func fields(_ values: [String: String], creating: Bool, policy: Policy, mask: String?, errors: [String: String]) -> [FormField]
    /// The admin API body the posted form stands for; editing, an emptied optional field clears it.
    static func body(_ form: [String: String], creating: Bool) -> [String: JSONValue]
    /// What the page says about an existing entity.
    static func facts(_ entity: Entity, policy: Policy) -> [EntityPage.Fact]
    /// The one-click actions on an existing entity.
    static func actions(_ entity: Entity, policy: Policy) -> [EntityPage.Action]
    /// Hidden inputs the form needs besides its fields (a pool's rows).
    static func hidden(_ values: [String: String], policy: Policy) -> [EntityPage.Hidden]
    /// The input an error of the API's `field` path belongs to (a pool's `members[k]` is the k-th
    /// ticked row of its form).
    static func inputPath(forError path: String, form: [String: String]) -> String
}

extension ConsoleEntityForm {
    static var previews: Bool { false }
    static func inputPath(forError path: String, form: [String: String]) -> String { path }
    static func hidden(_ values: [String: String], policy: Policy) -> [EntityPage.Hidden] { [] }

    static func page(_ id: String) -> String { "\(section)/\(ConsoleForm.percentEncoded(id))" }
    static func editPath(_ id: String) -> String { page(id) }

    /// The id input, only when creating: afterwards an id never changes.
    static func idField(_ values: [String: String], creating: Bool, errors: [String: String]) -> [FormField] {
        creating ? [FormField("id", "Id", value: values["id"] ?? "", hint: "Optional: lower-case letters, digits, - and _; made from the name when left empty. It never changes.",
                              errors: errors)] : []
    }

    /// A write-only key input: never filled in; an existing key is shown by its mask only.
    static func keyField(_ name: String, _ label: String, creating: Bool, mask: String?, errors: [String: String]) -> FormField {
        let hint = creating ? "The Buying Buddy Lead Import API key. It is stored sealed and never shown again (only its last four characters)."
            : "Stored as \(mask ?? SecretMask.prefix). Leave empty to keep it; type a new key to replace it."
        return FormField(name, label, kind: .secret, hint: hint, required: creating, errors: errors)
    }
}
