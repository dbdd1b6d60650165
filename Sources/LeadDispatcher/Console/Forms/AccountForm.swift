import Foundation
import LeadPolicy

/// An account: a Buying Buddy account and its Admin user's key (for the CRM's own round robin).
enum AccountForm: ConsoleEntityForm {
    typealias Entity = Account
    static let noun = "account"
    static let section = "/console/accounts"

    static func values(_ account: Account) -> [String: String] {
        ["id": account.id, "name": account.name, "crm_url": account.crmURL ?? "", "active": account.active ? "true" : "false"]
    }

    static func defaults(_ policy: Policy) -> [String: String] { ["active": "true"] }

    static func fields(_ values: [String: String], creating: Bool, policy: Policy, mask: String?, errors: [String: String]) -> [FormField] {
        idField(values, creating: creating, errors: errors) + [
            FormField("name", "Name", value: values["name"] ?? "", required: true, errors: errors),
            keyField("admin_api_key", "Admin user's Lead Import API key", creating: creating, mask: mask, errors: errors),
            FormField("crm_url", "CRM URL", value: values["crm_url"] ?? "",
                      hint: "Optional: where this account's leads are posted, when not the service's own CRM URL.", errors: errors),
            FormField("active", "State", kind: .select([("true", "active: takes leads"),
                                                        ("false", "inactive: its CRM Round Robin and its agents take no new leads")]),
                      value: values["active"] ?? "true", errors: errors),
        ]
    }

    static func body(_ form: [String: String], creating: Bool) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if creating { body["id"] = FormBody.text(form, "id", clearing: false) }
        body["name"] = FormBody.text(form, "name", clearing: true)
        body["crm_url"] = FormBody.text(form, "crm_url", clearing: !creating)
        body["admin_api_key"] = FormBody.text(form, "admin_api_key", clearing: false)
        body["active"] = FormBody.bool(form, "active")
        return body
    }

    static func facts(_ account: Account, policy: Policy) -> [EntityPage.Fact] {
        let agents = policy.agents.filter { $0.accountID == account.id }
        return [
            EntityPage.fact("State", account.active ? "active" : "inactive: takes no new leads"),
            EntityPage.fact("Agents", agents.isEmpty ? "none yet" : agents.map(\.name).joined(separator: ", "), link: "/console/agents"),
            EntityPage.fact("Leads", "every lead delivered with this account's keys",
                            link: "/console/leads?account_id=\(ConsoleForm.percentEncoded(account.id))"),
        ]
    }

    static func actions(_ account: Account, policy: Policy) -> [EntityPage.Action] {
        var actions = [account.active
            ? EntityPage.action("\(page(account.id))/deactivate", "Deactivate",
                                note: "Its CRM Round Robin and its agents take no new leads (rules fall back); leads already decided still go.")
            : EntityPage.action("\(page(account.id))/activate", "Activate", note: "Takes leads again.")]
        actions.append(EntityPage.action("\(page(account.id))/delete", "Delete this account", note: "Refused while agents or rules use it.", danger: true))
        return actions
    }
}
