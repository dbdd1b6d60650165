import PostgresNIO

/// A statement whose shape depends on the request (which filters, how many rows): its text is built
/// from constants in code, and every value is a bound parameter (`$1`, `$2`, …), never text in it.
struct PostgresStatement {
    private(set) var sql = ""
    private(set) var bindings = PostgresBindings()

    init(_ sql: String = "") {
        self.sql = sql
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    mutating func append(_ text: String) {
        sql += text
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}

/// A row's columns by name.
struct PostgresColumns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    subscript<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) -> T {
        get throws { try row[name].decode(T.self) }
    }
}

extension PostgresRowSequence {
    /// Every row, by column name.
    func columns() async throws -> [PostgresColumns] {
        try await collect().map(PostgresColumns.init)
    }
}
