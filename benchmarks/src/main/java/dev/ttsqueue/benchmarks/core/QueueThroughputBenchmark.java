package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.benchmarks.SilentContext;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.Identifiers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Submit-to-complete throughput of the queue with a no-op backend, against the bare minimum that
 * does the same work: a one-thread {@link ThreadPoolExecutor} over a {@link PriorityBlockingQueue}
 * calling the same backend and completing a future. The queue's price is the ratio of the two.
 *
 * <p>A second baseline, {@link #bareWithGuarantees}, adds to the bare executor only the three
 * things every job of the queue must have and the bare executor lacks: an unguessable id, a status
 * record that can be looked up by that id until cleanup (finished jobs included), and a future
 * completed off the worker thread so that callers' callbacks never hold up the device. It tells
 * how much of the gap is the price of those guarantees and how much is the queue's own machinery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class QueueThroughputBenchmark {
    static final int BATCH = 1_000;

    private final NoOpBackend backend = new NoOpBackend();
    private TtsJobQueue queue;
    private String reference;
    private ThreadPoolExecutor bare;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, BareJob> bareJobs = new ConcurrentHashMap<>();
    private ExecutorService completions;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        queue = NoOpQueues.start();
        reference = NoOpQueues.reference(queue);
        bare = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>());
        completions = Executors.newSingleThreadExecutor();
    }

    @TearDown(Level.Iteration)
    public void forgetFinishedJobs() {
        queue.cleanup(Duration.ofNanos(-1));
        bareJobs.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queue.close();
        bare.shutdownNow();
        completions.shutdownNow();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void queue() {
        CompletableFuture<?>[] all = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            JobHandle h = queue.submit(JobRequest.ttsGenerate(reference, "hello").priority(i & 3));
            all[i] = h.result();
        }
        CompletableFuture.allOf(all).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bareExecutor() {
        CompletableFuture<?>[] all = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            CompletableFuture<AudioClip> f = new CompletableFuture<>();
            all[i] = f;
            SynthesisRequest request = new SynthesisRequest(null, "", "hello", InferenceSettings.defaults(), 1);
            bare.execute(new PrioritizedTask(i & 3, sequence.incrementAndGet(), () -> {
                try {
                    f.complete(backend.synthesize(request, SilentContext.INSTANCE));
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            }));
        }
        CompletableFuture.allOf(all).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bareWithGuarantees() {
        bareWith(true, true, true);
    }

    /**
     * The bare executor with any of the three guarantees of {@link #bareWithGuarantees}: a secure
     * random id per job, a retained status record per job (keyed by the id, or by the sequence
     * number when there are no ids), and futures completed on a second thread. Lets
     * {@link ThroughputLoop} price each one alone.
     */
    void bareWith(boolean ids, boolean statusRecords, boolean handOff) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            CompletableFuture<AudioClip> f = new CompletableFuture<>();
            all[i] = f;
            int priority = i & 3;
            long seq = sequence.incrementAndGet();
            String id = ids ? Identifiers.newId() : null;
            String key = statusRecords ? (ids ? id : Long.toString(seq)) : null;
            if (statusRecords) {
                bareJobs.put(key, new BareJob(id, priority, seq, BareJob.QUEUED, null));
            }
            SynthesisRequest request = new SynthesisRequest(null, "", "hello", InferenceSettings.defaults(), 1);
            bare.execute(new PrioritizedTask(priority, seq, () -> {
                if (statusRecords) {
                    bareJobs.put(key, new BareJob(id, priority, seq, BareJob.RUNNING, null));
                }
                try {
                    AudioClip clip = backend.synthesize(request, SilentContext.INSTANCE);
                    if (statusRecords) {
                        bareJobs.put(key, new BareJob(id, priority, seq, BareJob.DONE, clip));
                    }
                    if (handOff) {
                        completions.execute(() -> f.complete(clip));
                    } else {
                        f.complete(clip);
                    }
                } catch (Exception e) {
                    if (statusRecords) {
                        bareJobs.put(key, new BareJob(id, priority, seq, BareJob.FAILED, null));
                    }
                    if (handOff) {
                        completions.execute(() -> f.completeExceptionally(e));
                    } else {
                        f.completeExceptionally(e);
                    }
                }
            }));
        }
        CompletableFuture.allOf(all).join();
    }

    /** The least status record a job can have: kept, like the queue's, until the iteration's cleanup. */
    record BareJob(String id, int priority, long sequence, int state, AudioClip result) {
        static final int QUEUED = 0;
        static final int RUNNING = 1;
        static final int DONE = 2;
        static final int FAILED = 3;
    }

    /** Higher priority first, FIFO within a priority: the same order the queue keeps. */
    record PrioritizedTask(int priority, long sequence, Runnable body) implements Runnable, Comparable<PrioritizedTask> {
        @Override
        public void run() {
            body.run();
        }

        @Override
        public int compareTo(PrioritizedTask o) {
            int byPriority = Integer.compare(o.priority, priority);
            return byPriority != 0 ? byPriority : Long.compare(sequence, o.sequence);
        }
    }
}
