package dev.ttsqueue.benchmarks.core;

import java.util.Locale;

/**
 * Runs one workload of {@link QueueThroughputBenchmark} in a plain loop for a number of seconds,
 * outside JMH, so that an OS tool can count what it costs as a whole: for example
 * {@code perf stat -e context-switches,task-clock java -cp benchmarks.jar
 * dev.ttsqueue.benchmarks.core.ThroughputLoop queue 10} gives CPU time and context switches per
 * job, GC and compiler threads included. Finished jobs are forgotten every 2 s, as the benchmark
 * does per iteration; {@code queue-emptied} forgets them after every 1,000 jobs instead. The
 * {@code bare+...} workloads add one or two of the guarantees of
 * {@link QueueThroughputBenchmark#bareWithGuarantees} to the bare executor, to price each.
 */
public final class ThroughputLoop {
    private ThroughputLoop() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ThroughputLoop bare|guarantees|bare+ids|bare+status|bare+handoff|bare+ids+status|queue|queue-emptied SECONDS");
            System.exit(2);
        }
        String workload = args[0];
        double seconds = Double.parseDouble(args[1]);
        QueueThroughputBenchmark b = new QueueThroughputBenchmark();
        b.setUp();
        try {
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long lastForget = start;
            long jobs = 0;
            while (System.nanoTime() < end) {
                switch (workload) {
                    case "bare" -> b.bareExecutor();
                    case "guarantees" -> b.bareWithGuarantees();
                    case "bare+ids" -> b.bareWith(true, false, false);
                    case "bare+status" -> b.bareWith(false, true, false);
                    case "bare+handoff" -> b.bareWith(false, false, true);
                    case "bare+ids+status" -> b.bareWith(true, true, false);
                    case "queue", "queue-emptied" -> b.queue();
                    default -> throw new IllegalArgumentException("unknown workload " + workload);
                }
                jobs += QueueThroughputBenchmark.BATCH;
                if (workload.equals("queue-emptied") || System.nanoTime() - lastForget > 2_000_000_000L) {
                    b.forgetFinishedJobs();
                    lastForget = System.nanoTime();
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%s: %d jobs in %.2f s, %.0f jobs/s%n", workload, jobs, elapsed, jobs / elapsed);
        } finally {
            b.tearDown();
        }
        System.exit(0);
    }
}
