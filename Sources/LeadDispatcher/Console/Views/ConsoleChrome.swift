import Foundation
import LeadStore

/// What every console page shows around its content: the title, and for a signed-in user their name,
/// role, the navigation and the form token of the sign-out form. (Templates read stored properties
/// only: swift-mustache looks values up by reflection.)
struct ConsoleChrome {
    struct User {
        let name: String
        let role: String
    }

    struct NavItem {
        let path: String
        let label: String
        let current: Bool
    }

    let title: String
    let user: User?
    let nav: [NavItem]
    let csrfToken: String
    /// Admins see the forms that change things; auditors only what is set up.
    let isAdmin: Bool

    static let sections: [(path: String, label: String)] = [
        ("/console", "Pipeline"), ("/console/leads", "Leads"), ("/console/recover", "Recover"), ("/console/accounts", "Accounts"), ("/console/pools", "Pools"), ("/console/agents", "Agents"), ("/console/rules", "Rules"),
        ("/console/vendors", "Vendors"), ("/console/tokens", "Tokens"), ("/console/users", "Users"), ("/console/fairness", "Fairness"), ("/console/simulate", "Simulate"), ("/console/policy", "Policy"),
        ("/console/versions", "Versions"),
        ("/console/audit", "Audit"),
    ]

    init(title: String, path: String = "", user: ConsoleUser?, cookie: String?) {
        self.title = title
        self.user = user.map { User(name: $0.name, role: $0.role.rawValue) }
        nav = Self.sections.map { NavItem(path: $0.path, label: $0.label, current: $0.path == path) }
        csrfToken = cookie.map(ConsoleSession.csrfToken(forCookie:)) ?? ""
        isAdmin = user?.role == .admin
    }
}
