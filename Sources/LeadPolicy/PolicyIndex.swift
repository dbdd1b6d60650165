import Foundation

/// The lookups the engine makes for every lead, built once per policy rather than searched for in
/// every decision: agents and pools by id, pool membership, and the rules in the order they are tried.
/// With a thousand agents a linear search per pool member made one decision cost milliseconds.
final class PolicyIndex: Sendable {
    let accounts: [String: Account]
    let agents: [String: Agent]
    let pools: [String: Pool]
    let rules: [String: Rule]
    /// Each pool's members with what its decisions need of their agents: a pool decision reads this
    /// instead of looking up (and copying) every member's agent.
    let rosters: [String: PoolRoster]
    let rulesInPriorityOrder: [Rule]
    /// For finding the first rule that fits a lead without trying every rule: each enabled rule
    /// under one thing a lead must have to fit it (a campaign it lists, any tag of its `tags_any`,
    /// the first of its `tags_all`, or a vendor it lists), as positions in `rulesInPriorityOrder`;
    /// rules that take every lead beside them. A lead is tried only against the rules filed under
    /// what it has, in priority order.
    let rulesByKey: [RuleKey: [Int]]
    let rulesForEveryLead: [Int]
    /// Each rule's match as the search compares it (tags lowered), in priority order.
    let preparedMatches: [PreparedMatch]
    /// False when no enabled rule looks at tags: the lead's tags are then not looked up at all.
    let rulesLookAtTags: Bool
    /// The fields (named as the rules name them) some rule is filed under: only these of a lead's fields
    /// are looked up, the way a condition looks its field up.
    let filedFields: [String]

    init(accounts: [Account], agents: [Agent], pools: [Pool], rules: [Rule]) {
        // The first of duplicate ids wins, as a linear search would find it (validation refuses them).
        self.accounts = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.agents = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.pools = Dictionary(pools.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.rules = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let agentsByID = self.agents
        let accountsByID = self.accounts
        self.rosters = self.pools.mapValues { PoolRoster($0, agents: agentsByID, accounts: accountsByID) }
        self.rulesInPriorityOrder = rules.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        var byKey: [RuleKey: [Int]] = [:]
        var everyLead: [Int] = []
        for (position, rule) in rulesInPriorityOrder.enumerated() where rule.enabled {
            let keys = RuleKey.keys(of: rule.match)
            if keys.isEmpty { everyLead.append(position) }
            for key in keys { byKey[key, default: []].append(position) }
        }
        self.rulesByKey = byKey
        self.rulesForEveryLead = everyLead
        let prepared = rulesInPriorityOrder.map { PreparedMatch($0.match) }
        self.preparedMatches = prepared
        self.rulesLookAtTags = zip(rulesInPriorityOrder, prepared).contains { rule, match in
            rule.enabled && (match.tagsAny != nil || match.tagsAll != nil)
        }
        self.filedFields = Set(byKey.keys.compactMap { key in
            if case .field(let name, _) = key { name } else { nil }
        }).sorted()
    }

    /// The position in `rulesInPriorityOrder` of the first rule that fits `lead` decided at `at`,
    /// trying only the rules that might, in priority order.
    func firstRuleFitting(_ lead: Lead, at: Date) -> Int? {
        let tags = rulesLookAtTags ? lead.loweredTags : []
        // The lists the lead's campaign, tags and vendor are filed under, each in priority order, and
        // walked together like a merge; a rule filed under two of the lead's tags comes up once.
        var lists: [ArraySlice<Int>] = rulesForEveryLead.isEmpty ? [] : [rulesForEveryLead[...]]
        func add(_ key: RuleKey) {
            if let positions = rulesByKey[key] { lists.append(positions[...]) }
        }
        if let campaignID = lead.campaignID { add(.campaign(campaignID)) }
        for tag in tags { add(.tag(tag)) }
        if let vendorID = lead.vendorID { add(.vendor(vendorID)) }
        for name in filedFields {
            if let value = lead.field(named: name).flatMap(FieldCondition.text) { add(.field(name, value.lowercased())) }
        }
        while true {
            var next: Int?
            for list in lists {
                if let first = list.first, first < (next ?? Int.max) { next = first }
            }
            guard let position = next else { return nil }
            if preparedMatches[position].fits(lead, loweredTags: tags, at: at) { return position }
            for index in lists.indices where lists[index].first == position { lists[index].removeFirst() }
        }
    }
}

/// A pool member as the rotation sees it.
struct PoolMember: Sendable {
    let agentID: String
    /// False when the policy has no such agent (validation refuses that; a stale state may not).
    let known: Bool
    /// The agent and its account both active.
    let active: Bool
    /// The agent is active but its account is not (said so in the explanation).
    let accountInactive: Bool
    let dailyCap: Int?
    /// The member's weight in the pool, or its agent's.
    let weight: Int
    let schedule: Schedule?
    let awayUntil: Date?

