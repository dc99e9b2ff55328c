package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The store's SQL, and the small reads and writes its operations are made of. */
public final class Queries {
    private Queries() {
    }

    public static final String SELECT = "SELECT " + JobRows.COLUMNS + " FROM jobs";
    public static final String BY_ID = SELECT + " WHERE id = ?";
    /** Only when the run-order index and the table disagree: there is no index for this order. */
    public static final String NEXT_QUEUED = SELECT
            + " WHERE status = 'QUEUED' ORDER BY priority DESC, virtual_start, sequence LIMIT 1";
    public static final String RUN_ORDER = SELECT
            + " WHERE status = 'QUEUED' ORDER BY priority DESC, virtual_start, sequence LIMIT ?";
    public static final String NEWEST = SELECT + " WHERE sequence < ? ORDER BY sequence DESC LIMIT ?";
    public static final String NEWEST_WITH_STATUS = SELECT + " WHERE status = ? AND sequence < ? ORDER BY sequence DESC LIMIT ?";
    /** What the run-order index needs of each queued job. */
    public static final String QUEUED_KEYS = "SELECT id, priority, sequence, length(gen_text), tenant, virtual_start, "
            + "share_weight FROM jobs WHERE status = 'QUEUED'";
    /** The fair-share clocks (VirtualTime): one row per priority, one per tenant and priority. */
    public static final String VIRTUAL_TIMES = "SELECT priority, vtime FROM virtual_time";
    public static final String TENANT_FINISHES = "SELECT priority, tenant, claimed_finish FROM tenant_finish";
    private static final String ADVANCE_VIRTUAL_TIME = "INSERT INTO virtual_time (priority, vtime) VALUES (?, ?) "
            + "ON CONFLICT (priority) DO UPDATE SET vtime = max(vtime, excluded.vtime)";
    private static final String ADVANCE_TENANT_FINISH = "INSERT INTO tenant_finish (priority, tenant, claimed_finish) "
            + "VALUES (?, ?, ?) ON CONFLICT (priority, tenant) DO UPDATE SET claimed_finish = max(claimed_finish, "
            + "excluded.claimed_finish)";
    public static final String TENANT_COUNTS = "SELECT status, jobs FROM tenant_counts WHERE tenant = ?";
    public static final String EXPIRED = SELECT + " WHERE status = 'PROCESSING' AND lease_expires_at <= ? ORDER BY sequence";
    public static final String HELD = SELECT + " WHERE status = 'PROCESSING' ORDER BY sequence";
    private static final String FINISHED_WHERE = " WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND completed_at < ?";
    public static final String FINISHED_BEFORE = SELECT + FINISHED_WHERE;
    public static final String DELETE_FINISHED_BEFORE = "DELETE FROM jobs" + FINISHED_WHERE;
    public static final String COUNTS = "SELECT status, jobs FROM status_counts";
    private static final String COUNT_OF = "SELECT jobs FROM status_counts WHERE status = ?";
    private static final String COUNTER = "SELECT next_value FROM counters WHERE name = ?";
    private static final String SET_COUNTER = "UPDATE counters SET next_value = ? WHERE name = ?";
    private static final String ADD_TO_STATUS_COUNT = "UPDATE status_counts SET jobs = jobs + ? WHERE status = ?";
    private static final String ADD_TO_TENANT_COUNT = "INSERT INTO tenant_counts (tenant, status, jobs) VALUES (?, ?, ?) "
            + "ON CONFLICT (tenant, status) DO UPDATE SET jobs = jobs + excluded.jobs";

    public static JobRecord byId(CachedConnection c, String jobId) throws SQLException {
        PreparedStatement ps = c.prepare(BY_ID);
        ps.setString(1, jobId);
        return queryOne(ps);
    }

    public static void update(CachedConnection c, JobRecord r) throws SQLException {
        PreparedStatement ps = c.prepare(JobRows.UPDATE);
        JobRows.bindUpdate(ps, r);
        ps.executeUpdate();
    }

    /** Advances the fair-share clocks for a claimed job, inside the caller's transaction. */
    public static void recordClaim(CachedConnection c, JobRecord claimed) throws SQLException {
        PreparedStatement time = c.prepare(ADVANCE_VIRTUAL_TIME);
        time.setInt(1, claimed.priority());
        time.setLong(2, claimed.virtualStart());
        time.executeUpdate();
        PreparedStatement finish = c.prepare(ADVANCE_TENANT_FINISH);
        finish.setInt(1, claimed.priority());
        finish.setString(2, claimed.tenant());
        finish.setLong(3, claimed.virtualFinish());
        finish.executeUpdate();
    }

    /** Jobs in {@code status}, from the counts kept in {@code status_counts}: one row, not a scan. */
    public static long countOf(CachedConnection c, JobStatus status) throws SQLException {
        PreparedStatement ps = c.prepare(COUNT_OF);
        ps.setString(1, status.name());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * What a group of inserted jobs adds to {@code status_counts} and {@code tenant_counts}, written
     * in one statement per status and per tenant (layout 4 dropped the insert triggers; deletes
     * and status changes still keep the counts by trigger). Only the group commit inserts jobs.
     */
    public static final class AddedCounts {
        private final Map<JobStatus, Long> perStatus = new EnumMap<>(JobStatus.class);
        private final Map<TenantStatus, Long> perTenant = new HashMap<>();

        private record TenantStatus(String tenant, JobStatus status) {
        }

        public void add(JobRecord inserted) {
            perStatus.merge(inserted.status(), 1L, Long::sum);
            if (inserted.status() == JobStatus.QUEUED || inserted.status() == JobStatus.PROCESSING) {
                perTenant.merge(new TenantStatus(inserted.tenant(), inserted.status()), 1L, Long::sum);
            }
        }

        /** Adds the group to the counts, inside the caller's transaction. */
        public void write(CachedConnection c) throws SQLException {
            if (!perStatus.isEmpty()) {
                PreparedStatement ps = c.prepare(ADD_TO_STATUS_COUNT);
                for (Map.Entry<JobStatus, Long> e : perStatus.entrySet()) {
                    ps.setLong(1, e.getValue());
                    ps.setString(2, e.getKey().name());
                    ps.executeUpdate();
                }
            }
            if (!perTenant.isEmpty()) {
                PreparedStatement ps = c.prepare(ADD_TO_TENANT_COUNT);
                for (Map.Entry<TenantStatus, Long> e : perTenant.entrySet()) {
                    ps.setString(1, e.getKey().tenant());
                    ps.setString(2, e.getKey().status().name());
                    ps.setLong(3, e.getValue());
                    ps.executeUpdate();
                }
            }
        }
    }

    public static long counterValue(CachedConnection c, String counter) throws SQLException {
        PreparedStatement select = c.prepare(COUNTER);
        select.setString(1, counter);
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("counter '" + counter + "' is missing");
            }
            return rs.getLong(1);
        }
    }

    public static void setCounter(CachedConnection c, String counter, long nextValue) throws SQLException {
        PreparedStatement bump = c.prepare(SET_COUNTER);
        bump.setLong(1, nextValue);
        bump.setString(2, counter);
        bump.executeUpdate();
    }

    /** Hands out the counter's value and advances it, inside the caller's transaction. */
    public static long nextValue(CachedConnection c, String counter) throws SQLException {
        long value = counterValue(c, counter);
        setCounter(c, counter, value + 1);
        return value;
    }

    public static JobRecord queryOne(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? JobRows.read(rs) : null;
        }
    }

    public static List<JobRecord> queryAll(PreparedStatement ps) throws SQLException {
        List<JobRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(JobRows.read(rs));
            }
        }
        return out;
    }
}
