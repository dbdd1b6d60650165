import Foundation
import LeadPolicy

/// A pool: its members (one row per agent, ticked to take part, with an optional weight of its own)
/// and its sticky days.
enum PoolForm: ConsoleEntityForm {
    typealias Entity = Pool
    static let noun = "pool"
    static let section = "/console/pools"

    static func editPath(_ id: String) -> String { page(id) + "/edit" }

    static func values(_ pool: Pool) -> [String: String] {
        var values = ["id": pool.id, "name": pool.name, "sticky_days": String(pool.stickyDays)]
        for (row, member) in pool.members.enumerated() {
            values["members[\(row)].agent_id"] = member.agentID
            values["members[\(row)].weight"] = member.weight.map(String.init) ?? ""
        }
        return values
    }

    static func defaults(_ policy: Policy) -> [String: String] { ["sticky_days": "0"] }

    /// The rows: the agents the values name first, in their order, then every other agent.
    static func rows(_ values: [String: String], policy: Policy) -> [String] {
        var agents: [String] = []
        var row = 0
        while let agentID = values["members[\(row)].agent_id"] ?? values["members[\(row)].row"] {
            if !agentID.isEmpty, !agents.contains(agentID) { agents.append(agentID) }
            row += 1
        }
        return agents + policy.agents.map(\.id).filter { !agents.contains($0) }
    }

    static func fields(_ values: [String: String], creating: Bool, policy: Policy, mask: String?, errors: [String: String]) -> [FormField] {
        var fields = idField(values, creating: creating, errors: errors) + [
            FormField("name", "Name", value: values["name"] ?? "", required: true, errors: errors),
            FormField("sticky_days", "Sticky days", kind: .number, value: values["sticky_days"] ?? "0",
                      hint: "A repeat lead (same email) within this many days goes to the agent it went to before, if still available; 0 is off.",
                      errors: errors),
        ]
        // Each row's ticked state and weight come from the row that showed the same agent.
        var byAgent: [String: (member: Bool, weight: String)] = [:]
        var row = 0
        while let agentID = values["members[\(row)].row"] ?? values["members[\(row)].agent_id"] {
            byAgent[agentID] = (values["members[\(row)].agent_id"] == agentID, values["members[\(row)].weight"] ?? "")
            row += 1
        }
        for (row, agentID) in rows(values, policy: policy).enumerated() {
            let agent = policy.agent(agentID)
            let name = agent.map { "\($0.name) (\(agentID))" } ?? agentID
            fields.append(FormField("members[\(row)].agent_id", "Member: \(name)", kind: .checkbox(value: agentID),
                                    value: byAgent[agentID]?.member == true ? agentID : "", errors: errors))
            fields.append(FormField("members[\(row)].weight", "\(agent?.name ?? agentID)'s weight in this pool", kind: .number,
                                    value: byAgent[agentID]?.weight ?? "",
                                    hint: "Empty: the agent's own weight (\(agent?.weight ?? 1)).", errors: errors))
        }
        return fields
    }

    /// Which agent each row shows, sent back with the form so that ticked rows can be read in order.
    static func hidden(_ values: [String: String], policy: Policy) -> [EntityPage.Hidden] {
        rows(values, policy: policy).enumerated().map { EntityPage.Hidden(name: "members[\($0.offset)].row", value: $0.element) }
    }

    /// The ticked rows, in order: (row, agent id).
    static func ticked(_ form: [String: String]) -> [(row: Int, agentID: String)] {
        var result: [(Int, String)] = []
        var row = 0
        while form["members[\(row)].row"] != nil || form["members[\(row)].agent_id"] != nil {
            if let agentID = form["members[\(row)].agent_id"], !agentID.isEmpty { result.append((row, agentID)) }
            row += 1
        }
        return result
    }

    static func body(_ form: [String: String], creating: Bool) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if creating { body["id"] = FormBody.text(form, "id", clearing: false) }
        body["name"] = FormBody.text(form, "name", clearing: true)
        body["sticky_days"] = FormBody.number(form, "sticky_days", clearing: false)
        body["members"] = .array(ticked(form).map { row in
            var member: [String: JSONValue] = ["agent_id": .string(row.agentID)]
            member["weight"] = FormBody.number(form, "members[\(row.row)].weight", clearing: false)
            return .object(member)
        })
        return body
    }

    static func inputPath(forError path: String, form: [String: String]) -> String {
        guard path.hasPrefix("members["), let close = path.firstIndex(of: "]"),
              let index = Int(path[path.index(path.startIndex, offsetBy: 8)..<close]) else { return path }
        let rows = ticked(form)
        guard rows.indices.contains(index) else { return path }
        return "members[\(rows[index].row)]" + path[path.index(after: close)...]
    }

    static func facts(_ pool: Pool, policy: Policy) -> [EntityPage.Fact] {
        [EntityPage.fact("Rotation", "who is next, and why", link: page(pool.id))]
    }

    static func actions(_ pool: Pool, policy: Policy) -> [EntityPage.Action] {
        [EntityPage.action("\(page(pool.id))/delete", "Delete this pool", note: "Refused while a rule sends leads to it.", danger: true)]
    }
}
