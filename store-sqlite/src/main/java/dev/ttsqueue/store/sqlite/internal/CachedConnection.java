package dev.ttsqueue.store.sqlite.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One JDBC connection with its prepared statements kept for reuse. Not thread-safe: whoever
 * holds it (the writer lock, or a reader checked out of the pool) uses it alone.
 */
public final class CachedConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    public CachedConnection(Connection connection) {
        this.connection = connection;
    }

    /** The statement for {@code sql}, prepared on first use; parameters from an earlier use are cleared. */
    public PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    public Connection raw() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        statements.clear();
        connection.close();
        if (first != null) {
            throw first;
        }
    }
}
