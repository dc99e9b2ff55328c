package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The process {@link SqliteKillIT} kills: submits jobs without end, completing every tenth, and
 * prints a line for each write only after the store returned from it. Whatever it printed must
 * be in the file after a {@code kill -9}.
 */
public final class CrashingSubmitter {
    static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private CrashingSubmitter() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        PrintStream out = System.out;
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            for (long n = 0; ; n++) {
                String id = "j-" + n;
                store.enqueue(JobRecord.newQueued(id, JobRequest.ttsPermanent("narrator", "line " + n), n, NOW), 0)
                        .orElseThrow();
                out.println("ACK " + id);
                if (n % 10 == 9) {
                    Claim c = store.claimNext("victim", NOW, Duration.ofMinutes(1)).orElseThrow();
                    String done = c.job().id();
                    if (!store.complete(done, c.fencingToken(), new SynthesisResult("out-" + done, "", "line", 1, "narrator",
                            1.0, 24_000, "crash-test", null), NOW)) {
                        throw new IllegalStateException("completion of " + done + " refused");
                    }
                    out.println("DONE " + done);
                }
                out.flush();
            }
        }
    }
}
