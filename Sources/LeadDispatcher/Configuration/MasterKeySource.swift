import Foundation
import LeadStore

/// Where the master key comes from: `DISPATCHER_SECRET_KEY` when set, else the key file.
public enum MasterKeySource {
    /// - Parameter create: create the key file when it is missing (commands that open the database
    ///   for writing); read-only commands never create one.
    public static func resolve(_ settings: DispatcherSettings, create: Bool) throws -> MasterKey {
        if let secretKey = settings.secretKey {
            return try MasterKey(base64: secretKey)
        }
        if case .postgres = settings.databaseLocation {
            // No file is made beside a URL: every instance on the database must be given the same key.
            guard let keyFile = settings.keyFile else {
                throw StoreError.masterKey("""
                    a PostgreSQL database needs the master key from DISPATCHER_SECRET_KEY (secretKey) or an explicit keyFile, \
                    the same on every instance (make one with: openssl rand -base64 32)
                    """)
            }
            return try MasterKey.loadOrCreate(keyFile: keyFile, create: false)
        }
        return try MasterKey.loadOrCreate(keyFile: settings.effectiveKeyFile, create: create)
    }

    /// Where the key in force comes from, in words, for a message (never the key itself).
    public static func describe(_ settings: DispatcherSettings) -> String {
        settings.secretKey != nil ? "DISPATCHER_SECRET_KEY (secretKey)" : "the key file \(settings.effectiveKeyFile)"
    }
}
