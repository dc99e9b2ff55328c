package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FinishedJobTest {
    private final MutableClock clock = MutableClock.at("2025-11-27T10:30:00Z");

    @Test
    void metricsListenersHearEachEndWithIdWaitAndWorker() throws Exception {
        BlockingQueue<FinishedJob> ends = new LinkedBlockingQueue<>();
        SyntheticBackend backend = SyntheticBackend.builder().gated().build();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).clock(clock).build()) {
            queue.addMetricsListener(new QueueMetricsListener() {
                @Override
                public void jobFinished(FinishedJob job) {
                    ends.add(job);
                }
            });
            String ref = upload(queue);
            JobHandle running = queue.submit(JobRequest.voiceCloning(ref, "Hello there").refText("Ref."));
            assertTrue(backend.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
            JobHandle queued = queue.submit(JobRequest.voiceCloning(ref, "Never runs").refText("Ref."));
            queued.cancel();
            FinishedJob cancelled = ends.poll(10, TimeUnit.SECONDS);
            assertEquals(queued.id(), cancelled.id());
            assertEquals(JobStatus.CANCELLED, cancelled.status());
            assertNull(cancelled.queueWait());
            assertNull(cancelled.worker());
            assertEquals(0, cancelled.realTimeFactor());

            clock.advance(Duration.ofSeconds(2));
            backend.releaseAll();
            SynthesisResult r = await(running);
            FinishedJob done = ends.poll(10, TimeUnit.SECONDS);
            assertEquals(running.id(), done.id());
            assertEquals(JobType.VOICE_CLONING, done.type());
            assertEquals(JobStatus.COMPLETED, done.status());
            assertEquals(Duration.ZERO, done.queueWait());
            assertEquals(Duration.ofSeconds(2), done.runTime());
            assertEquals(r.durationSeconds(), done.audioSeconds());
            assertEquals(r.durationSeconds() / 2, done.realTimeFactor(), 1e-9);
            assertEquals("ttsq-worker-0", done.worker());
        }
    }

    @Test
    void listenersOfTheFourNumbersStillHearThem() throws Exception {
        BlockingQueue<JobStatus> ends = new LinkedBlockingQueue<>();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(SyntheticBackend.builder().build()).clock(clock).build()) {
            queue.addMetricsListener(new QueueMetricsListener() {
                @Override
                public void jobFinished(JobType type, JobStatus status, Duration runTime, double audioSeconds) {
                    ends.add(status);
                }
            });
            await(queue.submit(JobRequest.voiceCloning(upload(queue), "Hello").refText("Ref.")));
            assertEquals(JobStatus.COMPLETED, ends.poll(10, TimeUnit.SECONDS));
        }
    }
}
