package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.TtsJobQueue;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of {@link TtsJobQueue#submit} alone (validation, store enqueue, worker wake-up), sampled
 * so JMH reports p50/p99; a no-op worker drains the queue meanwhile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SubmitLatencyBenchmark {
    private TtsJobQueue queue;
    private String reference;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        queue = NoOpQueues.start();
        reference = NoOpQueues.reference(queue);
    }

    @TearDown(Level.Iteration)
    public void forgetFinishedJobs() {
        queue.cleanup(Duration.ofNanos(-1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queue.close();
    }

    @Benchmark
    public JobHandle submit() {
        return queue.submit(JobRequest.ttsGenerate(reference, "hello"));
    }
}
