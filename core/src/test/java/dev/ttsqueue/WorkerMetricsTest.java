package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.testing.SyntheticBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics hooks that tell busy time per worker, and the counts read without listing a job. */
class WorkerMetricsTest {
    private final BlockingQueue<String> transitions = new LinkedBlockingQueue<>();
    private SyntheticBackend backend;
    private TtsJobQueue queue;

    private final QueueMetricsListener recorder = new QueueMetricsListener() {
        @Override
        public void workerBusy(int worker) {
            transitions.add("busy " + worker + " on " + Thread.currentThread().getName());
        }

        @Override
        public void workerIdle(int worker) {
            transitions.add("idle " + worker + " on " + Thread.currentThread().getName());
        }
    };

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.releaseAll();
        }
        if (queue != null) {
            queue.close();
        }
    }

    private String next() throws InterruptedException {
        String t = transitions.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("no worker transition within " + WAIT_SECONDS + " s");
        }
        return t;
    }

    @Test
    void aWorkerIsBusyFromItsClaimUntilItsJobEnded() throws Exception {
        backend = SyntheticBackend.builder().gated().build();
        queue = TtsJobQueue.builder().backend(backend).maintenanceInterval(Duration.ofMillis(50)).metricsListener(recorder).build();
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "Hello there").refText("ref"));
        assertEquals("busy 0 on ttsq-worker-0", next());
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(transitions.isEmpty(), "idle before the job ended: " + transitions);
        backend.releaseAll();
        await(h);
        assertEquals("idle 0 on ttsq-worker-0", next());
    }

    @Test
    void eachWorkerReportsUnderItsOwnNumber() throws Exception {
        backend = SyntheticBackend.builder().gated().build();
        queue = TtsJobQueue.builder().backend(backend).workers(2).maintenanceInterval(Duration.ofMillis(50))
                .metricsListener(recorder).build();
        String ref = upload(queue);
        JobHandle a = queue.submit(JobRequest.ttsGenerate(ref, "one").refText("ref"));
        JobHandle b = queue.submit(JobRequest.ttsGenerate(ref, "two").refText("ref"));
        List<String> busy = List.of(next(), next());
        assertTrue(busy.containsAll(List.of("busy 0 on ttsq-worker-0", "busy 1 on ttsq-worker-1")), busy.toString());
        backend.releaseAll();
        await(a);
        await(b);
        List<String> idle = List.of(next(), next());
        assertTrue(idle.containsAll(List.of("idle 0 on ttsq-worker-0", "idle 1 on ttsq-worker-1")), idle.toString());
    }

    @Test
    void aFailedJobEndsTheBusySpellToo() throws Exception {
        backend = SyntheticBackend.builder().build();
        queue = TtsJobQueue.builder().backend(backend).maintenanceInterval(Duration.ofMillis(50)).metricsListener(recorder).build();
        JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "boom " + SyntheticBackend.FAIL_MARKER).refText("ref"));
        QueueFixture.failure(h);
        assertEquals("busy 0 on ttsq-worker-0", next());
        assertEquals("idle 0 on ttsq-worker-0", next());
    }

    @Test
    void jobCountsHaveEveryStateAndAgreeWithTheQueueStatus() throws Exception {
        backend = SyntheticBackend.builder().gated().build();
        queue = TtsJobQueue.builder().backend(backend).maintenanceInterval(Duration.ofMillis(50)).build();
        String ref = upload(queue);
        queue.submit(JobRequest.ttsGenerate(ref, "runs").refText("ref"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle queued = queue.submit(JobRequest.ttsGenerate(ref, "waits").refText("ref"));
        JobHandle cancelled = queue.submit(JobRequest.ttsGenerate(ref, "cancelled").refText("ref"));
        queue.cancel(cancelled.id());
        Map<JobStatus, Long> counts = queue.jobCounts();
        assertEquals(Map.of(JobStatus.QUEUED, 1L, JobStatus.PROCESSING, 1L, JobStatus.COMPLETED, 0L, JobStatus.FAILED, 0L,
                JobStatus.CANCELLED, 1L), counts);
        assertEquals(queue.queueStatus().counts(), counts);
        assertEquals(0, queue.stuckWorkers());
        queue.cancel(queued.id());
    }
}
