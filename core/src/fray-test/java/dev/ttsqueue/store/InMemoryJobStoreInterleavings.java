package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/**
 * Claim/cancel/recover/complete races on the in-memory store, explored under a controlled
 * scheduler: every run picks a different interleaving of the threads below, so an operation that
 * is not atomic under the store's lock shows up as a broken invariant rather than a rare flake.
 *
 * <p>Run by the {@code fray} profile of this module during {@code mvn verify} (it needs an
 * instrumented JDK 25, see core/pom.xml), not by the plain surefire run. Alone:
 * {@code mvn -pl core process-test-classes surefire:test@fray-interleavings}. A failure names the
 * report folder under {@code core/target/fray/fray-report} whose recording replays it.
 */
@ExtendWith(FrayTestExtension.class)
class InMemoryJobStoreInterleavings {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** The moment every thread acts at: after the dead worker's lease, before any new lease ends. */
    private static final Instant NOW = T0.plusSeconds(60);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 3;

    /** One worker's claim and whether its completion was accepted. */
    private record Outcome(String worker, Claim claim, boolean completed) {
    }

    @FrayTest(iterations = 300)
    void claimCancelRequeueAndStaleCompleteKeepTheStoreConsistent() throws InterruptedException {
        JobStore store = new InMemoryJobStore();
        store.enqueue(job("stale"), 0).orElseThrow();
        // The dead worker's claim: its lease ended at T0 + 30 s, before NOW.
        Claim dead = store.claimNext("dead", T0, LEASE).orElseThrow();
        store.enqueue(job("a"), 0).orElseThrow();
        store.enqueue(job("b"), 0).orElseThrow();

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicReference<CancelOutcome> cancelOfA = new AtomicReference<>();
        AtomicReference<List<JobRecord>> recovered = new AtomicReference<>();
        AtomicBoolean zombieCompleted = new AtomicBoolean();
        ConcurrentLinkedQueue<String> midFlightProblems = new ConcurrentLinkedQueue<>();

        List<Thread> threads = new ArrayList<>();
        for (String worker : List.of("w1", "w2")) {
            threads.add(new Thread(() -> {
                Optional<Claim> claim = store.claimNext(worker, NOW, LEASE);
                claim.ifPresent(c -> outcomes.add(new Outcome(worker, c,
                        store.complete(c.job().id(), c.fencingToken(), result(worker), NOW))));
            }, "fray-" + worker));
        }
        threads.add(new Thread(() -> cancelOfA.set(store.requestCancel("a", NOW)), "fray-cancel"));
        threads.add(new Thread(() -> recovered.set(store.recoverExpiredLeases(NOW, MAX_ATTEMPTS)), "fray-recover"));
        // The dead worker wakes up and tries to finish with its old token.
        threads.add(new Thread(() -> zombieCompleted.set(
                store.complete("stale", dead.fencingToken(), result("dead"), NOW)), "fray-zombie"));
        threads.add(new Thread(() -> {
            long total = store.counts().values().stream().mapToLong(Long::longValue).sum();
            if (total != 3) {
                midFlightProblems.add("counts() summed to " + total + " mid-flight");
            }
        }, "fray-observer"));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }

        assertTrue(midFlightProblems.isEmpty(), midFlightProblems.toString());

        // At most one holder per job per attempt, and every fencing token is fresh.
        Set<String> claimedIds = new HashSet<>();
        Set<Long> tokens = new HashSet<>(Set.of(dead.fencingToken()));
        for (Outcome o : outcomes) {
            assertTrue(claimedIds.add(o.claim().job().id()), "two workers claimed " + o.claim().job().id());
            assertTrue(tokens.add(o.claim().fencingToken()), "fencing token reused: " + o.claim().fencingToken());
            assertTrue(o.completed(), o.worker() + " held a fresh claim but could not complete it");
        }

        JobRecord stale = store.get("stale").orElseThrow();
        boolean staleRecovered = recovered.get().stream().anyMatch(r -> r.id().equals("stale"));
        if (zombieCompleted.get()) {
            // Only possible before recovery took the job back; afterwards the old token is stale.
            assertFalse(staleRecovered, "the dead worker completed a job that had been recovered");
            assertFalse(claimedIds.contains("stale"), "stale was completed by the dead worker and claimed again");
            assertEquals("dead", stale.result().voiceName());
        } else {
            assertTrue(staleRecovered, "the dead worker's completion was refused while it still held the job");
            assertNotEquals("dead", stale.result() == null ? null : stale.result().voiceName());
        }
        if (claimedIds.contains("stale")) {
            assertEquals(2, stale.attempts(), "the recovered job's second claim is its second attempt");
        }

        switch (cancelOfA.get()) {
            case CANCELLED -> {
                assertFalse(claimedIds.contains("a"), "a cancelled queued job was claimed");
                assertEquals(JobStatus.CANCELLED, store.get("a").orElseThrow().status());
            }
            case CANCEL_REQUESTED, ALREADY_FINISHED -> assertTrue(claimedIds.contains("a"),
                    "cancel saw a running or finished job nobody claimed: " + cancelOfA.get());
            default -> throw new AssertionError("unexpected cancel outcome " + cancelOfA.get());
        }
        for (Outcome o : outcomes) {
            JobRecord after = store.get(o.claim().job().id()).orElseThrow();
            assertEquals(JobStatus.COMPLETED, after.status());
            assertEquals(o.worker(), after.result().voiceName());
        }

        // Terminal jobs never change again, whatever token or request arrives.
        List<JobRecord> before = store.list(null, 10);
        for (JobRecord j : before) {
            if (!j.status().isTerminal()) {
                continue;
            }
            for (long token : tokens) {
                assertFalse(store.complete(j.id(), token, result("late"), NOW), "completed terminal " + j.id());
                assertFalse(store.fail(j.id(), token, "late", NOW), "failed terminal " + j.id());
            }
            assertEquals(CancelOutcome.ALREADY_FINISHED, store.requestCancel(j.id(), NOW));
        }
        assertTrue(store.recoverExpiredLeases(NOW.plus(Duration.ofDays(1)), MAX_ATTEMPTS).stream()
                .noneMatch(r -> before.stream().anyMatch(b -> b.id().equals(r.id()) && b.status().isTerminal())),
                "recovery touched a terminal job");
        for (JobRecord j : before) {
            if (j.status().isTerminal()) {
                assertEquals(j, store.get(j.id()).orElseThrow());
            }
        }

        // counts() agrees with list() state by state.
        Map<JobStatus, Long> counts = store.counts();
        List<JobRecord> all = store.list(null, 10);
        assertEquals(3, all.size());
        for (JobStatus s : JobStatus.values()) {
            long listed = all.stream().filter(j -> j.status() == s).count();
            assertEquals(listed, counts.get(s), "count of " + s);
            assertEquals(listed, store.list(s, 10).size(), "list(" + s + ")");
        }
    }

    private static JobRecord job(String id) {
        return JobRecord.newQueued(id, JobRequest.ttsPermanent("narrator", "text of " + id), 42, T0);
    }

    /** A result whose voice names the writer, so the final record shows whose write won. */
    private static SynthesisResult result(String writer) {
        return new SynthesisResult("out-" + writer, "ref", "gen", 1000, writer, 1.0, 24000, "synthetic", null);
    }
}
