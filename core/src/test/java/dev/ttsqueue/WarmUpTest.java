package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import dev.ttsqueue.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker's warm-up: the backend's warm-up requests run in turn until the warm-up time is spent,
 * before the first job; the speed model learns from them; jobs submitted meanwhile count the
 * warm-up time left; a failing request or a close ends it without harm.
 */
class WarmUpTest {
    private final MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");
    private TtsJobQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    /**
     * A backend whose every call waits for a permit, then takes 2 s plus 0.2 s per character of
     * the queue's clock; a text "fail" throws. Records the texts it was asked to say, in order.
     */
    private final class TimedBackend implements TtsBackend {
        final List<SynthesisRequest> warmUps;
        final BlockingQueue<String> entered = new LinkedBlockingQueue<>();
        final List<String> said = new ArrayList<>();
        final Semaphore permits = new Semaphore(0);
        final AtomicInteger warmUpAsked = new AtomicInteger();
        volatile SynthesisContext lastContext;

        TimedBackend(String... warmUpTexts) {
            List<SynthesisRequest> r = new ArrayList<>();
            for (String t : warmUpTexts) {
                r.add(new SynthesisRequest(null, "", t, InferenceSettings.defaults(), 0));
            }
            warmUps = List.copyOf(r);
        }

        @Override
        public BackendInfo info() {
            return new BackendInfo("timed", 24_000, false, false, Set.of(), 32, 0, 1, "CPU");
        }

        @Override
        public List<SynthesisRequest> warmUpRequests() {
            warmUpAsked.incrementAndGet();
            return warmUps;
        }

        @Override
        public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws Exception {
            lastContext = ctx;
            entered.add(request.text());
            permits.acquire();
            ctx.throwIfCancelled();
            synchronized (said) {
                said.add(request.text());
            }
            clock.advance(Duration.ofMillis(2000 + 200L * request.text().length()));
            if (request.text().equals("fail")) {
                throw new IllegalStateException("the device fell over");
            }
            return new AudioClip(new float[240], 24_000);
        }

        /** Lets the call waiting now go on, after checking that it says {@code text}. */
        void letThrough(String text) throws InterruptedException {
            assertEquals(text, entered.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            permits.release();
        }
    }

    private void start(TimedBackend backend, Duration warmUp) {
        queue = TtsJobQueue.builder().backend(backend).clock(clock).warmUp(warmUp).build();
    }

    @Test
    void warmUpRunsItsRequestsInTurnUntilItsTimeIsSpentAndJobsWaitingCountTheTimeLeft() throws Exception {
        TimedBackend backend = new TimedBackend("a".repeat(10), "b".repeat(30));
        Instant t0 = clock.instant();
        start(backend, Duration.ofSeconds(20));
        String ref = upload(queue);

        backend.letThrough("a".repeat(10)); // 4 s
        backend.letThrough("b".repeat(30)); // 8 s: the speed model now says 2 s per job + 0.2 s per character
        assertEquals("a".repeat(10), backend.entered.poll(WAIT_SECONDS, TimeUnit.SECONDS), "the requests in turn, again");
        assertEquals(t0.plusSeconds(12), clock.instant());

        // Submitted while the third warm-up request runs: 8 s of warm-up are left, then its own 2 + 0.2 × 20 s.
        JobHandle job = queue.submit(JobRequest.ttsGenerate(ref, "c".repeat(20)));
        assertNear(t0.plusSeconds(12 + 8 + 6), job.accepted().estimatedCompletion());

        backend.permits.release(); // the third ends at 16 s: time is left, so a fourth runs
        backend.letThrough("b".repeat(30)); // ends at 24 s, past the 20 s: the worker turns to jobs
        backend.letThrough("c".repeat(20));
        await(job);
        assertEquals(List.of("a".repeat(10), "b".repeat(30), "a".repeat(10), "b".repeat(30), "c".repeat(20)), backend.said);
        assertEquals(1, backend.warmUpAsked.get());

        // What the warm-up taught holds for the next job: 2 + 0.2 × 50 = 12 s from its start, which is now.
        JobHandle next = queue.submit(JobRequest.ttsGenerate(ref, "d".repeat(50)));
        assertEquals("d".repeat(50), backend.entered.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        assertNear(clock.instant().plusSeconds(12), queue.status(next.id()).estimatedCompletion());
        backend.permits.release();
        await(next);
    }

    @Test
    void theFirstRequestRunsEvenWhenItTakesLongerThanTheWholeWarmUp() throws Exception {
        TimedBackend backend = new TimedBackend("x".repeat(100), "y");
        start(backend, Duration.ofSeconds(1));
        String ref = upload(queue);
        backend.letThrough("x".repeat(100)); // 22 s against a warm-up of 1 s
        JobHandle job = queue.submit(JobRequest.ttsGenerate(ref, "z"));
        backend.letThrough("z");
        await(job);
        assertEquals(List.of("x".repeat(100), "z"), backend.said);
    }

    @Test
    void aFailingWarmUpRequestEndsTheWarmUpAndTheWorkerGoesOnToItsJobs() throws Exception {
        TimedBackend backend = new TimedBackend("fail", "never said");
        start(backend, Duration.ofHours(1));
        String ref = upload(queue);
        backend.letThrough("fail");
        JobHandle job = queue.submit(JobRequest.ttsGenerate(ref, "after the failure"));
        backend.letThrough("after the failure");
        await(job);
        assertEquals(JobStatus.COMPLETED, queue.status(job.id()).status());
        assertEquals(List.of("fail", "after the failure"), backend.said);
    }

    @Test
    void closingDuringTheWarmUpCancelsItAtItsNextStep() throws Exception {
        TimedBackend backend = new TimedBackend("one", "two");
        start(backend, Duration.ofHours(1));
        assertEquals("one", backend.entered.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        SynthesisContext ctx = backend.lastContext;
        assertNotNull(ctx);
        assertTrue(!ctx.isCancelled(), "a warm-up runs while the queue takes work");
        TtsJobQueue closing = queue;
        queue = null;
        CompletableFuture<Void> closed = CompletableFuture.runAsync(closing::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!ctx.isCancelled()) {
            assertTrue(System.nanoTime() < deadline, "close() never told the warm-up to stop");
            Thread.onSpinWait();
        }
        backend.permits.release();
        closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of(), backend.said, "the request stopped at its step");
        assertEquals(0, backend.entered.size(), "and no other one began");
    }

    @Test
    void noWarmUpByDefault() throws Exception {
        TimedBackend backend = new TimedBackend("never");
        queue = TtsJobQueue.builder().backend(backend).clock(clock).build();
        assertEquals(Duration.ZERO, queue.config().warmUp());
        String ref = upload(queue);
        JobHandle job = queue.submit(JobRequest.ttsGenerate(ref, "first"));
        backend.letThrough("first");
        await(job);
        assertEquals(0, backend.warmUpAsked.get());
    }

    /** Within a millisecond: estimates are sums of doubles. */
    private static void assertNear(Instant expected, Instant actual) {
        assertNotNull(actual, "no estimate");
        assertTrue(Math.abs(Duration.between(expected, actual).toNanos()) < 1_000_000, "expected " + expected + ", was " + actual);
    }

    @Test
    void aNegativeWarmUpIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TtsJobQueue.builder().warmUp(Duration.ofSeconds(-1)));
    }
}
