package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.TenantCounts;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The store's listings and counts, each one indexed query on a read connection. */
public final class JobReads {
    private JobReads() {
    }

    /** Jobs (of {@code status}, or all when null) with a sequence below {@code beforeSequence}, newest first. */
    public static List<JobRecord> newest(Database db, JobStatus status, long beforeSequence, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.read("list jobs", c -> {
            PreparedStatement ps;
            if (status == null) {
                ps = c.prepare(Queries.NEWEST);
                ps.setLong(1, beforeSequence);
                ps.setInt(2, limit);
            } else {
                ps = c.prepare(Queries.NEWEST_WITH_STATUS);
                ps.setString(1, status.name());
                ps.setLong(2, beforeSequence);
                ps.setInt(3, limit);
            }
            return Queries.queryAll(ps);
        });
    }

    /** The first {@code limit} queued jobs in run order. */
    public static List<JobRecord> inRunOrder(Database db, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.read("list queued jobs", c -> {
            PreparedStatement ps = c.prepare(Queries.RUN_ORDER);
            ps.setInt(1, limit);
            return Queries.queryAll(ps);
        });
    }

    /** Jobs per state, every state present. */
    public static Map<JobStatus, Long> counts(Database db) {
        return db.read("count jobs", c -> {
            EnumMap<JobStatus, Long> out = new EnumMap<>(JobStatus.class);
            for (JobStatus s : JobStatus.values()) {
                out.put(s, 0L);
            }
            try (ResultSet rs = c.prepare(Queries.COUNTS).executeQuery()) {
                while (rs.next()) {
                    out.put(JobStatus.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /** A tenant's queued and running jobs, from the table the triggers keep: one or two rows by primary key. */
    public static TenantCounts tenantCounts(Database db, String tenant) {
        return db.read("count the jobs of tenant " + tenant, c -> {
            PreparedStatement ps = c.prepare(Queries.TENANT_COUNTS);
            ps.setString(1, tenant);
            long queued = 0;
            long processing = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals(JobStatus.QUEUED.name())) {
                        queued = rs.getLong(2);
                    } else if (rs.getString(1).equals(JobStatus.PROCESSING.name())) {
                        processing = rs.getLong(2);
                    }
                }
            }
            return new TenantCounts(queued, processing);
        });
    }
}
