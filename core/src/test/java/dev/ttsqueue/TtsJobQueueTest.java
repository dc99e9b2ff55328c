package dev.ttsqueue;

import dev.ttsqueue.store.InMemoryJobStore;
import dev.ttsqueue.store.DirectoryVoiceBank;
import dev.ttsqueue.store.InMemoryAudioStore;
import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.failure;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.testing.ControlledStore;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import dev.ttsqueue.spi.TenantCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TtsJobQueueTest {
    private final MutableClock clock = MutableClock.at("2025-11-27T10:30:00Z");
    private TtsJobQueue queue;
    private SyntheticBackend backend;

    private TtsJobQueue start(SyntheticBackend b, java.util.function.UnaryOperator<TtsJobQueue.Builder> tweak) {
        backend = b;
        queue = tweak.apply(TtsJobQueue.builder().backend(b).clock(clock).maintenanceInterval(Duration.ofMillis(10))).build();
        return queue;
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.releaseAll();
        }
        if (queue != null) {
            queue.close();
        }
    }

    @Test
    void completesAJobAndKeepsItsResult() throws Exception {
        start(SyntheticBackend.builder().build(), b -> b);
        String ref = upload(queue);
        JobHandle h = queue.submit(JobRequest.ttsGenerate(ref, "Hello there").refText("Some reference.")
                .settings(InferenceSettings.defaults().withSeed(42)));
        SynthesisResult r = await(h);
        assertEquals("Hello there", r.genText());
        assertEquals("Some reference.", r.refText());
        assertEquals(42, r.seed());
        assertEquals("synthetic", r.backend());
        assertNull(r.note());
        assertEquals(24_000, queue.readOutput(r.outputFileId()).sampleRate());
        JobSnapshot s = queue.status(h.id());
        assertEquals(JobStatus.COMPLETED, s.status());
        assertEquals(100.0, s.progress());
        assertNull(s.estimatedCompletion());
        assertEquals(0, s.queuePosition());
        assertEquals(1, s.attempts());
        assertEquals(clock.instant(), s.createdAt());
        assertNotNull(s.startedAt());
        assertNotNull(s.completedAt());
        assertEquals(r, queue.result(h.id()));
    }

    @Test
    void tenantWeightsOrderTheQueueAndTenantsAreCounted() throws Exception {
        start(SyntheticBackend.builder().steps(1).gated().build(), b -> b.tenantWeights(Map.of("vip", 3)));
        String ref = upload(queue);
        JobHandle blocker = queue.submit(JobRequest.ttsGenerate(ref, "first"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        List<JobHandle> plain = new ArrayList<>();
        List<JobHandle> vip = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            plain.add(queue.submit(JobRequest.ttsGenerate(ref, "plain " + i).tenant("plain")));
        }
        for (int i = 0; i < 3; i++) {
            vip.add(queue.submit(JobRequest.ttsGenerate(ref, "vip " + i).tenant("vip")));
        }
        // Weight 3 takes three turns for each of weight 1; the first turn of each goes by submission.
        List<JobHandle> expected = List.of(plain.get(0), vip.get(0), vip.get(1), vip.get(2), plain.get(1), plain.get(2));
        for (int i = 0; i < expected.size(); i++) {
            JobSnapshot s = queue.status(expected.get(i).id());
            assertEquals(i + 1, s.queuePosition(), "place of " + s.request().text());
        }
        assertEquals("vip", queue.status(vip.get(0).id()).tenant());
        assertEquals(JobRequest.ANONYMOUS_TENANT, queue.status(blocker.id()).tenant());
        assertEquals(new TenantCounts(3, 0), queue.tenantCounts("vip"));
        assertEquals(new TenantCounts(0, 1), queue.tenantCounts(null));
        assertEquals(3, queue.config().store().get(vip.get(0).id()).orElseThrow().shareWeight());
        assertEquals(1, queue.config().store().get(plain.get(0).id()).orElseThrow().shareWeight());
        assertThrows(InvalidRequestException.class, () -> queue.tenantCounts("no spaces"));
        backend.releaseAll();
        await(blocker);
    }

    @Test
    void tenantNamesAreCheckedWhereTheRequestIsMade() {
        assertEquals(JobRequest.ANONYMOUS_TENANT, JobRequest.ttsPermanent("v", "t").tenant());
        assertEquals(JobRequest.ANONYMOUS_TENANT, JobRequest.ttsPermanent("v", "t").tenant(null).tenant());
        assertEquals("team-7.a_b", JobRequest.ttsPermanent("v", "t").tenant("team-7.a_b").tenant());
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> JobRequest.ttsPermanent("v", "t").tenant("a/b"));
        assertTrue(e.getMessage().contains("character 2 of 'a/b'"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> JobRequest.ttsPermanent("v", "t").tenant("x".repeat(65)));
        assertThrows(InvalidRequestException.class, () -> JobRequest.ttsPermanent("v", "t").tenant("a\nb"));
        assertEquals("x".repeat(64), JobRequest.ttsPermanent("v", "t").tenant("x".repeat(64)).tenant());
        assertEquals(3, FairShare.weights(Map.of("vip", 3)).weightOf("vip"));
        assertEquals(1, FairShare.weights(Map.of("vip", 3)).weightOf("other"));
        assertEquals(1, FairShare.EQUAL.weightOf(null));
        assertThrows(IllegalArgumentException.class, () -> FairShare.weights(Map.of("vip", 0)));
        assertThrows(IllegalArgumentException.class, () -> FairShare.weights(Map.of("vip", FairShare.MAX_WEIGHT + 1)));
        assertThrows(IllegalArgumentException.class, () -> FairShare.weights(Map.of("bad name", 2)));
    }

    @Test
    void progressIsMonotoneAndEndsAt100() throws Exception {
        start(SyntheticBackend.builder().steps(10).gated().build(), b -> b);
        BlockingQueue<JobProgress> seen = new LinkedBlockingQueue<>();
        // Registered before submit: the first report (0 of 10) comes as soon as a worker takes the job.
        queue.addListener(e -> {
            if (e.kind() == JobEvent.Kind.PROGRESS) {
                seen.add(e.progress());
            }
        });
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "progress"));
        JobProgress previous = seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(previous, "a report when the job starts");
        assertEquals(0, previous.stepsDone());
        // One step at a time, each report awaited: a listener that keeps up sees every one of them.
        for (int step = 1; step <= 10; step++) {
            backend.release(1);
            JobProgress p = seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(p, "no report for step " + step);
            assertEquals(step, p.stepsDone());
            assertTrue(p.percent() >= previous.percent(), "not monotone: " + previous + " then " + p);
            assertTrue(p.percent() < 100.0, "100 is reserved for completion");
            previous = p;
        }
        await(h);
        assertEquals(100.0, queue.status(h.id()).progress());
    }

    @Test
    void etasComeFromTheJobsOwnPaceAndFromACostPerJobAndPerCharacterOfTheWorkAhead() throws Exception {
        start(SyntheticBackend.builder().steps(4).gated().build(), b -> b);
        BlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
        queue.addListener(events::add);
        String ref = upload(queue);
        JobHandle a = queue.submit(JobRequest.ttsGenerate(ref, "a".repeat(10)));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        Instant started = clock.instant();
        clock.advance(Duration.ofSeconds(2));
        backend.release(1);
        JobProgress p = nextProgress(events, 1);
        // Its own pace: 2 s for one step, 3 steps left.
        assertEquals(started.plusSeconds(2 + 3 * 2), p.estimatedCompletion());
        assertEquals(25.0, p.percent());
        assertEquals(started.plusSeconds(8), queue.status(a.id()).estimatedCompletion());

        // Nothing finished yet, so how long a job takes here is unknown: no ETA rather than a guess.
        JobHandle b = queue.submit(JobRequest.ttsGenerate(ref, "b".repeat(30)));
        assertNull(queue.status(b.id()).estimatedCompletion());

        clock.advance(Duration.ofSeconds(6));
        backend.release(3);
        await(a); // 10 characters in 8 s
        assertTrue(backend.awaitStepsEntered(3 + 1, WAIT_SECONDS, TimeUnit.SECONDS), "the rest of a, then b started");
        clock.advance(Duration.ofSeconds(12));
        backend.release(4);
        await(b); // 30 characters in 12 s: so 6 s per job plus 0.2 s per character

        JobHandle c = queue.submit(JobRequest.ttsGenerate(ref, "c".repeat(20)));
        assertTrue(backend.awaitStepsEntered(3 + 1, WAIT_SECONDS, TimeUnit.SECONDS), "the rest of b, then c started");
        JobHandle d = queue.submit(JobRequest.ttsGenerate(ref, "d".repeat(50)));
        JobHandle e = queue.submit(JobRequest.ttsGenerate(ref, "e".repeat(5)));
        Instant now = clock.instant();
        // c has reported no step yet: 6 + 0.2 × 20 = 10 s from its start, which is now.
        assertNear(now.plusSeconds(10), queue.status(c.id()).estimatedCompletion());
        // d: c's 10 s, then its own 6 + 0.2 × 50 = 16 s.
        JobSnapshot sd = queue.status(d.id());
        assertEquals(1, sd.queuePosition());
        assertNear(now.plusSeconds(10 + 16), sd.estimatedCompletion());
        assertNear(now.plusSeconds(10 + 16), d.accepted().estimatedCompletion());
        // e: c's 10 s, one job of 50 characters ahead (16 s), then its own 6 + 0.2 × 5 = 7 s.
        JobSnapshot se = queue.status(e.id());
        assertEquals(2, se.queuePosition());
        assertNear(now.plusSeconds(10 + 16 + 7), se.estimatedCompletion());
        backend.release(12);
        await(c);
        await(d);
        await(e);
    }

    @Test
    void aJobClaimedBeforeItsFirstSnapshotStillGetsAnEstimate() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        start(SyntheticBackend.builder().steps(1).gated().build(), b -> b.store(store));
        String ref = upload(queue);
        JobHandle a = queue.submit(JobRequest.ttsGenerate(ref, "a".repeat(10)));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(4));
        backend.release(1);
        await(a); // the speed model: 4 s a job

        // The idle worker claims the next job before the submit reads its place for the answer, and
        // stops right after the claim, before its run is registered here.
        Thread submitter = Thread.currentThread();
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        store.afterClaim(c -> {
            if (c.isPresent()) {
                claimed.countDown();
                awaitQuietly(goOn);
            }
        });
        store.beforeQueuePlace(() -> {
            if (Thread.currentThread() == submitter) {
                awaitQuietly(claimed);
            }
        });
        Instant submitted = clock.instant();
        JobHandle b = queue.submit(JobRequest.ttsGenerate(ref, "b".repeat(10)));
        store.beforeQueuePlace(() -> { });
        // Read as queued, claimed since: it starts about now.
        assertNear(submitted.plusSeconds(4), b.accepted().estimatedCompletion());
        clock.advance(Duration.ofSeconds(1));
        // Running, with no report and no run here yet: from its start, not from now.
        JobSnapshot running = queue.status(b.id());
        assertEquals(JobStatus.PROCESSING, running.status());
        assertNear(submitted.plusSeconds(4), running.estimatedCompletion());
        goOn.countDown();
        backend.release(1);
        await(b);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void progressReachesTheStoreEveryHalfSecondWhileStatusShowsEveryStep() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        List<Integer> written = new CopyOnWriteArrayList<>();
        store.afterProgress((id, state) -> written.add(store.delegate().get(id).orElseThrow().stepsDone()));
        start(SyntheticBackend.builder().steps(10).gated().build(), b -> b.store(store));
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "progress"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        for (int step = 1; step <= 4; step++) {
            backend.release(1);
            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(step * 10.0, queue.status(h.id()).progress(), "status shows step " + step);
        }
        assertEquals(List.of(0), written, "no clock time passed: only the first report was written");
        clock.advance(Duration.ofMillis(500)); // RunningJob.PROGRESS_WRITE_INTERVAL
        backend.release(1);
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of(0, 5), written, "half a second later the next report is written");
        backend.release(5);
        await(h);
        assertEquals(List.of(0, 5, 10), written, "and the last step always is");
    }

    private static void assertNear(Instant expected, Instant actual) {
        assertNotNull(actual, "no estimate");
        assertTrue(Math.abs(Duration.between(expected, actual).toMillis()) <= 1, "expected " + expected + ", got " + actual);
    }

    private static JobProgress nextProgress(BlockingQueue<JobEvent> events, int stepsDone) throws InterruptedException {
        while (true) {
            JobEvent e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(e, "no progress event with " + stepsDone + " steps");
            if (e.kind() == JobEvent.Kind.PROGRESS && e.progress().stepsDone() == stepsDone) {
                return e.progress();
            }
        }
    }

    @Test
    void cancelledQueuedJobNeverStarts() throws Exception {
        start(SyntheticBackend.builder().steps(1).gated().build(), b -> b);
        String ref = upload(queue);
        JobHandle running = queue.submit(JobRequest.ttsGenerate(ref, "running"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle waiting = queue.submit(JobRequest.ttsGenerate(ref, "waiting"));
        assertTrue(queue.cancel(waiting.id()));
        assertInstanceOf(JobCancelledException.class, failure(waiting));
        assertEquals(JobStatus.CANCELLED, queue.status(waiting.id()).status());
        backend.release(1);
        await(running);
        JobHandle after = queue.submit(JobRequest.ttsGenerate(ref, "after"));
        backend.release(1);
        await(after);
        assertEquals(List.of("running", "after"), backend.order());
        assertFalse(queue.cancel(waiting.id()), "already finished");
        assertThrows(JobNotFoundException.class, () -> queue.cancel("no-such-job"));
    }

    @Test
    void cancelledRunningJobStopsAtItsNextStepAndTheWorkerGoesOn() throws Exception {
        start(SyntheticBackend.builder().steps(5).gated().build(), b -> b);
        String ref = upload(queue);
        JobHandle h = queue.submit(JobRequest.ttsGenerate(ref, "long job"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(h.cancel());
        assertInstanceOf(JobCancelledException.class, failure(h));
        assertEquals(JobStatus.CANCELLED, queue.status(h.id()).status());
        JobHandle next = queue.submit(JobRequest.ttsGenerate(ref, "next"));
        backend.release(5);
        await(next);
    }

    @Test
    void backendExceptionFailsOnlyItsJob() throws Exception {
        start(SyntheticBackend.builder().build(), b -> b);
        String ref = upload(queue);
        JobHandle bad = queue.submit(JobRequest.ttsGenerate(ref, "boom " + SyntheticBackend.FAIL_MARKER));
        JobHandle good = queue.submit(JobRequest.ttsGenerate(ref, "fine"));
        Throwable t = failure(bad);
        assertInstanceOf(JobFailedException.class, t);
        assertTrue(t.getMessage().contains("synthetic failure"), t.getMessage());
        JobSnapshot s = queue.status(bad.id());
        assertEquals(JobStatus.FAILED, s.status());
        assertEquals(t.getMessage(), s.error());
        assertThrows(JobNotCompletedException.class, () -> queue.result(bad.id()));
        await(good);
    }

    @Test
    void jobPastItsTimeoutFailsAndTheWorkerGoesOn() throws Exception {
        start(SyntheticBackend.builder().build(), b -> b.jobTimeout(Duration.ofSeconds(5)));
        String ref = upload(queue);
        JobHandle hung = queue.submit(JobRequest.ttsGenerate(ref, "stuck " + SyntheticBackend.HANG_MARKER));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(6));
        Throwable t = failure(hung);
        assertEquals("timed out after 5 s", t.getMessage());
        assertEquals(JobStatus.FAILED, queue.status(hung.id()).status());
        backend.releaseHung();
        JobHandle next = queue.submit(JobRequest.ttsGenerate(ref, "next"));
        await(next);
        assertEquals(JobStatus.FAILED, queue.status(hung.id()).status(), "the late result must not overwrite the timeout");
    }

    @Test
    void aBackendCallThatOutlivesItsTimeoutByAMinuteCountsItsWorkerAsStuck() throws Exception {
        start(SyntheticBackend.builder().build(), b -> b.jobTimeout(Duration.ofSeconds(5)));
        String ref = upload(queue);
        JobHandle hung = queue.submit(JobRequest.ttsGenerate(ref, "stuck " + SyntheticBackend.HANG_MARKER));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, queue.queueStatus().stuckWorkers(), "running, not stuck");
        clock.advance(Duration.ofSeconds(6));
        assertEquals("timed out after 5 s", failure(hung).getMessage());
        assertEquals(0, queue.queueStatus().stuckWorkers(), "the backend gets a minute to notice");
        clock.advance(Duration.ofSeconds(59));
        assertEquals(0, queue.queueStatus().stuckWorkers());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, queue.queueStatus().stuckWorkers(), "a minute after the timeout the call still runs");

        backend.releaseHung();
        await(queue.submit(JobRequest.ttsGenerate(ref, "next")));
        assertEquals(0, queue.queueStatus().stuckWorkers(), "the worker is back");
    }

    @Test
    void refusesBeyondMaxQueueSize() throws Exception {
        start(SyntheticBackend.builder().steps(1).gated().build(), b -> b.maxQueueSize(2));
        String ref = upload(queue);
        queue.submit(JobRequest.ttsGenerate(ref, "running"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        queue.submit(JobRequest.ttsGenerate(ref, "q1"));
        queue.submit(JobRequest.ttsGenerate(ref, "q2"));
        QueueFullException e = assertThrows(QueueFullException.class, () -> queue.submit(JobRequest.ttsGenerate(ref, "q3")));
        assertEquals(2, e.maxQueueSize());
        assertTrue(e.retryAfter().toSeconds() >= 1);
        assertEquals(2, queue.queueStatus().queueSize());
    }

    @Test
    void cleanupRemovesFinishedJobsOlderThanTheAgeAndTheirAudio() throws Exception {
        start(SyntheticBackend.builder().build(), b -> b);
        String ref = upload(queue);
        SynthesisResult old1 = await(queue.submit(JobRequest.ttsGenerate(ref, "old one")));
        JobHandle old2 = queue.submit(JobRequest.ttsGenerate(ref, "old two " + SyntheticBackend.FAIL_MARKER));
        failure(old2);
        clock.advance(Duration.ofHours(2));
        JobHandle fresh = queue.submit(JobRequest.ttsGenerate(ref, "fresh"));
        await(fresh);
        assertEquals(2, queue.cleanup(Duration.ofHours(1)));
        assertThrows(JobNotFoundException.class, () -> queue.status(old2.id()));
        assertTrue(queue.audioStore().find(old1.outputFileId()).isEmpty(), "output audio of a cleaned job is deleted");
        assertEquals(JobStatus.COMPLETED, queue.status(fresh.id()).status());
        assertEquals(0, queue.cleanup(Duration.ofHours(1)));
    }

    @Test
    void finishedJobsAndTheirAudioGoAfterADayByDefault() throws Exception {
        java.util.concurrent.Semaphore passes = startCountingMaintenancePasses(b -> b);
        SynthesisResult done = await(queue.submit(JobRequest.ttsGenerate(upload(queue), "kept for a day")));

        clock.advance(TtsJobQueue.DEFAULT_RETENTION.minusMinutes(1));
        awaitMaintenancePasses(passes);
        assertEquals(JobStatus.COMPLETED, queue.status(queue.list(null, 1).get(0).id()).status(), "younger than a day: kept");

        clock.advance(Duration.ofMinutes(12));
        awaitMaintenancePasses(passes);
        assertTrue(queue.list(null, 10).isEmpty(), "older than a day: deleted");
        assertTrue(queue.audioStore().find(done.outputFileId()).isEmpty(), "with its audio");
    }

    @Test
    void keepFinishedJobsTurnsRetentionOff() throws Exception {
        java.util.concurrent.Semaphore passes = startCountingMaintenancePasses(TtsJobQueue.Builder::keepFinishedJobs);
        SynthesisResult done = await(queue.submit(JobRequest.ttsGenerate(upload(queue), "kept for ever")));

        clock.advance(Duration.ofDays(30));
        awaitMaintenancePasses(passes);
        assertEquals(1, queue.list(null, 10).size());
        assertTrue(queue.audioStore().find(done.outputFileId()).isPresent());
    }

    /** Starts the queue on a store that releases a permit as each maintenance pass begins. */
    private java.util.concurrent.Semaphore startCountingMaintenancePasses(java.util.function.UnaryOperator<TtsJobQueue.Builder> tweak) {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        java.util.concurrent.Semaphore passes = new java.util.concurrent.Semaphore(0);
        store.beforeRequeueExpired(passes::release);
        start(SyntheticBackend.builder().build(), b -> tweak.apply(b.store(store)));
        return passes;
    }

    /** Returns once a whole maintenance pass (timeouts, recovery, retention) ran after this call. */
    private static void awaitMaintenancePasses(java.util.concurrent.Semaphore passes) throws InterruptedException {
        passes.drainPermits();
        // A pass releases its permit before its retention step. The first permit after the drain
        // may come from a pass that read the clock before the caller moved it, the second from one
        // still short of its retention; the third pass starts only once the second has finished.
        assertTrue(passes.tryAcquire(3, WAIT_SECONDS, TimeUnit.SECONDS), "maintenance is not running");
    }

    @Test
    void listenerThatThrowsDoesNotBreakTheJobOrOtherListeners() throws Exception {
        start(SyntheticBackend.builder().build(), b -> b.listener(e -> {
            throw new IllegalStateException("listener bug");
        }));
        List<JobEvent.Kind> kinds = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        queue.addListener(e -> {
            kinds.add(e.kind());
            if (e.kind().isTerminal()) {
                done.countDown();
            }
        });
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "hello"));
        h.onProgress(p -> {
            throw new IllegalStateException("progress listener bug");
        });
        await(h);
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(JobEvent.Kind.QUEUED, kinds.get(0));
        assertEquals(JobEvent.Kind.STARTED, kinds.get(1));
        assertEquals(JobEvent.Kind.COMPLETED, kinds.get(kinds.size() - 1));
        assertTrue(kinds.contains(JobEvent.Kind.PROGRESS));
        await(queue.submit(JobRequest.ttsGenerate(upload(queue), "still working")));
    }

    @Test
    void validatesWithTheMessagesOfTheApi() throws Exception {
        start(SyntheticBackend.builder().nfeSteps(32, 16).maxTextLength(50).build(), b -> b);
        String ref = upload(queue);
        JobRequest ok = JobRequest.ttsGenerate(ref, "text");
        // Empty once white space, control characters (NUL too) and invisible format characters are gone.
        for (String nothing : new String[] {"  ", "\0\0\0", "\u0001\t\r\n\u007f", "\u200b\ufeff\u00a0", "\u2028\u3000"}) {
            assertEquals("Text to generate cannot be empty", assertThrows(InvalidRequestException.class,
                    () -> queue.submit(JobRequest.ttsGenerate(ref, nothing))).getMessage(), nothing.codePoints().toString());
        }
        assertEquals("Speed must be between 0.3 and 2.0", assertThrows(InvalidRequestException.class,
                () -> queue.submit(ok.settings(InferenceSettings.defaults().withSpeed(2.5)))).getMessage());
        assertEquals("NFE steps must be between 4 and 64", assertThrows(InvalidRequestException.class,
                () -> queue.submit(ok.settings(InferenceSettings.defaults().withNfeStep(3)))).getMessage());
        assertEquals("Cross-fade duration must be between 0.0 and 1.0", assertThrows(InvalidRequestException.class,
                () -> queue.submit(ok.settings(InferenceSettings.defaults().withCrossFadeDuration(-0.1)))).getMessage());
        assertEquals("nfe_step 8 is not available: this model was exported for 16, 32", assertThrows(InvalidRequestException.class,
                () -> queue.submit(ok.settings(InferenceSettings.defaults().withNfeStep(8)))).getMessage());
        assertTrue(assertThrows(InvalidRequestException.class, () -> queue.submit(JobRequest.ttsGenerate(ref, "x".repeat(51))))
                .getMessage().startsWith("Text is too long: 51 characters (limit 50)"));
        ReferenceNotFoundException missing = assertThrows(ReferenceNotFoundException.class,
                () -> queue.submit(JobRequest.ttsGenerate("0000-missing", "text")));
        assertEquals("Audio file not found", missing.getMessage());
        assertEquals(ReferenceNotFoundException.Reason.AUDIO_FILE_NOT_FOUND, missing.reason());
        assertEquals("Audio file not found", assertThrows(ReferenceNotFoundException.class,
                () -> queue.submit(JobRequest.ttsGenerate("../../etc/passwd", "text"))).getMessage());
        assertEquals(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, assertThrows(ReferenceNotFoundException.class,
                () -> queue.submit(JobRequest.ttsPermanent("alice", "text"))).reason());
        assertEquals(0, queue.queueStatus().totalJobs(), "nothing refused reached the store");
        // A text with something to say among the silence is accepted as it is.
        await(queue.submit(JobRequest.ttsGenerate(ref, "\0 hi \u200b")));
    }

    @Test
    void uploadPastItsExpiryIsRefused() {
        start(SyntheticBackend.builder().build(), b -> b.audioStore(new InMemoryAudioStore(clock, Duration.ofMinutes(5), null)));
        String ref = upload(queue);
        clock.advance(Duration.ofMinutes(6));
        ReferenceNotFoundException expired = assertThrows(ReferenceNotFoundException.class,
                () -> queue.submit(JobRequest.ttsGenerate(ref, "text")));
        assertEquals("Audio file has expired", expired.getMessage());
        assertEquals(ReferenceNotFoundException.Reason.AUDIO_FILE_EXPIRED, expired.reason());
    }

    @Test
    void backendNeedingReferenceTextRefusesJobsWithoutOne() throws Exception {
        start(SyntheticBackend.builder().needsReferenceText(true).build(), b -> b);
        String ref = upload(queue);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> queue.submit(JobRequest.ttsGenerate(ref, "text")));
        assertTrue(e.getMessage().startsWith("Reference text is required"), e.getMessage());
        await(queue.submit(JobRequest.ttsGenerate(ref, "text").refText("the reference")));
    }

    @Test
    void withoutATranscriberTheRefusalSaysWhatToDo() {
        start(SyntheticBackend.builder().needsReferenceText(true).build(), b -> b);
        ReferenceTextRequiredException e = assertThrows(ReferenceTextRequiredException.class,
                () -> queue.submit(JobRequest.ttsGenerate(upload(queue), "text")));
        assertTrue(e.getMessage().endsWith("Send ref_text with the job, or configure a transcriber"), e.getMessage());
    }

    @Test
    void aPermanentVoiceIsTranscribedOnceAndKeepsItsTranscript(@org.junit.jupiter.api.io.TempDir java.nio.file.Path voices)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        dev.ttsqueue.spi.VoiceBank bank = new DirectoryVoiceBank(voices);
        start(SyntheticBackend.builder().needsReferenceText(true).build(), b -> b
                .voiceBank(bank)
                .transcriber(clip -> "Heard words " + calls.incrementAndGet() + "."));
        queue.voiceBank().save("Nina", new dev.ttsqueue.audio.AudioClip(new float[] {0.1f, -0.2f, 0.3f, 0.25f}, 24_000), "");
        assertEquals("Heard words 1.", await(queue.submit(JobRequest.ttsPermanent("nina", "one"))).refText());
        assertEquals("Heard words 1.", queue.voiceBank().find("nina").orElseThrow().refText(), "stored with the voice");
        assertEquals("Heard words 1.", java.nio.file.Files.readString(voices.resolve("nina_ref.txt")));
        assertEquals("Heard words 1.", await(queue.submit(JobRequest.ttsPermanent("nina", "two"))).refText());
        assertEquals(1, calls.get(), "the second job read the stored transcript");
    }

    @Test
    void seedsAreFixedWhenAskedAndDrawnOtherwise() throws Exception {
        AtomicLong next = new AtomicLong(-7);
        start(SyntheticBackend.builder().build(), b -> b.seedSource(next::getAndIncrement));
        String ref = upload(queue);
        assertEquals(123, await(queue.submit(JobRequest.ttsGenerate(ref, "a").settings(InferenceSettings.defaults().withSeed(123)))).seed());
        long drawn = await(queue.submit(JobRequest.ttsGenerate(ref, "b"))).seed();
        assertEquals(Math.floorMod(-7L, InferenceSettings.MAX_SEED + 1), drawn);
        long outOfRange = await(queue.submit(JobRequest.ttsGenerate(ref, "c").settings(InferenceSettings.defaults().withSeed(-1)))).seed();
        assertTrue(outOfRange >= 0 && outOfRange <= InferenceSettings.MAX_SEED);
    }

    @Test
    void backendThatDoesNotCloneSaysSoInEveryResult() throws Exception {
        start(SyntheticBackend.builder().clonesVoices(false).build(), b -> b);
        SynthesisResult r = await(queue.submit(JobRequest.ttsGenerate(upload(queue), "hello")));
        assertEquals("Backend synthetic does not clone voices: the reference audio was ignored", r.note());
    }

    @Test
    void queueStatusCountsEveryState() throws Exception {
        start(SyntheticBackend.builder().steps(1).gated().build(), b -> b.workers(1));
        String ref = upload(queue);
        JobHandle running = queue.submit(JobRequest.ttsGenerate(ref, "running"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle queued = queue.submit(JobRequest.ttsGenerate(ref, "queued"));
        JobHandle cancelled = queue.submit(JobRequest.ttsGenerate(ref, "cancelled"));
        cancelled.cancel();
        QueueStatus s = queue.queueStatus();
        assertEquals(1, s.queueSize());
        assertEquals(3, s.totalJobs());
        assertEquals(1, s.count(JobStatus.PROCESSING));
        assertEquals(1, s.count(JobStatus.CANCELLED));
        assertEquals(0, s.count(JobStatus.COMPLETED));
        assertEquals(running.id(), s.currentJob());
        assertEquals(1, queue.status(queued.id()).queuePosition());
        List<String> listed = new ArrayList<>();
        queue.list(null, 10).forEach(j -> listed.add(j.id()));
        assertEquals(List.of(cancelled.id(), queued.id(), running.id()), listed, "newest first");
        assertEquals(List.of(queued.id()), queue.list(JobStatus.QUEUED, 10).stream().map(JobSnapshot::id).toList());
    }

    @Test
    void recoversJobsWhoseWorkerDied() throws Exception {
        // Shared, so that start-up recovery goes by the lease: it ran out a minute ago.
        JobStore store = new ControlledStore(new InMemoryJobStore()).asShared();
        dev.ttsqueue.spi.AudioStore audio = new InMemoryAudioStore(clock, null, null);
        String ref = audio.save(dev.ttsqueue.spi.AudioKind.UPLOAD, new dev.ttsqueue.audio.AudioClip(new float[2400], 24_000)).id();
        // A job claimed by a worker of an earlier process whose lease is long gone.
        store.enqueue(dev.ttsqueue.spi.JobRecord.newQueued("orphan-1", JobRequest.ttsGenerate(ref, "orphan"), 5, clock.instant()), 0);
        store.claimNext("dead-worker", clock.instant(), Duration.ofSeconds(30));
        clock.advance(Duration.ofMinutes(1));
        start(SyntheticBackend.builder().build(), b -> b.store(store).audioStore(audio));
        SynthesisResult r = await(queue.handle("orphan-1"));
        assertEquals(5, r.seed());
        assertEquals(2, queue.status("orphan-1").attempts());
    }

    @Test
    void jobsLeftRunningInAnExclusiveStoreRunAgainAtStartWithoutWaitingForTheirLease() throws Exception {
        JobStore store = new InMemoryJobStore();
        assertTrue(store.exclusive(), "the in-memory store belongs to one process");
        orphanOf(store, Duration.ofHours(1));
        // The clock never moves: the orphan's lease is an hour from over, yet it runs now.
        start(SyntheticBackend.builder().build(), b -> b.store(store).audioStore(orphanAudio));
        SynthesisResult r = await(queue.handle("orphan-1"));
        assertEquals(5, r.seed());
        assertEquals(2, queue.status("orphan-1").attempts());
    }

    @Test
    void anExclusiveStoreServesOneRunningQueueAtATime() throws Exception {
        JobStore store = new InMemoryJobStore();
        start(SyntheticBackend.builder().build(), b -> b.store(store));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TtsJobQueue.builder().backend(SyntheticBackend.builder().build()).store(store).build());
        assertTrue(e.getMessage().contains("already serves a running queue"), e.getMessage());
        String ref = upload(queue);
        await(queue.submit(JobRequest.ttsGenerate(ref, "the first queue carries on")));
    }

    @Test
    void jobsLeftRunningInASharedStoreWaitForTheirLease() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore()).asShared();
        orphanOf(store, Duration.ofSeconds(30));
        start(SyntheticBackend.builder().build(), b -> b.store(store).audioStore(orphanAudio));
        JobHandle h = queue.handle("orphan-1");
        // Another process may still be running it: nothing happens while its lease lasts.
        assertEquals(JobStatus.PROCESSING, queue.status("orphan-1").status());
        assertEquals(1, queue.status("orphan-1").attempts());
        assertFalse(h.result().isDone());
        clock.advance(Duration.ofSeconds(31));
        SynthesisResult r = await(h);
        assertEquals(5, r.seed());
        assertEquals(2, queue.status("orphan-1").attempts());
    }

    private dev.ttsqueue.spi.AudioStore orphanAudio;

    /** Puts a job in {@code store} as a worker of an earlier process left it: claimed, lease of {@code lease} from now. */
    private void orphanOf(JobStore store, Duration lease) throws Exception {
        orphanAudio = new InMemoryAudioStore(clock, null, null);
        String ref = orphanAudio.save(dev.ttsqueue.spi.AudioKind.UPLOAD, new dev.ttsqueue.audio.AudioClip(new float[2400], 24_000)).id();
        store.enqueue(dev.ttsqueue.spi.JobRecord.newQueued("orphan-1", JobRequest.ttsGenerate(ref, "orphan"), 5, clock.instant()), 0);
        store.claimNext("dead-worker", clock.instant(), lease);
    }
}
