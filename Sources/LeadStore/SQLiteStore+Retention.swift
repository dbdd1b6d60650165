import Foundation
import GRDB
import LeadPolicy

extension SQLiteStore {
    public func eraseContactFields(receivedBefore cutoff: Date, actor: AuditActor) async throws -> Int {
        try await pool.write { db in
            let cutoffText = Timestamp.string(cutoff)
            let now = Timestamp.string(Date())
            let rows = try Row.fetchCursor(db, sql: "SELECT id, fields_json FROM lead WHERE received_at < ? AND erased_at IS NULL",
                                           arguments: [cutoffText])
            var erased: [(String, String)] = []
            while let row = try rows.next() {
                let fields = try LeadTables.fields(row["fields_json"])
                erased.append((row["id"], LeadTables.text(ContactFields.erased(fields))))
            }
            for (id, fields) in erased {
                try db.execute(sql: "UPDATE lead SET email = NULL, fields_json = ?, erased_at = ? WHERE id = ?", arguments: [fields, now, id])
            }
            if !erased.isEmpty {
                try AuditLog.append(NewAuditEvent(type: "leads.erased", entityKind: "lead", entityID: nil,
                                                  after: .object(["count": .number(Double(erased.count)), "received_before": .string(cutoffText)])),
                                    actor: actor, in: db)
            }
            return erased.count
        }
    }
}
