package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.spi.VirtualTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The versions of the database layout and the steps between them.
 *
 * <p>A file is ours when its {@code PRAGMA application_id} is {@link #APPLICATION_ID}; its layout
 * version is {@code PRAGMA user_version}. Both live in the file header, so a foreign or newer
 * file is recognised without touching its tables. A migration runs in one transaction together
 * with the version bump: a crash mid-way leaves the previous version intact. Versions only go
 * forward; to add a version, append a {@link Migration} with the next number.
 */
public final class Schema {

    /** "TTSQ" in ASCII: marks a file as a job store of this library. */
    public static final int APPLICATION_ID = 0x54545351;

    /** Ordered, gap-free, starting at 1. */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "jobs table, claim-order index, counters, per-status counts", List.of(
                    """
                    CREATE TABLE jobs (
                        id TEXT NOT NULL PRIMARY KEY,
                        sequence INTEGER NOT NULL UNIQUE,
                        status TEXT NOT NULL
                            CHECK (status IN ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),
                        job_type TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        audio_file_id TEXT,
                        voice_name TEXT,
                        ref_text TEXT NOT NULL,
                        gen_text TEXT NOT NULL,
                        randomize_seed INTEGER NOT NULL,
                        settings_seed INTEGER NOT NULL,
                        remove_silence INTEGER NOT NULL,
                        speed REAL NOT NULL,
                        nfe_step INTEGER NOT NULL,
                        cross_fade_duration REAL NOT NULL,
                        seed INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        started_at INTEGER,
                        completed_at INTEGER,
                        steps_done INTEGER NOT NULL,
                        steps_total INTEGER NOT NULL,
                        progress REAL NOT NULL,
                        estimated_completion INTEGER,
                        error TEXT,
                        has_result INTEGER NOT NULL,
                        result_output_file_id TEXT,
                        result_ref_text TEXT,
                        result_gen_text TEXT,
                        result_seed INTEGER,
                        result_voice_name TEXT,
                        result_duration_seconds REAL,
                        result_sample_rate INTEGER,
                        result_backend TEXT,
                        result_note TEXT,
                        attempts INTEGER NOT NULL,
                        lease_owner TEXT,
                        lease_expires_at INTEGER,
                        fencing_token INTEGER NOT NULL,
                        cancel_requested INTEGER NOT NULL
                    ) STRICT
                    """,
                    "CREATE INDEX jobs_run_order ON jobs (status, priority DESC, sequence)",
                    "CREATE INDEX jobs_status_sequence ON jobs (status, sequence)",
                    "CREATE INDEX jobs_finished ON jobs (completed_at) WHERE completed_at IS NOT NULL",
                    // Sequence and fencing token live here, not in MAX(...) over jobs: purging the newest
                    // jobs must never let a number be handed out twice.
                    "CREATE TABLE counters (name TEXT NOT NULL PRIMARY KEY, next_value INTEGER NOT NULL) STRICT",
                    "INSERT INTO counters (name, next_value) VALUES ('sequence', 1), ('fencing_token', 1)",
                    // Kept by triggers so counts() and the maxQueued check cost one row, not a scan.
                    "CREATE TABLE status_counts (status TEXT NOT NULL PRIMARY KEY, jobs INTEGER NOT NULL) STRICT",
                    "INSERT INTO status_counts (status, jobs) VALUES ('QUEUED', 0), ('PROCESSING', 0), ('COMPLETED', 0), "
                            + "('FAILED', 0), ('CANCELLED', 0)",
                    """
                    CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
                        UPDATE status_counts SET jobs = jobs + 1 WHERE status = NEW.status;
                    END
                    """,
                    """
                    CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
                        UPDATE status_counts SET jobs = jobs - 1 WHERE status = OLD.status;
                    END
                    """,
                    """
                    CREATE TRIGGER jobs_count_update AFTER UPDATE OF status ON jobs
                    WHEN OLD.status <> NEW.status BEGIN
                        UPDATE status_counts SET jobs = jobs - 1 WHERE status = OLD.status;
                        UPDATE status_counts SET jobs = jobs + 1 WHERE status = NEW.status;
                    END
                    """,
                    "PRAGMA application_id = " + APPLICATION_ID)),
            // The store keeps the queue's run order in memory (RunOrderIndex), rebuilt from the
            // table when it opens, and claims from it: an index on (status, priority, sequence)
            // only cost every submit and every claim another B-tree write.
            new Migration(2, "claim order kept in memory: the claim-order index goes", List.of(
                    "DROP INDEX IF EXISTS jobs_run_order")),
            // Tenants share the workers by weight (VirtualTime): each job keeps its tenant, its
            // weight and the virtual start stamped on enqueue; the clocks that stamp it live in two
            // small tables, written by each claim. Jobs already in the file belong to the anonymous
            // tenant and get the virtual starts they would have had with fair share (one job's cost
            // apart, in sequence order, per priority): their order stays priority, then sequence,
            // and a tenant's first new job waits one turn, not for the whole old backlog.
            new Migration(3, "tenants: tenant, weight and virtual start per job, fair-share clocks, per-tenant counts",
                    List.of(
                    "ALTER TABLE jobs ADD COLUMN tenant TEXT NOT NULL DEFAULT ''",
                    "ALTER TABLE jobs ADD COLUMN share_weight INTEGER NOT NULL DEFAULT 1",
                    "ALTER TABLE jobs ADD COLUMN virtual_start INTEGER NOT NULL DEFAULT 0",
                    "UPDATE jobs SET virtual_start = ranked.n * " + VirtualTime.UNIT + " FROM (SELECT id, "
                            + "ROW_NUMBER() OVER (PARTITION BY priority ORDER BY sequence) - 1 AS n FROM jobs "
                            + "WHERE status = 'QUEUED') AS ranked WHERE jobs.id = ranked.id",
                    "CREATE TABLE virtual_time (priority INTEGER NOT NULL PRIMARY KEY, vtime INTEGER NOT NULL) STRICT",
                    "CREATE TABLE tenant_finish (priority INTEGER NOT NULL, tenant TEXT NOT NULL, claimed_finish INTEGER NOT NULL, "
                            + "PRIMARY KEY (priority, tenant)) STRICT, WITHOUT ROWID",
                    // Queued and processing jobs per tenant, kept by triggers like status_counts, so a
                    // quota check reads a row or two, never counts jobs.
                    "CREATE TABLE tenant_counts (tenant TEXT NOT NULL, status TEXT NOT NULL, jobs INTEGER NOT NULL, "
                            + "PRIMARY KEY (tenant, status)) STRICT, WITHOUT ROWID",
                    "INSERT INTO tenant_counts (tenant, status, jobs) SELECT tenant, status, COUNT(*) FROM jobs "
                            + "WHERE status IN ('QUEUED', 'PROCESSING') GROUP BY tenant, status",
                    """
                    CREATE TRIGGER jobs_tenant_count_insert AFTER INSERT ON jobs
                    WHEN NEW.status IN ('QUEUED', 'PROCESSING') BEGIN
                        INSERT INTO tenant_counts (tenant, status, jobs) VALUES (NEW.tenant, NEW.status, 1)
                            ON CONFLICT (tenant, status) DO UPDATE SET jobs = jobs + 1;
                    END
                    """,
                    """
                    CREATE TRIGGER jobs_tenant_count_delete AFTER DELETE ON jobs
                    WHEN OLD.status IN ('QUEUED', 'PROCESSING') BEGIN
                        UPDATE tenant_counts SET jobs = jobs - 1 WHERE tenant = OLD.tenant AND status = OLD.status;
                    END
                    """,
                    """
                    CREATE TRIGGER jobs_tenant_count_update AFTER UPDATE OF status ON jobs
                    WHEN OLD.status <> NEW.status BEGIN
                        UPDATE tenant_counts SET jobs = jobs - 1
                            WHERE tenant = OLD.tenant AND status = OLD.status AND OLD.status IN ('QUEUED', 'PROCESSING');
                        INSERT INTO tenant_counts (tenant, status, jobs)
                            SELECT NEW.tenant, NEW.status, 1 WHERE NEW.status IN ('QUEUED', 'PROCESSING')
                            ON CONFLICT (tenant, status) DO UPDATE SET jobs = jobs + 1;
                    END
                    """)),
            // Jobs are inserted in one place only, the group commit, which now adds a whole group
            // to the counts in one statement per status (and per tenant): the triggers ran two
            // statements for every row, a third of an insert's time. Deletes and status changes
            // keep their triggers; they come one job at a time.
            new Migration(4, "counts of new jobs added once per group commit, not by a trigger per row", List.of(
                    "DROP TRIGGER IF EXISTS jobs_count_insert",
                    "DROP TRIGGER IF EXISTS jobs_tenant_count_insert")));

    public static final int CURRENT_VERSION = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private Schema() {
    }

    /** One step forward: {@code statements} bring a file at {@code version - 1} to {@code version}. */
    public record Migration(int version, String summary, List<String> statements) {
    }

    /** What the header and catalogue of a file say, read without writing anything. */
    public record Inspection(int applicationId, int userVersion, int catalogueEntries) {

        /** A brand-new or empty file: nothing in it yet (version 0). */
        public boolean isEmpty() {
            return applicationId == 0 && userVersion == 0 && catalogueEntries == 0;
        }

        public boolean isOurs() {
            return applicationId == APPLICATION_ID;
        }
    }

    /** Reads application id, version and the number of schema objects. Fails on a file that is not SQLite. */
    public static Inspection inspect(Connection c) throws SQLException {
        return new Inspection(intPragma(c, "PRAGMA application_id"), intPragma(c, "PRAGMA user_version"),
                intPragma(c, "SELECT COUNT(*) FROM sqlite_schema"));
    }

    /** Result of {@code PRAGMA quick_check}: "ok", or the first problems found. */
    public static String quickCheck(Connection c) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check(5)")) {
            while (rs.next()) {
                if (out.length() > 0) {
                    out.append("; ");
                }
                out.append(rs.getString(1));
            }
        }
        return out.toString();
    }

    /**
     * Applies every migration above the file's version, each in its own immediate transaction.
     * The version is read again inside each transaction, so two processes opening one new file
     * at once do not both migrate it.
     *
     * @return the versions applied, in order
     */
    public static List<Integer> migrate(Connection c) throws SQLException {
        List<Integer> applied = new ArrayList<>();
        for (Migration m : MIGRATIONS) {
            try (Statement st = c.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                try {
                    if (intPragma(c, "PRAGMA user_version") >= m.version()) {
                        st.execute("COMMIT");
                        continue;
                    }
                    for (String sql : m.statements()) {
                        st.execute(sql);
                    }
                    st.execute("PRAGMA user_version = " + m.version());
                    st.execute("COMMIT");
                    applied.add(m.version());
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(st, e);
                    throw e;
                }
            }
        }
        return applied;
    }

    private static void rollbackQuietly(Statement st, Exception cause) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static int intPragma(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
