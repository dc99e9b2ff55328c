package dev.ttsqueue.benchmarks.store;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.store.InMemoryJobStore;
import dev.ttsqueue.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Jobs per second through a {@link JobStore}, the SQLite store (every enqueue committed and
 * fsynced before it returns) next to the in-memory store as the baseline, in the same run.
 *
 * <p>Each invocation starts from a fresh, empty store (made outside the timing) and pushes
 * {@link #BATCH} jobs through it, so the figures do not drift with a store that keeps growing
 * and the in-memory baseline does not fill the heap.
 * <ul>
 *   <li>{@code submit}: enqueue only, with the queue-size check a real queue makes.
 *   <li>{@code lifecycle}: enqueue, claim, complete: the three writes every job costs.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
public class DurableSubmitBenchmark {

    static final int BATCH = 5_000;
    /** Large enough never to refuse, so every enqueue pays for the check and none is turned away. */
    private static final int MAX_QUEUED = 1_000_000;
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final JobRequest REQUEST = JobRequest.voiceCloning("upload-1234",
            "The quick brown fox jumps over the lazy dog, and then it does so again for good measure.");
    private static final SynthesisResult RESULT = new SynthesisResult("out-1234", "reference words", REQUEST.text(),
            42, null, 4.2, 24_000, "benchmark", null);

    @Param({"in-memory", "sqlite"})
    public String store;

    private JobStore jobs;
    private Path dir;
    private long nextId;

    @Setup(Level.Invocation)
    public void openStore() throws IOException {
        if ("sqlite".equals(store)) {
            dir = Files.createTempDirectory("ttsq-bench-");
            jobs = SqliteJobStore.open(dir.resolve("jobs.db"));
        } else {
            jobs = new InMemoryJobStore();
        }
    }

    @TearDown(Level.Invocation)
    public void closeStore() throws IOException {
        jobs.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            dir = null;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void submit(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(jobs.enqueue(JobRecord.newQueued("job-" + nextId++, REQUEST, 42, NOW), MAX_QUEUED).orElseThrow());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void lifecycle(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            String id = "job-" + nextId++;
            jobs.enqueue(JobRecord.newQueued(id, REQUEST, 42, NOW), MAX_QUEUED).orElseThrow();
            Claim c = jobs.claimNext("worker-0", NOW, LEASE).orElseThrow();
            bh.consume(jobs.complete(c.job().id(), c.fencingToken(), RESULT, NOW));
        }
    }
}
