package dev.ttsqueue;

import dev.ttsqueue.store.DirectoryVoiceBank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that cannot be reached while a worker reads a job's reference (a shared Redis that went
 * away) is not the job's fault: the job is not failed, and runs again once its lease lapsed.
 */
class StoreOutageTest {
    @TempDir
    Path dir;

    @Test
    void aJobWhoseReferenceCannotBeReadJustNowRunsAgainAfterItsLeaseInsteadOfFailing() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
        CountDownLatch refused = new CountDownLatch(1);
        VoiceBank voices = new OnceUnreachable(new DirectoryVoiceBank(dir), refused);
        voices.save("narrator", new AudioClip(new float[2400], 24_000), "words");
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(SyntheticBackend.builder().build()).voiceBank(voices).clock(clock)
                .leaseDuration(Duration.ofSeconds(30)).maintenanceInterval(Duration.ofMillis(20)).build()) {
            JobHandle job = queue.submit(JobRequest.ttsPermanent("narrator", "said once the store is back"));
            assertTrue(refused.await(10, TimeUnit.SECONDS));
            clock.advance(Duration.ofSeconds(31)); // the first claim's lease lapses

            SynthesisResult result = job.result().get(10, TimeUnit.SECONDS);
            assertEquals("said once the store is back", result.genText());
            JobSnapshot done = queue.status(job.id());
            assertEquals(JobStatus.COMPLETED, done.status());
            assertEquals(2, done.attempts(), "the lost attempt is counted");
            assertNull(done.error());
        }
    }

    /** Voices whose first load finds the store out of reach. */
    private static final class OnceUnreachable implements VoiceBank {
        private final VoiceBank delegate;
        private final CountDownLatch refused;

        OnceUnreachable(VoiceBank delegate, CountDownLatch refused) {
            this.delegate = delegate;
            this.refused = refused;
        }

        @Override
        public AudioClip load(String name) throws IOException {
            if (refused.getCount() > 0) {
                refused.countDown();
                throw new StoreUnavailableException("the voice store is not reachable (a test)", null);
            }
            return delegate.load(name);
        }

        @Override
        public Voice save(String name, AudioClip audio, String refText) throws IOException {
            return delegate.save(name, audio, refText);
        }

        @Override
        public Optional<Voice> find(String name) {
            return delegate.find(name);
        }

        @Override
        public List<Voice> list() {
            return delegate.list();
        }

        @Override
        public boolean delete(String name) throws IOException {
            return delegate.delete(name);
        }

        @Override
        public Path directory() {
            return delegate.directory();
        }
    }
}
