package dev.ttsqueue.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.LeaseState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/**
 * Claim / renew / complete / recover races on the SQLite store, explored under Fray's controlled
 * scheduler: every iteration picks another interleaving of two workers claiming and completing,
 * a dead worker renewing and then completing with its old token, and lease recovery. Writes go
 * through one Java lock around one connection (reads never wait in WAL mode), so the scheduler
 * sees every point where the threads can interleave. Run by this module's {@code fray} profile
 * during {@code mvn verify}, in the instrumented JDK 25 the core module links.
 */
@ExtendWith(FrayTestExtension.class)
class SqliteJobStoreInterleavings {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** After the dead worker's lease ended, before any new lease does. */
    private static final Instant NOW = T0.plusSeconds(60);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 3;

    static {
        // Fray runs the test on threads whose context class loader the JDBC service lookup does not
        // search, so DriverManager would find no driver: load it, and it registers itself.
        try {
            Class.forName("org.sqlite.JDBC");
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private record Outcome(String worker, Claim claim, boolean completed) {
    }

    @FrayTest(iterations = 60)
    void claimRenewCompleteAndRecoverKeepTheStoreConsistent() throws Exception {
        Path dir = Files.createTempDirectory("sqlite-fray");
        try (JobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueue(job("stale"), 0).orElseThrow();
            Claim dead = store.claimNext("dead", T0, LEASE).orElseThrow();
            store.enqueue(job("a"), 0).orElseThrow();

            ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            AtomicReference<List<JobRecord>> recovered = new AtomicReference<>();
            AtomicReference<LeaseState> renewal = new AtomicReference<>();
            AtomicBoolean zombieCompleted = new AtomicBoolean();

            List<Thread> threads = new ArrayList<>();
            for (String worker : List.of("w1", "w2")) {
                threads.add(new Thread(() -> {
                    Optional<Claim> claim = store.claimNext(worker, NOW, LEASE);
                    claim.ifPresent(c -> outcomes.add(new Outcome(worker, c,
                            store.complete(c.job().id(), c.fencingToken(), result(worker), NOW))));
                }, "fray-" + worker));
            }
            threads.add(new Thread(() -> recovered.set(store.recoverExpiredLeases(NOW, MAX_ATTEMPTS)), "fray-recover"));
            // The dead worker wakes up: it renews its lease, then tries to finish with its old token.
            threads.add(new Thread(() -> {
                renewal.set(store.renewLease("stale", dead.fencingToken(), NOW.plus(LEASE)));
                zombieCompleted.set(store.complete("stale", dead.fencingToken(), result("dead"), NOW));
            }, "fray-zombie"));
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }

            Set<String> claimed = new HashSet<>();
            Set<Long> tokens = new HashSet<>(Set.of(dead.fencingToken()));
            for (Outcome o : outcomes) {
                assertTrue(claimed.add(o.claim().job().id()), "two workers claimed " + o.claim().job().id());
                assertTrue(tokens.add(o.claim().fencingToken()), "fencing token reused: " + o.claim().fencingToken());
                assertTrue(o.completed(), o.worker() + " held a fresh claim but could not complete it");
                JobRecord after = store.get(o.claim().job().id()).orElseThrow();
                assertEquals(JobStatus.COMPLETED, after.status());
                assertEquals(o.worker(), after.result().voiceName(), "the holder's result is the one kept");
            }
            assertTrue(claimed.contains("a"), "the queued job was claimed by a worker");

            JobRecord stale = store.get("stale").orElseThrow();
            boolean staleRecovered = recovered.get().stream().anyMatch(r -> r.id().equals("stale"));
            if (zombieCompleted.get()) {
                // Only before recovery took the job back (a renewal in time keeps it the dead worker's).
                assertFalse(claimed.contains("stale"), "completed by the dead worker and claimed again");
                assertEquals("dead", stale.result().voiceName());
            } else {
                assertTrue(staleRecovered, "the dead worker's completion was refused while it still held the job");
                assertFalse(stale.result() != null && "dead".equals(stale.result().voiceName()), "the stale token won");
            }
            if (claimed.contains("stale")) {
                assertEquals(2, stale.attempts(), "the recovered job's second claim is its second attempt");
            }

            // counts() agrees with list() state by state.
            Map<JobStatus, Long> counts = store.counts();
            List<JobRecord> all = store.list(null, 10);
            assertEquals(2, all.size());
            for (JobStatus s : JobStatus.values()) {
                long listed = all.stream().filter(j -> j.status() == s).count();
                assertEquals(listed, counts.get(s), "count of " + s);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static JobRecord job(String id) {
        return JobRecord.newQueued(id, JobRequest.ttsPermanent("narrator", "text of " + id), 42, T0);
    }

    private static SynthesisResult result(String writer) {
        return new SynthesisResult("out-" + writer, "ref", "gen", 1000, writer, 1.0, 24000, "synthetic", null);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
