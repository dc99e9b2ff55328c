package dev.ttsqueue.benchmarks.store;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.store.InMemoryJobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of fair share between tenants in the in-memory store: one claim, the completion of the
 * claimed job and one enqueue (which keeps the queue at its size), with {@link #QUEUED} jobs
 * waiting, spread over {@link #TENANTS} tenants of weights 1 to 3 ({@code tenants}), against the
 * same store with every job of one tenant, whose order is the plain priority queue
 * ({@code one-tenant}), in the same run.
 *
 * <p>Finished jobs are purged after each iteration, so the store's size stays that of the queue.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FairShareBenchmark {

    static final int QUEUED = 100_000;
    static final int TENANTS = 1_000;
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final SynthesisResult RESULT = new SynthesisResult("out", "reference words", "spoken", 42, null, 4.2,
            24_000, "benchmark", null);

    @Param({"one-tenant", "tenants"})
    public String mix;

    private JobStore jobs;
    private JobRequest[] requests;
    private int[] weights;
    private long nextId;

    @Setup(Level.Trial)
    public void fill() {
        jobs = new InMemoryJobStore();
        int tenants = "tenants".equals(mix) ? TENANTS : 1;
        requests = new JobRequest[tenants];
        weights = new int[tenants];
        for (int t = 0; t < tenants; t++) {
            JobRequest base = JobRequest.voiceCloning("upload-1234", "The quick brown fox jumps over the lazy dog.");
            requests[t] = tenants == 1 ? base : base.withTenant("tenant-" + t);
            weights[t] = tenants == 1 ? 1 : 1 + t % 3;
        }
        // Tenant after tenant, so that submission order and fair order differ as much as they can.
        for (int t = 0; t < tenants; t++) {
            for (int i = 0; i < QUEUED / tenants; i++) {
                enqueue(t);
            }
        }
    }

    private void enqueue(int tenant) {
        jobs.enqueue(JobRecord.newQueued(Long.toString(nextId++, 36), requests[tenant], 7, NOW, weights[tenant]), 0).orElseThrow();
    }

    /** One claim, its completion, and one new job of the same tenant. */
    @Benchmark
    public long claimCompleteEnqueue() {
        Claim c = jobs.claimNext("w", NOW, LEASE).orElseThrow();
        jobs.complete(c.job().id(), c.fencingToken(), RESULT, NOW);
        String tenant = c.job().tenant();
        int t = requests.length == 1 ? 0 : Integer.parseInt(tenant.substring("tenant-".length()));
        enqueue(t);
        return c.fencingToken();
    }

    @TearDown(Level.Iteration)
    public void purge() {
        jobs.purgeFinishedBefore(Instant.MAX);
    }
}
