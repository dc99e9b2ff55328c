package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.failure;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.testing.SyntheticBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TtsJobQueueBatchingTest {

    @Test
    void batchingBackendGetsWhatIsQueuedUpToItsBatchSizeGroupedByNfe() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).gated().maxBatchSize(4).build();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).build()) {
            String ref = upload(queue);
            JobHandle blocker = queue.submit(JobRequest.ttsGenerate(ref, "blocker"));
            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
            List<JobHandle> jobs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int nfe = i == 1 ? 16 : 32;
                jobs.add(queue.submit(JobRequest.ttsGenerate(ref, "job " + i)
                        .settings(InferenceSettings.defaults().withNfeStep(nfe))));
            }
            JobHandle failing = queue.submit(JobRequest.ttsGenerate(ref, "bad " + SyntheticBackend.FAIL_MARKER));
            backend.releaseAll();
            await(blocker);
            for (JobHandle h : jobs) {
                await(h);
            }
            assertInstanceOf(JobFailedException.class, failure(failing));
            // The blocker ran alone (plain synthesize); then jobs 0-3 were claimed together and split by NFE
            // (0,2,3 | 1); then job 4 with the failing one, whose batch fails and is rerun job by job so job 4
            // still completes.
            assertEquals(List.of(3, 1, 2), backend.batchSizes());
            String bad = "bad " + SyntheticBackend.FAIL_MARKER;
            assertEquals(List.of("blocker", "job 0", "job 2", "job 3", "job 1", "job 4", bad, "job 4", bad), backend.order());
        }
    }

    @Test
    void aJobCancelledWhileWaitingForItsGroupDoesNotMakeItsWorkerLookStuck() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).gated().maxBatchSize(2).build();
        dev.ttsqueue.testing.MutableClock clock = dev.ttsqueue.testing.MutableClock.at("2026-03-01T10:00:00Z");
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).clock(clock).build()) {
            String ref = upload(queue);
            JobHandle blocker = queue.submit(JobRequest.ttsGenerate(ref, "blocker"));
            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
            JobHandle first = queue.submit(JobRequest.ttsGenerate(ref, "first group"));
            JobHandle second = queue.submit(JobRequest.ttsGenerate(ref, "second group")
                    .settings(InferenceSettings.defaults().withNfeStep(16)));
            backend.release(1);
            await(blocker);
            // Both were claimed as one batch; the first group's call now waits at its step.
            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(second.cancel());

            clock.advance(java.time.Duration.ofMinutes(2));
            assertEquals(0, queue.queueStatus().stuckWorkers(), "the cancelled job's call has not even begun");

            backend.releaseAll();
            await(first);
            assertInstanceOf(JobCancelledException.class, failure(second));
        }
    }
}
