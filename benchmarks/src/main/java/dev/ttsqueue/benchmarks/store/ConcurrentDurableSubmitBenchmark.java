package dev.ttsqueue.benchmarks.store;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable submits per second when 8 threads submit at once, as request threads of a busy server
 * do: the case the SQLite store's group commit is for. Compare with the one-thread {@code sqlite}
 * figure of {@link DurableSubmitBenchmark} from the same run. Each iteration starts from a fresh
 * file. The in-memory store is left out here: at millions of submits per second it would fill
 * the heap within one iteration, and its one-thread figure already bounds what a store can do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(8)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
public class ConcurrentDurableSubmitBenchmark {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final JobRequest REQUEST = JobRequest.voiceCloning("upload-1234",
            "The quick brown fox jumps over the lazy dog, and then it does so again for good measure.");

    private final AtomicLong nextId = new AtomicLong();
    private SqliteJobStore store;
    private Path dir;

    @Setup(Level.Iteration)
    public void openStore() throws IOException {
        dir = Files.createTempDirectory("ttsq-bench-");
        store = SqliteJobStore.open(dir.resolve("jobs.db"));
    }

    @TearDown(Level.Iteration)
    public void closeStore() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public JobRecord sqliteSubmit8Threads() {
        return store.enqueue(JobRecord.newQueued("job-" + nextId.incrementAndGet(), REQUEST, 42, NOW), 1_000_000).orElseThrow();
    }
}
