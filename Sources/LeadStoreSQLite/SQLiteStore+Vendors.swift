import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore: VendorRepository {
    public func vendors() async throws -> [Vendor] {
        try await pool.read { db in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM vendor ORDER BY created_at, id")).map(Self.vendor(from:)) }
    }

    public func vendor(id: String) async throws -> Vendor? {
        try await pool.read { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM vendor WHERE id = ?"), arguments: [id]).map(Self.vendor(from:)) }
    }

    public func createVendor(_ vendor: Vendor, actor: AuditActor) async throws -> (Vendor, apiKey: String) {
        defer { vendorKeys.invalidate() }
        let apiKey = BearerSecret.generate(prefix: "ldv_")
        var vendor = vendor
        vendor.apiKeyMask = SecretMask.mask(apiKey)
        try await pool.write { [vendor] db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM vendor WHERE id = ?"), arguments: [vendor.id]) == nil else {
                throw PolicyError(.duplicate, field: "id", "a vendor with id '\(vendor.id)' exists already")
            }
            try db.execute(
                sql: "INSERT INTO vendor (id, name, api_key_hash, api_key_hint, rate_limit_per_minute, dedupe_window_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [vendor.id, vendor.name, BearerSecret.hash(apiKey), SecretMask.mask(apiKey), vendor.rateLimitPerMinute, vendor.dedupeWindowMinutes, vendor.createdAt])
            try AuditLog.append(NewAuditEvent(type: "vendor.created", entityKind: "vendor", entityID: vendor.id, after: vendor.auditView), actor: actor, in: db)
        }
        return (vendor, apiKey)
    }

    public func updateVendor(_ vendor: Vendor, actor: AuditActor) async throws -> Vendor {
        defer { vendorKeys.invalidate() }
        return try await pool.write { db in
            guard let previous = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM vendor WHERE id = ?"), arguments: [vendor.id]).map(Self.vendor(from:)) else {
                throw PolicyError(.notFound, field: "id", "no vendor '\(vendor.id)'")
            }
            try db.execute(
                sql: "UPDATE vendor SET name = ?, rate_limit_per_minute = ?, dedupe_window_minutes = ? WHERE id = ?",
                arguments: [vendor.name, vendor.rateLimitPerMinute, vendor.dedupeWindowMinutes, vendor.id])
            var updated = vendor
            updated.createdAt = previous.createdAt
            updated.apiKeyMask = previous.apiKeyMask
            if updated != previous {
                try AuditLog.append(NewAuditEvent(type: "vendor.updated", entityKind: "vendor", entityID: vendor.id,
                                                  before: previous.auditView, after: updated.auditView), actor: actor, in: db)
            }
            return updated
        }
    }

    public func rotateVendorKey(id: String, actor: AuditActor) async throws -> String {
        defer { vendorKeys.invalidate() }
        let apiKey = BearerSecret.generate(prefix: "ldv_")
        try await pool.write { db in
            try db.execute(sql: "UPDATE vendor SET api_key_hash = ?, api_key_hint = ? WHERE id = ?", arguments: [BearerSecret.hash(apiKey), SecretMask.mask(apiKey), id])
            guard db.changesCount == 1 else { throw PolicyError(.notFound, field: "id", "no vendor '\(id)'") }
            try AuditLog.append(NewAuditEvent(type: "vendor.key_rotated", entityKind: "vendor", entityID: id), actor: actor, in: db)
        }
        return apiKey
    }

    public func deleteVendor(id: String, actor: AuditActor) async throws {
        defer { vendorKeys.invalidate() }
        try await pool.write { db in
            guard let previous = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM vendor WHERE id = ?"), arguments: [id]).map(Self.vendor(from:)) else {
                throw PolicyError(.notFound, field: "id", "no vendor '\(id)'")
            }
            let referrers = try PolicyTables.load(db).policy.rulesNaming(vendorID: id)
            guard referrers.isEmpty else {
                throw PolicyError(.inUse, field: "id", "vendor '\(id)' is still named by \(referrers.joined(separator: ", "))")
            }
            try db.execute(sql: "DELETE FROM vendor WHERE id = ?", arguments: [id])
            try AuditLog.append(NewAuditEvent(type: "vendor.deleted", entityKind: "vendor", entityID: id, before: previous.auditView), actor: actor, in: db)
        }
    }

    public func authenticateVendor(apiKey: String) async throws -> Vendor? {
        let hash = BearerSecret.hash(apiKey)
        if let known = vendorKeys.vendor(keyHash: hash) { return known }
        let generation = vendorKeys.generation
        let vendor: Vendor? = try await pool.read { db in
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM vendor WHERE api_key_hash = ?"), arguments: [hash]),
                  BearerSecret.constantTimeEquals(row["api_key_hash"], hash)
            else { return nil }
            return Self.vendor(from: row)
        }
        if let vendor { vendorKeys.keep(vendor, keyHash: hash, readAt: generation) }
        return vendor
    }

    static func vendor(from row: Row) -> Vendor {
        Vendor(id: row["id"], name: row["name"], rateLimitPerMinute: row["rate_limit_per_minute"],
               dedupeWindowMinutes: row["dedupe_window_minutes"], createdAt: row["created_at"], apiKeyMask: row["api_key_hint"])
    }
}
