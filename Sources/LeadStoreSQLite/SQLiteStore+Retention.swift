import Foundation
import GRDB
import LeadStore
import LeadPolicy

extension SQLiteStore {
    /// A lead decided again when read is decided from its fields; one decided under a policy whose
    /// rules look at fields (`zip`, `city`: contact fields) keeps its decision written out before they
    /// are erased, so that it keeps its rule, route and target — its words quoting an erased value
    /// say '(erased)' instead.
    public func eraseContactFields(receivedBefore cutoff: Date, actor: AuditActor) async throws -> Int {
        let policies = policyVersions
        return try await pool.write { db in
            let cutoffText = Timestamp.string(cutoff)
            let now = Timestamp.string(Date())
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, fields_json, decision_json, policy_version, duplicate_of FROM lead WHERE received_at < ? AND erased_at IS NULL
                """, arguments: [cutoffText])
            var erased: [(id: String, fields: String, decision: String?)] = []
            var encoder: JSONEncoder?
            while let row = try rows.next() {
                let fields = try LeadTables.fields(row["fields_json"])
                var decision: String?
                let version: Int? = row["policy_version"]
                if (row["decision_json"] as String) == DecisionReplay.rederived, (row["duplicate_of"] as String?) == nil,
                   try policies.policy(version, in: db).rules.contains(where: { $0.match.fields?.isEmpty == false }),
                   let lead = try LeadTables.fetch(id: row["id"], policies: policies, in: db) {
                    if encoder == nil {
                        encoder = JSONEncoder()
                        encoder?.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    }
                    // Its words may quote the fields being erased: those quotes go with them.
                    let erasedValues = fields.filter { ContactFields.names.contains($0.key.lowercased()) }.values.compactMap(FieldCondition.text)
                    decision = String(decoding: try encoder!.encode(lead.decision.redacting(erasedValues)), as: UTF8.self)
                }
                erased.append((row["id"], LeadTables.text(ContactFields.erased(fields)), decision))
            }
            for lead in erased {
                try db.execute(sql: """
                    UPDATE lead SET email = NULL, fields_json = ?, erased_at = ?, decision_json = COALESCE(?, decision_json) WHERE id = ?
                    """, arguments: [lead.fields, now, lead.decision, lead.id])
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
