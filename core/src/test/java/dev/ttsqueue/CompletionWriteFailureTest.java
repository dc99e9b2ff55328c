package dev.ttsqueue;

import dev.ttsqueue.store.InMemoryJobStore;
import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.testing.ControlledStore;
import dev.ttsqueue.testing.SyntheticBackend;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A completion write that throws may or may not have been applied. The worker keeps the job's
 * output when the store shows the job completed with it (else a COMPLETED job would point at
 * deleted audio), and deletes it only when the store shows the write did not happen.
 */
class CompletionWriteFailureTest {

    @Test
    void aCompletionAppliedButReportedAsFailedKeepsItsOutput() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        AtomicBoolean once = new AtomicBoolean();
        store.afterComplete(() -> {
            if (once.compareAndSet(false, true)) {
                throw new IllegalStateException("acknowledgement lost after the commit");
            }
        });
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(SyntheticBackend.builder().build()).store(store).build()) {
            JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "applied, then reported as failed"));
            settle(h);
            JobRecord record = store.delegate().get(h.id()).orElseThrow();
            assertEquals(JobStatus.COMPLETED, record.status());
            String output = record.result().outputFileId();
            assertTrue(queue.audioStore().find(output).isPresent(), "the completed job's audio is still there");
            assertTrue(queue.readOutput(output).length() > 0);
        }
    }

    @Test
    void aCompletionThatWasNotAppliedLeavesNoOrphanedOutput() throws Exception {
        ControlledStore store = new ControlledStore(new InMemoryJobStore());
        AtomicBoolean once = new AtomicBoolean();
        store.beforeComplete(() -> {
            if (once.compareAndSet(false, true)) {
                throw new IllegalStateException("the store is unreachable");
            }
        });
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(SyntheticBackend.builder().build()).store(store).build()) {
            JobHandle h = queue.submit(JobRequest.ttsGenerate(upload(queue), "not applied"));
            settle(h);
            JobRecord record = store.delegate().get(h.id()).orElseThrow();
            String kept = record.status() == JobStatus.COMPLETED ? record.result().outputFileId() : null;
            List<String> outputs = queue.audioStore().list().stream().filter(e -> e.kind() == AudioKind.OUTPUT).map(AudioEntry::id).toList();
            assertEquals(kept == null ? List.of() : List.of(kept), outputs, "only the output a job refers to is left");
        }
    }

    /** Waits until the job's future ends, whichever way, and the store shows it finished. */
    private static void settle(JobHandle h) throws Exception {
        h.result().handle((r, e) -> null).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