    /// Whether the decision's time or today's count can rule the member out.
    var changesDuringTheDay: Bool { dailyCap != nil || schedule != nil || awayUntil != nil }

    init(_ member: Pool.Member, agent: Agent?, account: Account?) {
        agentID = member.agentID
        known = agent != nil
        accountInactive = agent?.active == true && account?.active == false
        active = (agent?.active ?? false) && !accountInactive
        dailyCap = agent?.dailyCap
        weight = member.weight ?? agent?.weight ?? 1
        schedule = agent?.schedule
        awayUntil = agent?.awayUntil
    }
}

/// Something a lead must have to fit a rule, under which the policy index files the rule.
enum RuleKey: Hashable, Sendable {
    case campaign(String)
    /// Lowered: tags match case-insensitively.
    case tag(String)
    case vendor(String)
    /// A field's name (as the condition names it) and lowered value: a rule with an `equals` or `in`
    /// condition on it.
    case field(String, String)

    /// The keys a rule is filed under: a lead fits the rule only if it has one of them. Empty for a
    /// rule that can take any lead.
    static func keys(of match: Rule.Match) -> Set<RuleKey> {
        if let campaignIDs = match.campaignIDs, !campaignIDs.isEmpty { return Set(campaignIDs.map(RuleKey.campaign)) }
        if let tagsAny = match.tagsAny, !tagsAny.isEmpty { return Set(tagsAny.map { .tag($0.lowercased()) }) }
        if let first = match.tagsAll?.first { return [.tag(first.lowercased())] }
        if let vendorIDs = match.vendorIDs, !vendorIDs.isEmpty { return Set(vendorIDs.map(RuleKey.vendor)) }
        // A lead fits an `equals` or `in` condition only with one of its values in that field.
        for condition in match.fields ?? [] {
            let name = condition.field
            switch condition.op {
            case .equals: return [.field(name, condition.loweredText)]
            case .in: return Set(condition.loweredTexts.map { .field(name, $0) })
            default: continue
            }
        }
        return []
    }
}

/// A rule's match prepared for the search: each list that is present and not empty, tags lowered.
/// It fits exactly the leads `RuleMatcher.mismatch` finds nothing against. A class: read from the
/// index's array, a struct of four lists was copied for every rule tried (four reference counts).
final class PreparedMatch: Sendable {
    let campaignIDs: ValueList?
    let tagsAny: ValueList?
    let tagsAll: [String]?
    let vendorIDs: ValueList?
    let fields: [FieldCondition]?
    let schedule: Schedule?

    init(_ match: Rule.Match) {
        func list(_ values: [String]?) -> [String]? {
            guard let values, !values.isEmpty else { return nil }
            return values
        }
        campaignIDs = list(match.campaignIDs).map(ValueList.init)
        tagsAny = list(match.tagsAny).map { ValueList($0.map { $0.lowercased() }) }
        tagsAll = list(match.tagsAll).map { $0.map { $0.lowercased() } }
        vendorIDs = list(match.vendorIDs).map(ValueList.init)
        fields = match.fields.flatMap { $0.isEmpty ? nil : $0 }
        schedule = match.schedule
    }

    func fits(_ lead: Lead, loweredTags: Set<String>, at: Date) -> Bool {
        if campaignIDs?.contains(lead.campaignID) == false { return false }
        if tagsAny?.containsAny(of: loweredTags) == false { return false }
        if tagsAll?.allSatisfy(loweredTags.contains) == false { return false }
        if vendorIDs?.contains(lead.vendorID) == false { return false }
        if let fields, !fields.allSatisfy({ $0.holds(for: $0.found(in: lead)) }) { return false }
        if let schedule, !schedule.contains(at) { return false }
        return true
    }
}

/// A rule's list of values, for `contains`: a few are compared one by one (cheaper than hashing the
/// lead's value for every rule tried), many are looked up in a set.
struct ValueList: Sendable {
    private let few: [String]
    private let many: Set<String>?

    init(_ values: [String]) {
        if values.count <= 4 {
            few = values
            many = nil
        } else {
            few = []
            many = Set(values)
        }
    }

    /// False for no value: a list wants one of its values.
    func contains(_ value: String?) -> Bool {
        guard let value else { return false }
        return many?.contains(value) ?? few.contains(value)
    }

    func containsAny(of values: Set<String>) -> Bool {
        values.contains { contains($0) }
    }
}
