import Foundation
import LeadPolicy
import LeadStore

/// `/console/pools`: every pool, its size and who is next up.
struct PoolsPage {
    struct Row {
        let id: String
        let name: String
        let members: Int
        let stickyDays: Int
        let next: String
    }

    let chrome: ConsoleChrome
    let rows: [Row]
    let hasRows: Bool
    let notice: String?

    init(chrome: ConsoleChrome, policy: Policy, rotations: [PoolRotationView], notice: String? = nil) {
        self.notice = notice
        self.chrome = chrome
        let next = Dictionary(rotations.map { ($0.poolID, $0.next) }, uniquingKeysWith: { first, _ in first })
        rows = policy.pools.map { pool in
            Row(id: pool.id, name: pool.name, members: pool.members.count, stickyDays: pool.stickyDays,
                next: (next[pool.id] ?? nil).map { id in policy.agent(id).map { "\($0.name) (\(id))" } ?? id } ?? "nobody available")
        }
        hasRows = !rows.isEmpty
    }
}

/// `/console/pools/{id}`: each member's weight, current weight, today's count against its cap, its state,
/// and the next agent up, highlighted.
struct PoolPage {
    struct Member {
        let agent: String
        let agentID: String
        let weight: Int
        let currentWeight: Int
        let today: String
        let state: String
        let isNext: Bool
        /// Pause or resume in one click (admins).
        let button: ListPage.Button?
    }

    let chrome: ConsoleChrome
    let id: String
    let name: String
    let stickyDays: Int
    let next: String
    let members: [Member]
    let notice: String?

    init(chrome: ConsoleChrome, pool: Pool, policy: Policy, rotation: PoolRotationView, notice: String? = nil) {
        self.chrome = chrome
        self.notice = notice
        id = pool.id
        name = pool.name
        stickyDays = pool.stickyDays
        next = rotation.next.map { id in policy.agent(id).map { "\($0.name) (\(id))" } ?? id } ?? "nobody: every member is paused or at its cap"
        members = rotation.members.map { member in
            Member(agent: policy.agent(member.agentID)?.name ?? member.agentID, agentID: member.agentID, weight: member.weight,
                   currentWeight: member.currentWeight,
                   today: member.dailyCap.map { "\(member.today) of \($0)" } ?? "\(member.today) (no cap)",
                   state: member.reason.map { $0 == "at_cap" ? "at its cap" : $0 == "inactive" ? "paused" : $0.replacingOccurrences(of: "_", with: " ") }
                       ?? "available",
                   isNext: member.agentID == rotation.next,
                   button: chrome.isAdmin ? policy.agent(member.agentID).map { ListPage.pauseButton($0, returnTo: "/console/pools/\(pool.id)") } : nil)
        }
    }
}
