import Foundation
import LeadPolicy

/// An account: a Buying Buddy account and its Admin user's key (for the CRM's own round robin).
enum AccountForm: ConsoleEntityForm {
    typealias Entity = Account
    static let noun = "account"
    static let section = "/console/accounts"

    static func values(_ account: Account) -> [String: String] {
        ["id": account.id, "name": account.name, "crm_url": account.crmURL ?? ""]
    }

    static func defaults(_ policy: Policy) -> [String: String] { [:] }

    static func fields(_ values: [String: String], creating: Bool, policy: Policy, mask: String?, errors: [String: String]) -> [FormField] {
        idField(values, creating: creating, errors: errors) + [
            FormField("name", "Name", value: values["name"] ?? "", required: true, errors: errors),
            keyField("admin_api_key", "Admin user's Lead Import API key", creating: creating, mask: mask, errors: errors),
            FormField("crm_url", "CRM URL", value: values["crm_url"] ?? "",
                      hint: "Optional: where this account's leads are posted, when not the service's own CRM URL.", errors: errors),
        ]
    }

    static func body(_ form: [String: String], creating: Bool) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if creating { body["id"] = FormBody.text(form, "id", clearing: false) }
        body["name"] = FormBody.text(form, "name", clearing: true)
        body["crm_url"] = FormBody.text(form, "crm_url", clearing: !creating)
        body["admin_api_key"] = FormBody.text(form, "admin_api_key", clearing: false)
        return body
    }

    static func facts(_ account: Account, policy: Policy) -> [EntityPage.Fact] {
        let agents = policy.agents.filter { $0.accountID == account.id }
        return [
            EntityPage.fact("Agents", agents.isEmpty ? "none yet" : agents.map(\.name).joined(separator: ", "), link: "/console/agents"),
            EntityPage.fact("Leads", "every lead delivered with this account's keys",
                            link: "/console/leads?account_id=\(ConsoleForm.percentEncoded(account.id))"),
        ]
    }

    static func actions(_ account: Account, policy: Policy) -> [EntityPage.Action] {
        let agents = policy.agents.filter { $0.accountID == account.id }
        var actions: [EntityPage.Action] = []
        if agents.contains(where: \.active) {
            actions.append(EntityPage.action("\(page(account.id))/pause", "Deactivate: pause all its agents",
                                             note: "Its agents stop getting leads from pools and direct rules; rules fall back."))
        }
        if agents.contains(where: { !$0.active }) {
            actions.append(EntityPage.action("\(page(account.id))/resume", "Resume all its agents"))
        }
        actions.append(EntityPage.action("\(page(account.id))/delete", "Delete this account", note: "Refused while agents or rules use it.", danger: true))
        return actions
    }
}
