package dev.ttsqueue;

import dev.ttsqueue.store.InMemoryJobStore;
import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.failure;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.testing.ControlledStore;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Races between workers, the maintenance thread, other nodes and callers, driven step by step. */
class QueueRaceTest {
    private static final String W0 = "ttsq-worker-0";
    private static final String W1 = "ttsq-worker-1";

    private final MutableClock clock = MutableClock.at("2025-11-27T10:30:00Z");
    private final CountDownLatch teardown = new CountDownLatch(1);
    private SyntheticBackend backend;
    private TtsJobQueue queue;

    @AfterEach
    void tearDown() {
        teardown.countDown();
        if (backend != null) {
            backend.releaseAll();
        }
        if (queue != null) {
            queue.close();
        }
    }

    private void hold(CountDownLatch reached, CountDownLatch release) {
        reached.countDown();
        try {
            // Longer than a test waits for its outcome, so a stuck test fails on its own assertion.
            if (!release.await(2 * WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Another node recovers a job while a worker here still runs it, and a second worker here
     * claims it again. When the first worker gives up, the job must still be watched here: its
     * timeout (and lease renewal) belongs to the run that holds the current token.
     */
    @Test
    void staleRunEndingDoesNotUnregisterTheCurrentRunOfTheSameJob() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().steps(4).build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock).workers(2)
                .maintenanceInterval(Duration.ofMillis(10)).leaseDuration(Duration.ofMinutes(10))
                .jobTimeout(Duration.ofMinutes(1)).build();
        CountDownLatch w0Reported = new CountDownLatch(1);
        CountDownLatch releaseW0 = new CountDownLatch(1);
        CountDownLatch w1Reported = new CountDownLatch(1);
        CountDownLatch w0Back = new CountDownLatch(1);
        store.afterProgress((id, state) -> {
            String me = Thread.currentThread().getName();
            if (me.equals(W0) && w0Reported.getCount() > 0) {
                hold(w0Reported, releaseW0);
            } else if (me.equals(W1) && w1Reported.getCount() > 0) {
                hold(w1Reported, teardown);
            }
        });
        store.mayClaim(W0::equals);
        String ref = upload(queue);
        JobHandle h = queue.submit(JobRequest.ttsGenerate(ref, "twice claimed"));
        assertTrue(w0Reported.await(WAIT_SECONDS, TimeUnit.SECONDS));

        // Another node sharing the store finds the lease expired and puts the job back.
        assertEquals(1, store.delegate().recoverExpiredLeases(clock.instant().plus(Duration.ofHours(1)), 3).size());
        store.mayClaim(W1::equals);
        assertTrue(w1Reported.await(WAIT_SECONDS, TimeUnit.SECONDS));

        // The first run learns it lost the job and ends; wait until its worker asks for more work.
        store.beforeClaim(() -> {
            if (Thread.currentThread().getName().equals(W0)) {
                w0Back.countDown();
            }
        });
        releaseW0.countDown();
        assertTrue(w0Back.await(WAIT_SECONDS, TimeUnit.SECONDS));

        clock.advance(Duration.ofMinutes(2));
        Throwable t = failure(h);
        assertInstanceOf(JobFailedException.class, t);
        assertEquals("timed out after 60 s", t.getMessage());
    }

    /**
     * A store plugin that throws an Error once (a missing class, say) must not end the
     * maintenance thread for good: a periodic task that throws is never run again, so timeouts,
     * lease renewals and recovery would silently stop.
     */
    @Test
    void maintenanceSurvivesAnErrorFromTheStore() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).jobTimeout(Duration.ofSeconds(5)).build();
        CountDownLatch thrown = new CountDownLatch(1);
        store.beforeRequeueExpired(() -> {
            if (thrown.getCount() > 0) {
                thrown.countDown();
                throw new NoClassDefFoundError("dev/example/MissingDriverClass");
            }
        });
        assertTrue(thrown.await(WAIT_SECONDS, TimeUnit.SECONDS));
        String ref = upload(queue);
        JobHandle hung = queue.submit(JobRequest.ttsGenerate(ref, "stuck " + SyntheticBackend.HANG_MARKER));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(6));
        assertEquals("timed out after 5 s", failure(hung).getMessage());
    }

    /** Same for a worker: an Error while claiming must not kill the only worker. */
    @Test
    void workerSurvivesAnErrorWhileClaiming() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).build();
        CountDownLatch thrown = new CountDownLatch(1);
        store.beforeClaim(() -> {
            if (thrown.getCount() > 0) {
                thrown.countDown();
                throw new NoClassDefFoundError("dev/example/MissingDriverClass");
            }
        });
        assertTrue(thrown.await(WAIT_SECONDS, TimeUnit.SECONDS));
        String ref = upload(queue);
        JobHandle h = queue.submit(JobRequest.ttsGenerate(ref, "after the error"));
        assertEquals("after the error", QueueFixture.await(h).genText());
    }

    /**
     * A job times out on the maintenance thread while its worker is between writing a progress
     * report and publishing it: listeners must not get that report after the job's FAILED event.
     */
    @Test
    void progressWrittenJustBeforeATimeoutIsNotDeliveredAfterTheEnd() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().steps(4).build();
        java.util.List<JobEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock).listener(events::add)
                .maintenanceInterval(Duration.ofMillis(10)).jobTimeout(Duration.ofSeconds(5)).build();
        CountDownLatch secondReport = new CountDownLatch(1);
        CountDownLatch releaseReport = new CountDownLatch(1);
        CountDownLatch workerBack = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger reports = new java.util.concurrent.atomic.AtomicInteger();
        store.afterProgress((id, state) -> {
            if (reports.incrementAndGet() == 2) {
                hold(secondReport, releaseReport);
            }
        });
        String ref = upload(queue);
        JobHandle h = queue.submit(JobRequest.ttsGenerate(ref, "slow"));
        assertTrue(secondReport.await(WAIT_SECONDS, TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(6));
        assertEquals("timed out after 5 s", failure(h).getMessage());

        store.beforeClaim(workerBack::countDown);
        releaseReport.countDown();
        assertTrue(workerBack.await(WAIT_SECONDS, TimeUnit.SECONDS));
        queue.close(); // delivers every pending event

        java.util.List<JobEvent.Kind> kinds = events.stream().filter(e -> e.jobId().equals(h.id())).map(JobEvent::kind).toList();
        assertEquals(JobEvent.Kind.FAILED, kinds.get(kinds.size() - 1), "events after the end: " + kinds);
        assertEquals(1, kinds.stream().filter(JobEvent.Kind::isTerminal).count(), kinds.toString());
    }

    /**
     * close() is idempotent and TtsBackend.close() is called once: a second close() while the
     * first still waits for a running job must not close the backend and the stores again.
     */
    @Test
    void secondCloseWhileTheFirstIsWaitingClosesNothingTwice() throws Exception {
        backend = SyntheticBackend.builder().gated().build();
        java.util.concurrent.atomic.AtomicInteger closes = new java.util.concurrent.atomic.AtomicInteger();
        dev.ttsqueue.spi.TtsBackend counting = new dev.ttsqueue.spi.TtsBackend() {
            @Override
            public dev.ttsqueue.spi.BackendInfo info() {
                return backend.info();
            }

            @Override
            public dev.ttsqueue.audio.AudioClip synthesize(dev.ttsqueue.spi.SynthesisRequest request,
                    dev.ttsqueue.spi.SynthesisContext ctx) throws Exception {
                return backend.synthesize(request, ctx);
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        TtsJobQueue q = TtsJobQueue.builder().backend(counting).clock(clock).maintenanceInterval(Duration.ofMillis(10)).build();
        q.submit(JobRequest.ttsGenerate(upload(q), "keeps close() waiting"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        Thread first = new Thread(q::close, "first-close");
        Thread second = new Thread(q::close, "second-close");
        try {
            first.start();
            awaitWaitingOrDone(first); // inside close(), waiting for the running job
            second.start();
            awaitWaitingOrDone(second); // either returned at once, or waits for the job too
        } finally {
            backend.releaseAll();
            first.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            second.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertEquals(1, closes.get());
    }

    /** Waits until {@code t} is in a timed wait (a join with a deadline) or has ended. */
    private static void awaitWaitingOrDone(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.TERMINATED) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(t.getName() + " is " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    /**
     * A submit() that passed the open check when close() started must not hand back a job
     * whose future never completes: close() already settled the futures it knew of.
     */
    @Test
    void submitRacingCloseNeverReturnsAHandleThatNeverCompletes() throws Exception {
        backend = SyntheticBackend.builder().build();
        CountDownLatch inSubmit = new CountDownLatch(1);
        CountDownLatch releaseSubmit = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        TtsJobQueue q = TtsJobQueue.builder().backend(backend).clock(clock).maintenanceInterval(Duration.ofMillis(10))
                .seedSource(() -> {
                    if (armed.getAndSet(false)) {
                        hold(inSubmit, releaseSubmit);
                    }
                    return 7;
                }).build();
        String ref = upload(q);
        java.util.concurrent.CompletableFuture<JobHandle> submitted = new java.util.concurrent.CompletableFuture<>();
        armed.set(true);
        Thread submitter = new Thread(() -> {
            try {
                submitted.complete(q.submit(JobRequest.ttsGenerate(ref, "late")));
            } catch (Throwable t) {
                submitted.completeExceptionally(t);
            }
        }, "submitter");
        submitter.start();
        try {
            assertTrue(inSubmit.await(WAIT_SECONDS, TimeUnit.SECONDS));
            q.close();
        } finally {
            releaseSubmit.countDown();
        }
        JobHandle h;
        try {
            h = submitted.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertInstanceOf(QueueClosedException.class, e.getCause());
            return;
        }
        assertInstanceOf(QueueClosedException.class, failure(h));
    }

    /** A handle asked for after close() for a job still queued (it stays in the store) must still settle. */
    @Test
    void handleOfAQueuedJobAfterCloseCompletesWithQueueClosed() throws Exception {
        backend = SyntheticBackend.builder().gated().build();
        TtsJobQueue q = TtsJobQueue.builder().backend(backend).clock(clock).maintenanceInterval(Duration.ofMillis(10))
                .closeGracePeriod(Duration.ZERO).build();
        String ref = upload(q);
        q.submit(JobRequest.ttsGenerate(ref, "running"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle waiting = q.submit(JobRequest.ttsGenerate(ref, "still queued"));
        q.close();
        assertEquals(JobStatus.QUEUED, q.status(waiting.id()).status());
        assertInstanceOf(QueueClosedException.class, failure(q.handle(waiting.id())));
    }

    /**
     * When the completion write fails (a busy or broken database), the output already saved
     * belongs to no job: no cleanup would ever find it, so it must not stay in the audio store.
     */
    @Test
    void outputOfAJobWhoseCompletionWriteFailsIsNotLeft() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).build();
        store.beforeComplete(() -> {
            throw new IllegalStateException("database is locked");
        });
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "lost output"));
        assertEquals("database is locked", failure(h).getMessage());
        assertEquals(java.util.List.of(), queue.audioStore().list().stream()
                .filter(e -> e.kind() == dev.ttsqueue.spi.AudioKind.OUTPUT).toList());
    }

    /**
     * JobListener promises that a listener that throws is skipped and the others go on. An
     * Error (an assertion in a listener, say) is thrown too: the listeners after it must still
     * get every event, and the job's own listener list must still be dropped at its end.
     */
    @Test
    void listenerThatThrowsAnErrorDoesNotStarveTheOthers() throws Exception {
        backend = SyntheticBackend.builder().build();
        java.util.List<JobEvent.Kind> kinds = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        queue = TtsJobQueue.builder().backend(backend).clock(clock).maintenanceInterval(Duration.ofMillis(10))
                .listener(e -> {
                    throw new AssertionError("a listener's own check failed");
                })
                .listener(e -> kinds.add(e.kind()))
                .build();
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "hello"));
        queue.subscribe(h.id(), e -> {
            if (e.kind().isTerminal()) {
                ended.countDown();
            }
        });
        QueueFixture.await(h);
        assertTrue(ended.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(JobEvent.Kind.COMPLETED, kinds.get(kinds.size() - 1));
        assertTrue(kinds.contains(JobEvent.Kind.STARTED), kinds.toString());
    }

    /** JobSnapshot promises startedAt is null while queued; a job put back after a lost lease is queued again. */
    @Test
    void jobPutBackAfterALostLeaseShowsNoStartWhileQueued() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().gated().build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).build();
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "put back"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        store.mayClaim(name -> false);
        assertEquals(1, store.delegate().recoverExpiredLeases(clock.instant().plus(Duration.ofHours(1)), 3).size());
        JobSnapshot s = queue.status(h.id());
        assertEquals(JobStatus.QUEUED, s.status());
        assertEquals(null, s.startedAt());
        assertEquals(1, s.attempts());
    }

    /**
     * A batching worker already holds one claimed job when the next claim of the same batch
     * fails: that job must still run now, not sit claimed until its lease runs out (and then
     * count as a lost worker's attempt).
     */
    @Test
    void failedClaimWhileFillingABatchDoesNotStrandTheJobsAlreadyClaimed() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().maxBatchSize(4).build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).build();
        java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean();
        store.afterClaim(claim -> failNext.set(claim.isPresent()));
        store.beforeClaim(() -> {
            if (failNext.getAndSet(false)) {
                throw new IllegalStateException("database is locked");
            }
        });
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "claimed first"));
        assertEquals("claimed first", QueueFixture.await(h).genText());
        assertEquals(1, queue.status(h.id()).attempts());
    }

    /**
     * A batch fails because one of its jobs was cancelled, and recording that cancellation fails
     * too: the other job of the batch must still run, not be left claimed by nobody.
     */
    @Test
    void failedCancellationWriteDoesNotStrandTheRestOfTheBatch() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().maxBatchSize(2).build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).build();
        store.mayClaim(name -> false);
        String ref = upload(queue);
        JobHandle cancelled = queue.submit(JobRequest.ttsGenerate(ref, "cancelled in the batch"));
        JobHandle neighbour = queue.submit(JobRequest.ttsGenerate(ref, "neighbour"));
        store.afterClaim(claim -> claim.filter(c -> c.job().id().equals(cancelled.id()))
                .ifPresent(c -> queue.cancel(cancelled.id())));
        store.beforeFinishCancelled(() -> {
            throw new IllegalStateException("database is locked");
        });
        store.mayClaim(name -> true);
        assertEquals("neighbour", QueueFixture.await(neighbour).genText());
        assertEquals(java.util.List.of(2), backend.batchSizes());
    }

    /**
     * The maintenance thread times a job out but cannot write that (a locked database): the job
     * must still end as timed out once its backend call stops, not stay claimed until its lease
     * runs out and then run again.
     */
    @Test
    void timeoutIsRecordedEvenWhenTheFirstWriteOfItFails() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        backend = SyntheticBackend.builder().gated().build();
        queue = TtsJobQueue.builder().backend(backend).store(store).clock(clock)
                .maintenanceInterval(Duration.ofMillis(10)).jobTimeout(Duration.ofSeconds(5)).build();
        java.util.concurrent.atomic.AtomicBoolean failOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        store.beforeFail(() -> {
            if (failOnce.getAndSet(false)) {
                throw new IllegalStateException("database is locked");
            }
        });
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "slow"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(6));
        assertEquals("timed out after 5 s", failure(h).getMessage());
        assertEquals(1, queue.status(h.id()).attempts());
    }
}
