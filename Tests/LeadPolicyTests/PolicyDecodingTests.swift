import Foundation
import LeadPolicy
import Testing

@Suite struct PolicyDecodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws(PolicyError) -> T {
        let value = try! JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try value.decode(T.self)
    }

    func error<T: Decodable>(_ type: T.Type, _ json: String) -> PolicyError? {
        do {
            _ = try decode(type, json)
            return nil
        } catch {
            return error
        }
    }

    @Test func agentDefaultsWeightOneAndActive() throws {
        let agent = try decode(Agent.self, #"{"id":"jane","account_id":"acme","name":" Jane "}"#)
        #expect(agent == Agent(id: "jane", accountID: "acme", name: "Jane", weight: 1, dailyCap: nil, active: true))
    }

    @Test func poolAndRuleDefaults() throws {
        let pool = try decode(Pool.self, #"{"id":"p","name":"P","members":[{"agent_id":"a"},{"agent_id":"b","weight":3}]}"#)
        #expect(pool.stickyDays == 0)
        #expect(pool.members == [Pool.Member(agentID: "a"), Pool.Member(agentID: "b", weight: 3)])
        let rule = try decode(Rule.self, #"{"id":"r","name":"R","priority":5,"action":{"type":"crm_round_robin","account_id":"acme"}}"#)
        #expect(rule.enabled)
        #expect(rule.match == Rule.Match())
        #expect(rule.action == .crmRoundRobin(accountID: "acme"))
        #expect(rule.fallback == nil)
    }

    @Test func namesTheMissingField() {
        #expect(error(Agent.self, #"{"id":"jane","name":"Jane"}"#)?.field == "account_id")
        #expect(error(Rule.self, #"{"id":"r","name":"R","action":{"type":"agent","agent_id":"a"}}"#)?.field == "priority")
        #expect(error(Rule.self, #"{"id":"r","name":"R","priority":1,"action":{"type":"pool"}}"#)?.field == "action.pool_id")
    }

    @Test func namesTheFieldOfTheWrongType() {
        let error = error(Agent.self, #"{"id":"jane","account_id":"acme","name":"Jane","weight":"heavy"}"#)
        #expect(error?.field == "weight")
        #expect(error?.kind == .invalid)
        #expect(self.error(Pool.self, #"{"id":"p","name":"P","members":[{"agent_id":"a","weight":1.5}]}"#)?.field == "members[0].weight")
    }

    @Test func refusesUnknownFieldsByName() {
        #expect(error(Rule.self, #"{"id":"r","name":"R","priority":1,"match":{"tag_any":["x"]},"action":{"type":"agent","agent_id":"a"}}"#)?.field == "match.tag_any")
        #expect(error(Agent.self, #"{"id":"jane","account_id":"acme","name":"Jane","wieght":2}"#)?.field == "wieght")
        #expect(error(Rule.self, #"{"id":"r","name":"R","priority":1,"action":{"type":"agent","agent_id":"a","pool_id":"p"}}"#)?.field == "action.pool_id")
    }

    @Test func refusesUnknownActionTypes() {
        let error = error(Rule.self, #"{"id":"r","name":"R","priority":1,"action":{"type":"lottery"}}"#)
        #expect(error?.field == "action.type")
        #expect(error?.message.contains("crm_round_robin") == true)
        #expect(self.error(Rule.self, #"{"id":"r","name":"R","priority":1,"action":{"type":"agent","agent_id":"a"},"fallback":{"type":"x"}}"#)?.field == "fallback.type")
    }

    @Test func refusesBadIDsAndBlankNames() {
        #expect(error(Account.self, #"{"id":"Sunset Realty","name":"S"}"#)?.field == "id")
        #expect(error(Account.self, #"{"id":"sunset","name":"   "}"#)?.field == "name")
        #expect(error(Rule.self, #"{"id":"r","name":"R","priority":1,"match":{"campaign_ids":["a"," "]},"action":{"type":"agent","agent_id":"a"}}"#)?.field == "match.campaign_ids[1]")
    }

    @Test func trimsMatchValues() throws {
        let rule = try decode(Rule.self, #"{"id":"r","name":"R","priority":1,"match":{"campaign_ids":[" zillow "],"tags_any":["Buyer "]},"action":{"type":"agent","agent_id":"a"}}"#)
        #expect(rule.match.campaignIDs == ["zillow"])
        #expect(rule.match.tagsAny == ["Buyer"])
    }

    @Test func documentPathsInAWholePolicy() {
        let json = #"{"accounts":[{"id":"a","name":"A"}],"agents":[{"id":"x","account_id":"a","name":"X"},{"id":"y","account_id":"a","name":"Y","daily_cap":"ten"}]}"#
        #expect(error(Policy.self, json)?.field == "agents[1].daily_cap")
        #expect(error(Policy.self, #"{"accounts":[],"agnets":[]}"#)?.field == "agnets")
    }

    @Test func roundTripsThroughJSON() throws {
        let rule = Rule(id: "r", name: "R", priority: 3, enabled: false,
                        match: .init(campaignIDs: ["c"], tagsAny: ["a"], tagsAll: ["b"], vendorIDs: ["v"]),
                        action: .pool(poolID: "p"), fallback: .agent(agentID: "x"))
        let decoded = try JSONValue(encoding: rule).decode(Rule.self)
        #expect(decoded == rule)
    }
}
