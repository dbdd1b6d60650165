import Foundation
import LeadPolicy
import LeadStore
import PostgresNIO

/// Vendors are read from the database on every authentication rather than kept in memory: a key
/// revoked or rotated through one instance stops working on every instance at once. (One lookup by
/// the unique index on the key's hash.)
extension PostgresStore: VendorRepository {

    public func vendors() async throws -> [Vendor] {
        try await columns("SELECT id, name, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at FROM vendor ORDER BY created_at, id").map(Self.vendor)
    }

    public func vendor(id: String) async throws -> Vendor? {
        try await columns("""
            SELECT id, name, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at FROM vendor WHERE id = \(id)
            """).first.map(Self.vendor)
    }

    public func createVendor(_ vendor: Vendor, actor: AuditActor) async throws -> (Vendor, apiKey: String) {
        let apiKey = BearerSecret.generate(prefix: "ldv_")
        var vendor = vendor
        vendor.apiKeyMask = SecretMask.mask(apiKey)
        try await transaction { [self, vendor] connection in
            let inserted = try await connection.query("""
                INSERT INTO vendor (id, name, api_key_hash, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at)
                VALUES (\(vendor.id), \(vendor.name), \(BearerSecret.hash(apiKey)), \(SecretMask.mask(apiKey)), \(vendor.rateLimitPerMinute),
                        \(vendor.dedupeWindowMinutes), \(vendor.createdAt))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).collect()
            guard !inserted.isEmpty else {
                throw PolicyError(.duplicate, field: "id", "a vendor with id '\(vendor.id)' exists already")
            }
            try await PostgresAuditWriter.append([NewAuditEvent(type: "vendor.created", entityKind: "vendor", entityID: vendor.id, after: vendor.auditView)],
                                                 actor: actor, connection, logger: logger)
        }
        return (vendor, apiKey)
    }

    public func updateVendor(_ vendor: Vendor, actor: AuditActor) async throws -> Vendor {
        try await transaction { [self] connection in
            guard let previous = try await connection.query("""
                SELECT id, name, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at FROM vendor WHERE id = \(vendor.id) FOR UPDATE
                """, logger: logger).columns().first.map(Self.vendor) else {
                throw PolicyError(.notFound, field: "id", "no vendor '\(vendor.id)'")
            }
            try await connection.query("""
                UPDATE vendor SET name = \(vendor.name), rate_limit_per_minute = \(vendor.rateLimitPerMinute),
                                  dedupe_window_minutes = \(vendor.dedupeWindowMinutes) WHERE id = \(vendor.id)
                """, logger: logger)
            var updated = vendor
            updated.createdAt = previous.createdAt
            updated.apiKeyMask = previous.apiKeyMask
            if updated != previous {
                try await PostgresAuditWriter.append([NewAuditEvent(type: "vendor.updated", entityKind: "vendor", entityID: vendor.id,
                                                                    before: previous.auditView, after: updated.auditView)],
                                                     actor: actor, connection, logger: logger)
            }
            return updated
        }
    }

    public func rotateVendorKey(id: String, actor: AuditActor) async throws -> String {
        let apiKey = BearerSecret.generate(prefix: "ldv_")
        try await transaction { [self] connection in
            let updated = try await connection.query("""
                UPDATE vendor SET api_key_hash = \(BearerSecret.hash(apiKey)), api_key_hint = \(SecretMask.mask(apiKey)) WHERE id = \(id) RETURNING id
                """, logger: logger).collect()
            guard !updated.isEmpty else { throw PolicyError(.notFound, field: "id", "no vendor '\(id)'") }
            try await PostgresAuditWriter.append([NewAuditEvent(type: "vendor.key_rotated", entityKind: "vendor", entityID: id)],
                                                 actor: actor, connection, logger: logger)
        }
        return apiKey
    }

    public func deleteVendor(id: String, actor: AuditActor) async throws {
        try await transaction { [self] connection in
            // Under the policy lock: a rule naming the vendor cannot be added meanwhile.
            try await PolicyLock.exclusive(connection, logger: logger)
            guard let previous = try await connection.query("""
                SELECT id, name, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at FROM vendor WHERE id = \(id) FOR UPDATE
                """, logger: logger).columns().first.map(Self.vendor) else {
                throw PolicyError(.notFound, field: "id", "no vendor '\(id)'")
            }
            let referrers = try await PostgresPolicyTables.load(connection, logger: logger).policy.rulesNaming(vendorID: id)
            guard referrers.isEmpty else {
                throw PolicyError(.inUse, field: "id", "vendor '\(id)' is still named by \(referrers.joined(separator: ", "))")
            }
            try await connection.query("DELETE FROM vendor WHERE id = \(id)", logger: logger)
            try await PostgresAuditWriter.append([NewAuditEvent(type: "vendor.deleted", entityKind: "vendor", entityID: id, before: previous.auditView)],
                                                 actor: actor, connection, logger: logger)
        }
    }

    public func authenticateVendor(apiKey: String) async throws -> Vendor? {
        let hash = BearerSecret.hash(apiKey)
        guard let row = try await columns("""
            SELECT id, name, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at, api_key_hash FROM vendor WHERE api_key_hash = \(hash)
            """).first,
              BearerSecret.constantTimeEquals(try row["api_key_hash"], hash) else { return nil }
        return try Self.vendor(row)
    }

    static func vendor(_ row: PostgresColumns) throws -> Vendor {
        Vendor(id: try row["id"], name: try row["name"], rateLimitPerMinute: try row["rate_limit_per_minute"],
               dedupeWindowMinutes: try row["dedupe_window_minutes"], createdAt: try row["created_at"], apiKeyMask: try row["api_key_hint"])
    }
}
