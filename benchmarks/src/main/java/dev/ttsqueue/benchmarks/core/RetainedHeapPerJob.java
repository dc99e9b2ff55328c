package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.TtsJobQueue;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CompletableFuture;

/**
 * Heap bytes each finished job costs while the in-memory store retains it (audio excluded: the
 * outputs are dropped by {@link DiscardingAudioStore}). Runs N jobs to completion, then compares the
 * live heap after full GCs with the live heap before.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.core.RetainedHeapPerJob [jobs]}
 */
public final class RetainedHeapPerJob {
    private RetainedHeapPerJob() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (TtsJobQueue queue = NoOpQueues.start()) {
            String ref = NoOpQueues.reference(queue);
            // Warm-up round so class loading and JIT data do not count.
            runJobs(queue, ref, 1_000);
            queue.cleanup(java.time.Duration.ofNanos(-1));
            long before = liveHeap();
            runJobs(queue, ref, jobs);
            long after = liveHeap();
            long completed = queue.queueStatus().count(JobStatus.COMPLETED);
            System.out.printf("jobs retained: %d%nheap before: %d bytes%nheap after: %d bytes%nbytes per retained finished job: %.0f%n",
                    completed, before, after, (after - before) / (double) completed);
        }
    }

    private static void runJobs(TtsJobQueue queue, String ref, int n) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            // Texts of a typical sentence length; distinct so no string is shared between jobs.
            JobHandle h = queue.submit(JobRequest.ttsGenerate(ref, "Sentence number " + i + " of the benchmark."));
            all[i] = h.result();
        }
        CompletableFuture.allOf(all).join();
    }

    private static long liveHeap() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200); // let the collector and reference processing settle between probes
            long used = mem.getHeapMemoryUsage().getUsed();
            if (used >= last) {
                break;
            }
            last = used;
        }
        return Math.min(last, mem.getHeapMemoryUsage().getUsed());
    }
}
