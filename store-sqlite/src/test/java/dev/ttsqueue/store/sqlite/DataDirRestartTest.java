package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.store.DirectoryAudioStore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout the README recommends for a data folder, {@code jobs.db} beside a directory audio
 * store: a job, its upload and its output come back together after a restart, and retention
 * removes them together.
 */
class DataDirRestartTest {
    private static final Duration UPLOAD_TTL = Duration.ofHours(1);
    private static final Duration OUTPUT_TTL = Duration.ofHours(2);

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");

    private static AudioClip tone(int length) {
        float[] samples = new float[length];
        for (int i = 0; i < length; i++) {
            samples[i] = (float) Math.sin(i / 10.0) * 0.5f;
        }
        return new AudioClip(samples, 24_000);
    }

    private AudioStore openAudio() throws Exception {
        return new DirectoryAudioStore(dataDir.resolve("audio"), clock, UPLOAD_TTL, OUTPUT_TTL);
    }

    @Test
    void jobsAndTheirAudioComeBackTogetherAndLeaveTogether() throws Exception {
        String uploadId;
        String outputId;
        AudioClip output = tone(4_800);
        try (SqliteJobStore jobs = SqliteJobStore.open(dataDir.resolve("jobs.db")); AudioStore audio = openAudio()) {
            uploadId = audio.save(AudioKind.UPLOAD, tone(2_400)).id();
            jobs.enqueue(JobRecord.newQueued("done", JobRequest.voiceCloning(uploadId, "hello"), 1, clock.instant()), 0)
                    .orElseThrow();
            jobs.enqueue(JobRecord.newQueued("waiting", JobRequest.voiceCloning(uploadId, "later"), 2, clock.instant()), 0)
                    .orElseThrow();
            Claim c = jobs.claimNext("w", clock.instant(), Duration.ofMinutes(1)).orElseThrow();
            outputId = audio.save(AudioKind.OUTPUT, output).id();
            assertTrue(jobs.complete("done", c.fencingToken(),
                    new SynthesisResult(outputId, "ref", "hello", 1, null, output.durationSeconds(), 24_000, "test", null),
                    clock.instant()));
        }

        clock.advance(Duration.ofMinutes(10));
        try (SqliteJobStore jobs = SqliteJobStore.open(dataDir.resolve("jobs.db")); AudioStore audio = openAudio()) {
            JobRecord done = jobs.get("done").orElseThrow();
            assertEquals(JobStatus.COMPLETED, done.status());
            AudioClip served = audio.load(done.result().outputFileId());
            assertEquals(output.sampleRate(), served.sampleRate());
            // stored as 16-bit PCM: equal to within one quantisation step
            assertArrayEquals(output.samples(), served.samples(), 1.0f / 32_000, "the output is served after the restart");
            JobRecord waiting = jobs.get("waiting").orElseThrow();
            assertEquals(JobStatus.QUEUED, waiting.status());
            assertTrue(audio.find(waiting.request().audioFileId()).isPresent(), "the queued job's upload is still there");

            // retention, as the queue's cleanup runs it: purge old jobs, delete their outputs, purge expired audio
            clock.advance(Duration.ofHours(3));
            List<JobRecord> purged = jobs.purgeFinishedBefore(clock.instant().minus(Duration.ofHours(1)));
            assertEquals(List.of("done"), purged.stream().map(JobRecord::id).toList());
            Path outputFile = audio.find(outputId).map(AudioEntry::path).orElseThrow();
            assertTrue(audio.delete(purged.get(0).result().outputFileId()));
            Path uploadFile = audio.find(uploadId).map(AudioEntry::path).orElseThrow();
            assertEquals(1, audio.purgeExpired(clock.instant()), "the upload outlived its TTL");

            assertFalse(Files.exists(outputFile));
            assertFalse(Files.exists(uploadFile));
            assertEquals(Optional.empty(), jobs.get("done"));
        }
        try (SqliteJobStore jobs = SqliteJobStore.open(dataDir.resolve("jobs.db")); AudioStore audio = openAudio()) {
            assertEquals(Optional.empty(), jobs.get("done"), "a purge is durable too");
            assertEquals(List.of(), audio.list());
            assertEquals(1, jobs.queuedInRunOrder(10).size());
        }
    }

    @Test
    void aJobStillRunningWhenTheQueueClosesRunsAgainAfterTheRestart() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().steps(2).gated().build();
        String jobId;
        String uploadId;
        try (AudioStore audio = openAudio()) {
            uploadId = audio.save(AudioKind.UPLOAD, tone(2_400)).id();
        }
        TtsJobQueue first = TtsJobQueue.builder().backend(gated)
                .store(SqliteJobStore.builder(dataDir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open())
                .audioStore(openAudio()).clock(clock).closeGracePeriod(Duration.ofMillis(50)).build();
        jobId = first.submit(JobRequest.voiceCloning(uploadId, "longer than the grace period")).id();
        assertTrue(gated.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        first.close();

        try (SqliteJobStore jobs = SqliteJobStore.open(dataDir.resolve("jobs.db"))) {
            JobRecord back = jobs.get(jobId).orElseThrow();
            assertEquals(JobStatus.QUEUED, back.status(), "given back to the queue, not cancelled");
            assertEquals(1, back.attempts());
        }
        SyntheticBackend quick = SyntheticBackend.builder().steps(2).build();
        try (TtsJobQueue second = TtsJobQueue.builder().backend(quick)
                .store(SqliteJobStore.builder(dataDir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open())
                .audioStore(openAudio()).clock(clock).build()) {
            SynthesisResult result = second.handle(jobId).result().get(30, TimeUnit.SECONDS);
            assertEquals("longer than the grace period", result.genText());
            assertEquals(2, second.status(jobId).attempts(), "the second run is its second attempt");
        }
    }
}
