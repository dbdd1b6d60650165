import LeadPolicy

// What audit events record of the service's own entities, the same on every database: settings
// only, never a key, a token or a password hash.

extension Vendor {
    /// A vendor as audit events record it: settings only; its key is never recorded.
    package var auditView: JSONValue {
        let vendor = self
        var fields: [String: JSONValue] = ["id": .string(vendor.id), "name": .string(vendor.name),
                                           "dedupe_window_minutes": .number(Double(vendor.dedupeWindowMinutes))]
        if let limit = vendor.rateLimitPerMinute { fields["rate_limit_per_minute"] = .number(Double(limit)) }
        return .object(fields)
    }
}

extension AccessToken {
    package var auditView: JSONValue {
        let token = self
        var fields: [String: JSONValue] = ["id": .string(token.id), "name": .string(token.name), "role": .string(token.role.rawValue)]
        if let revokedAt = token.revokedAt { fields["revoked_at"] = .string(revokedAt) }
        return .object(fields)
    }
}

extension ConsoleUser {
    /// The user as audit events show it: never the password or its hash.
    package var auditView: JSONValue {
        let user = self
        return .object(["id": .string(user.id), "email": .string(user.email), "name": .string(user.name), "role": .string(user.role.rawValue),
                 "disabled": .bool(user.disabled)])
    }
}
