package dev.ttsqueue.store.sqlite;

import java.util.ArrayList;
import dev.ttsqueue.spi.TenantCounts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStoreContract;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.store.sqlite.internal.GroupCommit;
import dev.ttsqueue.store.sqlite.internal.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only a file-backed store has to get right: restarts, damaged files, migrations. */
class SqliteJobStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static JobRecord job(String id, int priority) {
        return JobRecord.newQueued(id, JobRequest.voiceCloning("upload-" + id, "say " + id).withPriority(priority), 7, T0);
    }

    private static SynthesisResult result(String out) {
        return new SynthesisResult(out, "ref", "gen", 7, null, 1.5, 24000, "synthetic", null);
    }

    @Test
    void reopeningKeepsJobsAndResultsAndContinuesSequenceAndTokens() {
        Path file = dir.resolve("jobs.db");
        JobRecord doneBefore;
        JobRecord runningBefore;
        JobRecord waitingBefore;
        long lastToken;
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("done", 2), 0).orElseThrow();
            store.enqueue(job("running", 1), 0).orElseThrow();
            store.enqueue(job("waiting", 0), 0).orElseThrow();
            Claim done = store.claimNext("w", T0, LEASE).orElseThrow();
            assertTrue(store.complete("done", done.fencingToken(), result("out-1"), T0.plusSeconds(5)));
            Claim running = store.claimNext("w", T0.plusSeconds(6), LEASE).orElseThrow();
            store.recordProgress("running", running.fencingToken(), 3, 10, 30.0, T0.plusSeconds(20));
            lastToken = running.fencingToken();
            doneBefore = store.get("done").orElseThrow();
            runningBefore = store.get("running").orElseThrow();
            waitingBefore = store.get("waiting").orElseThrow();
        }

        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            assertEquals(doneBefore, store.get("done").orElseThrow());
            assertEquals(result("out-1"), store.get("done").orElseThrow().result());
            assertEquals(runningBefore, store.get("running").orElseThrow());
            assertEquals(waitingBefore, store.get("waiting").orElseThrow());
            assertEquals(Map.of(JobStatus.QUEUED, 1L, JobStatus.PROCESSING, 1L, JobStatus.COMPLETED, 1L,
                    JobStatus.FAILED, 0L, JobStatus.CANCELLED, 0L), Map.copyOf(store.counts()));

            JobRecord later = store.enqueue(job("later", 0), 0).orElseThrow();
            assertTrue(later.sequence() > waitingBefore.sequence(), "sequence continues");
            assertEquals(List.of("waiting", "later"), store.queuedInRunOrder(10).stream().map(JobRecord::id).toList());
            Claim next = store.claimNext("w", T0.plusSeconds(7), LEASE).orElseThrow();
            assertEquals("waiting", next.job().id());
            assertTrue(next.fencingToken() > lastToken, "fencing tokens continue");
        }
    }

    @Test
    void purgedNumbersAreNotHandedOutAgainAfterARestart() {
        Path file = dir.resolve("jobs.db");
        long purgedSequence;
        long purgedToken;
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            purgedSequence = store.enqueue(job("newest", 0), 0).orElseThrow().sequence();
            Claim c = store.claimNext("w", T0, LEASE).orElseThrow();
            purgedToken = c.fencingToken();
            store.fail("newest", c.fencingToken(), "x", T0.plusSeconds(1));
            assertEquals(1, store.purgeFinishedBefore(T0.plusSeconds(2)).size());
        }
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            assertTrue(store.enqueue(job("next", 0), 0).orElseThrow().sequence() > purgedSequence);
            assertTrue(store.claimNext("w", T0, LEASE).orElseThrow().fencingToken() > purgedToken);
        }
    }

    @Test
    void aStaleWorkerFromBeforeARestartCannotCompleteItsJob() {
        Path file = dir.resolve("jobs.db");
        Claim stale;
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("a", 0), 0).orElseThrow();
            stale = store.claimNext("worker-before-crash", T0, LEASE).orElseThrow();
        }
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            Instant afterLease = T0.plus(LEASE).plusSeconds(1);
            List<JobRecord> requeued = store.recoverExpiredLeases(afterLease, 3);
            assertEquals(1, requeued.size());
            assertEquals(JobStatus.QUEUED, requeued.get(0).status());
            assertEquals(1, requeued.get(0).attempts(), "the attempt made before the crash counts");
            Claim fresh = store.claimNext("worker-after-restart", afterLease, LEASE).orElseThrow();
            assertEquals(2, fresh.job().attempts());

            assertFalse(store.complete("a", stale.fencingToken(), result("stale"), afterLease.plusSeconds(1)));
            assertEquals(LeaseState.LOST, store.renewLease("a", stale.fencingToken(), afterLease.plusSeconds(60)));
            assertEquals(fresh.job(), store.get("a").orElseThrow());
            assertTrue(store.complete("a", fresh.fencingToken(), result("fresh"), afterLease.plusSeconds(2)));
            assertEquals("fresh", store.get("a").orElseThrow().result().outputFileId());
        }
    }

    @Test
    void committedJobsAreInTheFilesWhileTheStoreIsStillOpen() throws IOException {
        // Copy the files as a kill -9 would leave them: store still open, nothing checkpointed or closed.
        Path file = dir.resolve("live.db");
        Path image = dir.resolve("image");
        Files.createDirectories(image);
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            for (int i = 0; i < 50; i++) {
                store.enqueue(job("j" + i, 0), 0).orElseThrow();
            }
            for (String suffix : List.of("", "-wal")) {
                Path source = Path.of(file + suffix);
                if (Files.exists(source)) {
                    Files.copy(source, image.resolve("live.db" + suffix));
                }
            }
        }
        try (SqliteJobStore copy = SqliteJobStore.open(image.resolve("live.db"))) {
            assertEquals(50L, copy.counts().get(JobStatus.QUEUED));
            assertEquals("j0", copy.queuedInRunOrder(1).get(0).id());
        }
    }

    @Test
    void randomBytesAreRefusedAndLeftUntouched() throws IOException {
        Path file = dir.resolve("jobs.db");
        byte[] junk = new byte[64 * 1024];
        new Random(1234).nextBytes(junk);
        Files.write(file, junk);

        UnusableDatabaseException e = assertThrows(UnusableDatabaseException.class, () -> SqliteJobStore.open(file));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an SQLite database"), e.getMessage());
        assertEquals(file, e.file());
        assertArrayEquals(junk, Files.readAllBytes(file));
    }

    @Test
    void aDamagedStoreIsRefusedAndLeftUntouched() throws IOException {
        Path file = dir.resolve("jobs.db");
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            for (int i = 0; i < 300; i++) {
                store.enqueue(job("j" + i, i % 3), 0).orElseThrow();
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > 8 * 4096, "closing folded the log into the file");
        // keep the header page, scramble the pages that hold the tables and indexes
        Random random = new Random(99);
        for (int i = 4096; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        Files.write(file, bytes);

        UnusableDatabaseException e = assertThrows(UnusableDatabaseException.class, () -> SqliteJobStore.open(file));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void aDatabaseOfAnotherProgramIsRefusedAndLeftUntouched() throws Exception {
        Path file = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (name TEXT)");
            st.execute("INSERT INTO users VALUES ('alice')");
        }
        byte[] before = Files.readAllBytes(file);

        UnusableDatabaseException e = assertThrows(UnusableDatabaseException.class, () -> SqliteJobStore.open(file));

        assertTrue(e.getMessage().contains("another program"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aFileFromANewerVersionIsRefusedAndLeftUntouched() throws Exception {
        Path file = dir.resolve("jobs.db");
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("a", 0), 0).orElseThrow();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + (Schema.CURRENT_VERSION + 1));
        }
        byte[] before = Files.readAllBytes(file);

        UnusableDatabaseException e = assertThrows(UnusableDatabaseException.class, () -> SqliteJobStore.open(file));

        assertTrue(e.getMessage().contains("newer version"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aVersionOneFileLosesItsClaimOrderIndexAndKeepsItsQueue() throws Exception {
        Path file = dir.resolve("v1.db");
        // A file as version 1 left it: the layout of migration 1 alone, with jobs in it.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            for (String sql : Schema.MIGRATIONS.get(0).statements()) {
                st.execute(sql);
            }
            st.execute("PRAGMA user_version = 1");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'jobs_run_order'")) {
            assertEquals(1, rs.getInt(1), "version 1 had the index");
        }
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("low", 0), 0).orElseThrow();
            store.enqueue(job("high", 5), 0).orElseThrow();
        }
        assertEquals(List.of(Schema.APPLICATION_ID, Schema.CURRENT_VERSION), header(file));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'jobs_run_order'")) {
            assertEquals(0, rs.getInt(1), "version 2 has no claim-order index");
        }
        try (SqliteJobStore store = SqliteJobStore.builder(file).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertEquals(2, store.queuePosition("low"));
            assertEquals("high", store.claimNext("w", T0, LEASE).orElseThrow().job().id());
            assertEquals("low", store.claimNext("w", T0, LEASE).orElseThrow().job().id());
            assertTrue(store.claimNext("w", T0, LEASE).isEmpty());
        }
    }

    @Test
    void aVersionTwoFileKeepsItsJobsAsTheAnonymousTenantsInTheirOrder() throws Exception {
        Path file = dir.resolve("v2.db");
        // A file as version 2 left it, with jobs queued and one processing.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            for (Schema.Migration m : Schema.MIGRATIONS.subList(0, 2)) {
                for (String sql : m.statements()) {
                    st.execute(sql);
                }
            }
            String[][] rows = {{"old-low", "1", "QUEUED", "0"}, {"old-high", "2", "QUEUED", "5"},
                {"old-running", "3", "PROCESSING", "0"}, {"old-low-2", "4", "QUEUED", "0"}};
            for (String[] r : rows) {
                st.execute("INSERT INTO jobs (id, sequence, status, job_type, priority, ref_text, gen_text, randomize_seed, "
                        + "settings_seed, remove_silence, speed, nfe_step, cross_fade_duration, seed, created_at, steps_done, "
                        + "steps_total, progress, has_result, attempts, fencing_token, cancel_requested, lease_owner, "
                        + "lease_expires_at) VALUES ('" + r[0] + "', " + r[1] + ", '" + r[2] + "', 'TTS_PERMANENT', " + r[3]
                        + ", '', 'hello', 0, 1, 0, 1.0, 32, 0.15, 7, 0, 0, 0, 0.0, 0, " + (r[2].equals("QUEUED") ? 0 : 1)
                        + ", " + (r[2].equals("QUEUED") ? 0 : 9) + ", 0, " + (r[2].equals("QUEUED") ? "NULL, NULL" : "'w', 1000")
                        + ")");
            }
            st.execute("UPDATE counters SET next_value = 5 WHERE name = 'sequence'");
            st.execute("UPDATE counters SET next_value = 10 WHERE name = 'fencing_token'");
            st.execute("PRAGMA user_version = 2");
        }
        try (SqliteJobStore store = SqliteJobStore.builder(file).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertEquals(List.of(Schema.APPLICATION_ID, Schema.CURRENT_VERSION), header(file));
            JobRecord low = store.get("old-low").orElseThrow();
            assertEquals(JobRequest.ANONYMOUS_TENANT, low.tenant());
            assertEquals(1, low.shareWeight());
            assertEquals(0, low.virtualStart());
            assertEquals(new TenantCounts(3, 1), store.tenantCounts(JobRequest.ANONYMOUS_TENANT));
            assertEquals(List.of("old-high", "old-low", "old-low-2"),
                    store.queuedInRunOrder(10).stream().map(JobRecord::id).toList());
            assertEquals(2, store.queuePosition("old-low"));
            // A new anonymous job still queues behind the old ones; a tenant's first job takes the next turn.
            store.enqueue(job("new-anonymous", 0), 0).orElseThrow();
            store.enqueue(JobRecord.newQueued("new-tenant", JobRequest.ttsPermanent("v", "hi").withTenant("acme"), 1, T0), 0)
                    .orElseThrow();
            assertEquals(new TenantCounts(1, 0), store.tenantCounts("acme"));
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                order.add(store.claimNext("w", T0, LEASE).orElseThrow().job().id());
            }
            assertEquals(List.of("old-high", "old-low", "new-tenant", "old-low-2", "new-anonymous"), order);
            assertEquals(new TenantCounts(0, 5), store.tenantCounts(JobRequest.ANONYMOUS_TENANT));
        }
    }

    @Test
    void anEmptyFileIsMigratedFromVersionZero() throws Exception {
        Path file = dir.resolve("empty.db");
        Files.createFile(file);
        assertEquals(0, Files.size(file));

        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            assertEquals(1L, store.enqueue(job("a", 0), 0).orElseThrow().sequence());
        }
        assertEquals(List.of(Schema.APPLICATION_ID, Schema.CURRENT_VERSION), header(file));
    }

    @Test
    void anEmptySqliteDatabaseIsMigratedFromVersionZero() throws Exception {
        Path file = dir.resolve("blank.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("VACUUM"); // writes a valid, empty database: header only, user_version 0
        }
        assertTrue(Files.size(file) > 0);
        assertEquals(List.of(0, 0), header(file));

        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("a", 0), 0).orElseThrow();
            assertEquals(1L, store.counts().get(JobStatus.QUEUED));
        }
        assertEquals(List.of(Schema.APPLICATION_ID, Schema.CURRENT_VERSION), header(file));
    }

    @Test
    void openCreatesMissingFoldersAndDescribesItself() {
        Path file = dir.resolve("a/b/../c/jobs.db");
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            Path expected = dir.resolve("a/c/jobs.db").toAbsolutePath();
            assertEquals("sqlite:" + expected, store.describe());
            assertEquals(expected, store.file());
            assertTrue(Files.isRegularFile(expected));
        }
    }

    @Test
    void aFolderIsRefused() {
        UnusableDatabaseException e = assertThrows(UnusableDatabaseException.class, () -> SqliteJobStore.open(dir));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void aClosedStoreSaysSo() {
        SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"));
        store.close();
        store.close();
        SqliteStoreException e = assertThrows(SqliteStoreException.class, () -> store.get("a"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(SqliteStoreException.class, () -> store.enqueue(job("a", 0), 0));
    }

    @Test
    void enqueueIsDurableWithoutClosing() throws Exception {
        Path file = dir.resolve("jobs.db");
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("a", 4), 0).orElseThrow();
            // A separate connection sees the row at once: enqueue returned only after COMMIT.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, priority, status FROM jobs")) {
                assertTrue(rs.next());
                assertEquals("a", rs.getString(1));
                assertEquals(4, rs.getInt(2));
                assertEquals("QUEUED", rs.getString(3));
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                assertTrue(rs.next());
                assertEquals("wal", rs.getString(1));
            }
        }
    }

    @Test
    void aJobTheTableRejectsFailsAloneAndTheStoreCarriesOn() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueue(job("before", 0), 0).orElseThrow();
            // SQLite stores NaN as NULL, which the NOT NULL column refuses
            JobRecord bad = JobRecord.newQueued("bad", JobRequest.ttsPermanent("v", "t")
                    .withSettings(InferenceSettings.defaults().withSpeed(Double.NaN)), 1, T0);

            SqliteStoreException e = assertThrows(SqliteStoreException.class, () -> store.enqueue(bad, 0));

            assertTrue(e.getMessage().contains("bad"), e.getMessage());
            assertEquals(Optional.empty(), store.get("bad"));
            JobRecord after = store.enqueue(job("after", 0), 0).orElseThrow();
            assertEquals(List.of("before", "after"), store.queuedInRunOrder(10).stream().map(JobRecord::id).toList());
            assertEquals(2L, store.counts().get(JobStatus.QUEUED));
            assertTrue(after.sequence() > store.get("before").orElseThrow().sequence());
        }
    }

    @Test
    void inAGroupCommitEachSubmissionSucceedsOrFailsOnItsOwn() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueue(job("existing", 0), 0).orElseThrow();
            JobRecord nan = JobRecord.newQueued("nan", JobRequest.ttsPermanent("v", "t")
                    .withSettings(InferenceSettings.defaults().withSpeed(Double.NaN)), 1, T0);

            List<GroupCommit.Pending> group = store.enqueueAsGroup(
                    List.of(job("first", 0), nan, job("existing", 0), job("last", 0), job("over-limit", 0)), 3);

            assertEquals("first", group.get(0).result().orElseThrow().id());
            assertTrue(group.get(1).failure() instanceof SqliteStoreException, String.valueOf(group.get(1).failure()));
            assertTrue(group.get(1).failure().getMessage().contains("nan"), group.get(1).failure().getMessage());
            assertTrue(group.get(2).failure() instanceof IllegalArgumentException, "duplicate id");
            assertEquals("last", group.get(3).result().orElseThrow().id());
            assertEquals(Optional.empty(), group.get(4).result(), "the limit counts the group's own jobs");
            for (GroupCommit.Pending p : group) {
                assertTrue(p.done());
            }
            assertEquals(List.of("existing", "first", "last"), store.queuedInRunOrder(10).stream().map(JobRecord::id).toList());
            assertEquals(3L, store.counts().get(JobStatus.QUEUED));
            assertEquals(Optional.empty(), store.get("nan"));
        }
    }

    @Test
    void theCountsAGroupCommitAddsMatchTheTableWhateverBecomesOfEachJob() throws Exception {
        Path file = dir.resolve("counts.db");
        Random random = new Random(11);
        String[] tenants = {JobRequest.ANONYMOUS_TENANT, "acme", "globex"};
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            int next = 0;
            for (int round = 0; round < 40; round++) {
                List<JobRecord> group = new ArrayList<>();
                int size = 1 + random.nextInt(12);
                for (int i = 0; i < size; i++) {
                    int pick = random.nextInt(10);
                    String id = pick == 0 && next > 0 ? "j" + random.nextInt(next) : "j" + next++; // some ids again
                    JobRequest request = JobRequest.ttsPermanent("v", "t").withTenant(tenants[random.nextInt(tenants.length)]);
                    if (pick == 1) {
                        request = request.withSettings(InferenceSettings.defaults().withSpeed(Double.NaN)); // the table refuses it
                    }
                    group.add(JobRecord.newQueued(id, request, 1, T0));
                }
                store.enqueueAsGroup(group, round % 5 == 4 ? 150 : 0); // some groups run into a queue limit
                if (round % 3 == 2) {
                    for (int i = 0; i < 4; i++) {
                        Optional<Claim> claim = store.claimNext("w", T0, LEASE);
                        if (claim.isPresent() && i % 2 == 0) {
                            store.complete(claim.get().job().id(), claim.get().fencingToken(), result("out"), T0);
                        }
                    }
                }
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
                for (JobStatus status : JobStatus.values()) {
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM jobs WHERE status = '" + status + "'")) {
                        rs.next();
                        assertEquals(rs.getLong(1), (long) store.counts().get(status), status.toString());
                    }
                }
                for (String tenant : tenants) {
                    try (ResultSet rs = st.executeQuery("SELECT SUM(status = 'QUEUED'), SUM(status = 'PROCESSING') FROM jobs "
                            + "WHERE tenant = '" + tenant + "'")) {
                        rs.next();
                        assertEquals(new TenantCounts(rs.getLong(1), rs.getLong(2)), store.tenantCounts(tenant), tenant);
                    }
                }
            }
            assertTrue(store.counts().get(JobStatus.QUEUED) > 100, "the random groups left a queue: " + store.counts());
        }
    }

    @Test
    void twoStoresOnOneFileNeverHandOutTheSameJobOrToken() throws Exception {
        Path file = dir.resolve("shared.db");
        try (SqliteJobStore first = SqliteJobStore.open(file); SqliteJobStore second = SqliteJobStore.open(file)) {
            for (int i = 0; i < 200; i++) {
                (i % 2 == 0 ? first : second).enqueue(job("s" + i, 0), 0).orElseThrow();
            }
            List<List<Claim>> claims = JobStoreContract.inParallel(4, t -> {
                SqliteJobStore mine = t % 2 == 0 ? first : second;
                List<Claim> got = new java.util.ArrayList<>();
                Optional<Claim> c;
                while ((c = mine.claimNext("w" + t, T0, LEASE)).isPresent()) {
                    got.add(c.get());
                }
                return got;
            });

            List<Claim> all = claims.stream().flatMap(List::stream).toList();
            assertEquals(200, all.size());
            assertEquals(200, all.stream().map(c -> c.job().id()).distinct().count(), "a job was claimed twice");
            assertEquals(200, all.stream().map(Claim::fencingToken).distinct().count(), "a token was handed out twice");
            assertEquals(200L, second.counts().get(JobStatus.PROCESSING));
        }
    }

    @Test
    void readsDoNotPinTheWriteAheadLog() throws IOException {
        // A read that left its statement open would hold a snapshot, and SQLite could never reuse
        // the log: it would grow by every commit (about 2,000 x 7 pages here, over 50 MB).
        Path file = dir.resolve("jobs.db");
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            for (int i = 0; i < 2_000; i++) {
                store.enqueue(job("j" + i, i % 3), 0).orElseThrow();
                store.get("j" + i / 2);
                store.list(JobStatus.QUEUED, 3);
                store.queuedInRunOrder(3);
                store.queuePosition("j" + i);
                store.counts();
            }
            long walBytes = Files.size(Path.of(file + "-wal"));
            assertTrue(walBytes < 8L * 1024 * 1024, "write-ahead log grew to " + walBytes + " bytes");
        }
    }

    private static List<Integer> header(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            int app;
            try (ResultSet rs = st.executeQuery("PRAGMA application_id")) {
                rs.next();
                app = rs.getInt(1);
            }
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                rs.next();
                return List.of(app, rs.getInt(1));
            }
        }
    }

    @Test
    void everyCommitIsSyncedToDiskBeforeItReturns() {
        // WAL with synchronous=NORMAL loses the last commits on a power cut, not on a process crash,
        // so no kill test can notice a lowered setting: this one does.
        try (SqliteJobStore store = SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            store.enqueue(job("a", 0), 0).orElseThrow();
            assertEquals(List.of("wal", 2), store.writerDurability(), "journal mode WAL, synchronous FULL (2)");
        }
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("shared.db"))) {
            assertEquals(List.of("wal", 2), store.writerDurability());
        }
    }

    @Test
    void sharedStoresSeeEachOthersChangesInQueuePlaces() {
        Path file = dir.resolve("jobs.db");
        try (SqliteJobStore first = SqliteJobStore.open(file); SqliteJobStore second = SqliteJobStore.open(file)) {
            JobRecord a = first.enqueue(job("a", 0), 0).orElseThrow();
            JobRecord b = first.enqueue(job("b", 0), 0).orElseThrow();
            assertEquals(2, second.queuePlace(b).position());
            JobRecord urgent = second.enqueue(job("urgent", 5), 0).orElseThrow();
            assertEquals(2, first.queuePlace(a).position(), "the other store's urgent job is ahead");
            assertEquals(urgent.work() + a.work(), first.queuePlace(b).workAhead());
            assertEquals("urgent", second.claimNext("w", T0, LEASE).orElseThrow().job().id());
            assertEquals(1, first.queuePlace(a).position());
            assertEquals(0, first.queuePlace(urgent).position());
            first.requestCancel("a", T0);
            assertEquals(1, second.queuePlace(b).position());
            assertEquals(0, second.queuePlace(a).position());
        }
    }

    @Test
    void aHundredThousandQueuedJobsArePlacedFromTheIndexAndFoundAgainAfterAReopen() {
        Path file = dir.resolve("jobs.db");
        List<JobRecord> all = new java.util.ArrayList<>();
        try (SqliteJobStore store = SqliteJobStore.builder(file).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            List<JobRecord> group = new java.util.ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                group.add(job("j" + i, i % 3));
                if (group.size() == 5_000) {
                    for (GroupCommit.Pending p : store.enqueueAsGroup(group, 0)) {
                        all.add(p.result().orElseThrow());
                    }
                    group.clear();
                }
            }
            for (int i = 0; i < 10; i++) {
                store.claimNext("w", T0, LEASE).orElseThrow();
            }
            checkPlaces(store, all);
        }
        // A new process rebuilds the index from the table, running jobs put back in their places.
        try (SqliteJobStore store = SqliteJobStore.builder(file).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertEquals(10, store.recoverAllHeld(T0, 3).size());
            checkPlaces(store, all.subList(0, all.size()));
            assertEquals(3, store.list(JobStatus.QUEUED, Long.MAX_VALUE, 3).size());
        }
    }

    /** Places of a sample of jobs against the run order worked out here; {@code queued} are all queued. */
    private static void checkPlaces(SqliteJobStore store, List<JobRecord> candidates) {
        List<JobRecord> order = new java.util.ArrayList<>();
        for (JobRecord j : candidates) {
            if (store.queuePlace(j).isQueued()) {
                order.add(j);
            }
        }
        order.sort(java.util.Comparator.comparing((JobRecord j) -> -j.priority()).thenComparingLong(JobRecord::sequence));
        assertEquals((long) order.size(), store.counts().get(JobStatus.QUEUED));
        long work = 0;
        for (int i = 0; i < order.size(); i++) {
            if (i % 997 == 0 || i == order.size() - 1) {
                assertEquals(new dev.ttsqueue.spi.QueuePlace(i + 1, work), store.queuePlace(order.get(i)), "place " + (i + 1));
            }
            work += order.get(i).work();
        }
    }

    @Test
    void concurrentSubmittersEachGetTheirOwnCommittedRecord() throws Exception {
        try (SqliteJobStore store = SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            List<List<JobRecord>> perThread = JobStoreContract.inParallel(16, t -> {
                List<JobRecord> mine = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    mine.add(store.enqueue(job("t" + t + "-" + i, i % 2), 0).orElseThrow());
                }
                return mine;
            });
            List<JobRecord> all = perThread.stream().flatMap(List::stream).toList();
            assertEquals(1600, all.stream().map(JobRecord::sequence).distinct().count(), "a sequence was handed out twice");
            for (List<JobRecord> mine : perThread) {
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i).sequence() > mine.get(i - 1).sequence(), "one thread's jobs keep their order");
                }
            }
            for (JobRecord r : all) {
                assertEquals(r, store.get(r.id()).orElseThrow(), "what each submitter was told is what was stored");
            }
            assertEquals(1600L, store.counts().get(JobStatus.QUEUED));
        }
    }

    @Test
    void anInterruptedSubmitterStillLearnsWhatBecameOfItsJobAndKeepsItsInterrupt() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            Thread.currentThread().interrupt();
            try {
                assertEquals("a", store.enqueue(job("a", 0), 0).orElseThrow().id());
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
            assertEquals(1L, store.counts().get(JobStatus.QUEUED));
        }
    }
}
