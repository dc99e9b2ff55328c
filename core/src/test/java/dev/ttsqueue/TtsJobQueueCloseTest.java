package dev.ttsqueue;

import dev.ttsqueue.store.InMemoryJobStore;
import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.failure;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.testing.SyntheticBackend;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TtsJobQueueCloseTest {

    @Test
    void closeLetsTheRunningJobFinishWithinTheGracePeriod() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(2).gated().build();
        JobStore store = new InMemoryJobStore();
        TtsJobQueue queue = TtsJobQueue.builder().backend(backend).store(store).closeGracePeriod(Duration.ofSeconds(30)).build();
        String ref = upload(queue);
        JobHandle running = queue.submit(JobRequest.ttsGenerate(ref, "running"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle waiting = queue.submit(JobRequest.ttsGenerate(ref, "waiting"));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(queue::close);
        // Intake stops first thing in close(); only then may the running job finish, or the worker
        // would be free to take the waiting job before the queue knows it is closing.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (queue.isOpen()) {
            assertTrue(System.nanoTime() < deadline, "close() did not start");
            Thread.onSpinWait();
        }
        backend.release(2);
        closing.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("running", await(running).genText());
        assertInstanceOf(QueueClosedException.class, failure(waiting));
        assertEquals(dev.ttsqueue.JobStatus.QUEUED, store.get(waiting.id()).map(JobRecord::status).orElseThrow(),
                "a queued job stays queued for the next start");
        assertTrue(backend.isClosed());
        assertThrows(QueueClosedException.class, () -> queue.submit(JobRequest.ttsGenerate(ref, "late")));
        queue.close(); // idempotent
    }

    @Test
    void closeGivesTheRunningJobBackToTheQueueAfterTheGracePeriod() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(2).gated().build();
        JobStore store = new InMemoryJobStore();
        TtsJobQueue queue = TtsJobQueue.builder().backend(backend).store(store).closeGracePeriod(Duration.ofMillis(50)).build();
        String ref = upload(queue);
        JobHandle running = queue.submit(JobRequest.ttsGenerate(ref, "never released"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        JobHandle later = queue.submit(JobRequest.ttsGenerate(ref, "submitted later"));
        queue.close();
        assertInstanceOf(QueueClosedException.class, failure(running), "accepted, not cancelled: it did not finish here");
        JobRecord back = store.get(running.id()).orElseThrow();
        assertEquals(JobStatus.QUEUED, back.status(), "it runs again at the next start");
        assertEquals(1, back.attempts(), "its attempt is kept");
        assertEquals(1, store.queuePosition(running.id()), "in its old place, ahead of the job submitted after it");
        assertEquals(2, store.queuePosition(later.id()));
        assertTrue(backend.isClosed());
    }
}
