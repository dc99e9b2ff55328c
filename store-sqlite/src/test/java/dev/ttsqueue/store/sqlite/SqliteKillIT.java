package dev.ttsqueue.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process in the middle of submitting: every job whose enqueue had returned
 * (and every completion that had returned) is in the file afterwards, and the store carries on.
 */
class SqliteKillIT {
    private static final int ACKS_BEFORE_KILL = 400;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
        Path file = dir.resolve("jobs.db");
        Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                CrashingSubmitter.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> acked = new ArrayList<>();
        List<String> done = new ArrayList<>();
        CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        synchronized (acked) {
                            acked.add(line.substring(4));
                        }
                        enough.countDown();
                    } else if (line.startsWith("DONE ")) {
                        synchronized (done) {
                            done.add(line.substring(5));
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertTrue(enough.await(120, TimeUnit.SECONDS), "the submitter did not get going");
        } finally {
            // SIGKILL: no shutdown hooks, no close(), no checkpoint. Through the ProcessHandle, which
            // only sends the signal: Process.destroyForcibly() also closes our end of the pipe at
            // once, so the reader failed with "Stream closed" and lost the lines still in the pipe.
            victim.toHandle().destroyForcibly();
            assertTrue(victim.waitFor(60, TimeUnit.SECONDS));
        }
        reading.get(60, TimeUnit.SECONDS); // lines already written before the kill are still in the pipe
        assertEquals(137, victim.exitValue(), "killed by SIGKILL");

        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            long lastSequence = 0;
            for (String id : acked) {
                JobRecord r = store.get(id).orElseThrow(() -> new AssertionError("acknowledged job " + id + " was lost"));
                assertTrue(r.sequence() > lastSequence, "submission order kept");
                lastSequence = r.sequence();
            }
            for (String id : done) {
                JobRecord r = store.get(id).orElseThrow();
                assertEquals(JobStatus.COMPLETED, r.status(), id);
                assertEquals("out-" + id, r.result().outputFileId());
            }
            assertTrue(acked.size() >= ACKS_BEFORE_KILL);
            assertTrue(done.size() >= ACKS_BEFORE_KILL / 10 - 1);

            // the store carries on from where the dead process stopped
            long total = store.counts().values().stream().mapToLong(Long::longValue).sum();
            assertTrue(total >= acked.size(), "at most the one unacknowledged job more: " + total + " vs " + acked.size());
            assertTrue(total <= acked.size() + 1, "at most the one unacknowledged job more: " + total + " vs " + acked.size());
            JobRecord next = store.enqueue(JobRecord.newQueued("after-crash", JobRequest.ttsPermanent("narrator", "again"), 1,
                    CrashingSubmitter.NOW), 0).orElseThrow();
            assertTrue(next.sequence() > lastSequence);
            Claim c = store.claimNext("survivor", CrashingSubmitter.NOW, Duration.ofMinutes(1)).orElseThrow();
            assertTrue(store.complete(c.job().id(), c.fencingToken(),
                    new SynthesisResult("out-after", "", "again", 1, null, 1.0, 24_000, "crash-test", null), CrashingSubmitter.NOW));
        }
    }
}
