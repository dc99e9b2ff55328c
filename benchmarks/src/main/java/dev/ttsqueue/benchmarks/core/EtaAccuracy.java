package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.spi.AudioKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How close the estimated completion a queue gives comes to the real one: the built-in FreeTTS
 * voice, one worker, the library embedded in this process (not the server).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.core.EtaAccuracy [jobs] [seed] [warm-up jobs] [backend warm-up s]
 * </pre>
 *
 * <p>The backend first warms up for 10 s by default, as the standalone server does ({@code --warm-up}); then,
 * after a warm-up of 30 jobs by default (the JIT, and the queue's speed model), {@code jobs} jobs (200 by
 * default) of 1 to 20 sentences (50 to 1,800 characters) and priority 0, 1 or 2, in random order, are submitted at once.
 * For each job it compares its real completion with three estimates:
 * <ul>
 *   <li><b>at submit</b> ({@code JobHandle.accepted()}): what the queue knew then. A job that a
 *       later, higher-priority job overtakes could not have known about it; those jobs are also
 *       reported apart;
 *   <li><b>queue built</b>: its status read once the last job was submitted, what a client polling
 *       its status sees from then on;
 *   <li><b>at start</b>: the estimate in its {@code STARTED} event.
 * </ul>
 * The error of an estimate is |estimate − completion| as a share of the time from the estimate
 * to the completion (the real wait). Prints median and 90th percentile of each, then one JSON line.
 */
public final class EtaAccuracy {

    private static final String[] WORDS = ("the queue runs every job in turn and speaks each sentence clearly while "
            + "listeners follow its progress through the afternoon with patience because a long chapter takes "
            + "longer than a short greeting and nobody likes to wait without knowing when the answer comes back "
            + "from the machine that reads aloud for everyone").split(" ");

    private record Job(String id, int priority, long characters, Instant submitted, Instant atSubmit, int order) {
    }

    /** The standalone server's default {@code --warm-up}. */
    private static final long DEFAULT_BACKEND_WARM_UP_SECONDS = 10;

    private EtaAccuracy() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Duration backendWarmUp = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : DEFAULT_BACKEND_WARM_UP_SECONDS);
        Random random = new Random(seed);
        Map<String, Instant[]> runs = new ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(jobs + warmUp);
        try (TtsJobQueue queue = TtsJobQueue.builder()
                .backend(new FreeTtsBackend())
                .audioStore(new DiscardingAudioStore())
                .workers(1)
                .warmUp(backendWarmUp)
                .maxQueueSize(0)
                .keepFinishedJobs()
                .listener(e -> {
                    if (e.kind() == JobEvent.Kind.STARTED) {
                        runs.computeIfAbsent(e.jobId(), k -> new Instant[3])[0] = e.snapshot().startedAt();
                        runs.get(e.jobId())[1] = e.snapshot().estimatedCompletion();
                    } else if (e.kind().isTerminal()) {
                        runs.computeIfAbsent(e.jobId(), k -> new Instant[3])[2] = e.snapshot().completedAt();
                        finished.countDown();
                    }
                })
                .build()) {
            String reference = queue.audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[24_000], 24_000)).id();
            for (int i = 0; i < warmUp; i++) {
                queue.submit(JobRequest.voiceCloning(reference, text(random)).priority(random.nextInt(3)));
            }
            while (finished.getCount() > jobs) {
                finished.await(100, TimeUnit.MILLISECONDS);
            }

            List<Job> submitted = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String text = text(random);
                int priority = random.nextInt(3);
                JobHandle h = queue.submit(JobRequest.voiceCloning(reference, text).priority(priority));
                submitted.add(new Job(h.id(), priority, text.codePointCount(0, text.length()), h.accepted().createdAt(),
                        h.accepted().estimatedCompletion(), i));
            }
            Instant built = Instant.now();
            Map<String, Instant> afterBuilt = new ConcurrentHashMap<>();
            Set<String> doneBeforeBuilt = new HashSet<>();
            for (Job j : submitted) {
                JobSnapshot s = queue.status(j.id());
                if (s.status().isTerminal()) {
                    doneBeforeBuilt.add(j.id()); // nothing left to estimate
                } else if (s.estimatedCompletion() != null) {
                    afterBuilt.put(j.id(), s.estimatedCompletion());
                }
            }
            if (!finished.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("jobs did not finish");
            }
            report(submitted, runs, built, afterBuilt, doneBeforeBuilt);
        }
    }

    private static String text(Random random) {
        StringBuilder b = new StringBuilder();
        int sentences = 1 + random.nextInt(20);
        for (int s = 0; s < sentences; s++) {
            int words = 4 + random.nextInt(11);
            for (int w = 0; w < words; w++) {
                String word = WORDS[random.nextInt(WORDS.length)];
                b.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                b.append(w == words - 1 ? ". " : " ");
            }
        }
        return b.toString().strip();
    }

    private static void report(List<Job> jobs, Map<String, Instant[]> runs, Instant built, Map<String, Instant> afterBuilt,
            Set<String> doneBeforeBuilt) {
        List<Double> atSubmit = new ArrayList<>();
        List<Double> atSubmitNotOvertaken = new ArrayList<>();
        List<Double> queueBuilt = new ArrayList<>();
        List<Double> atStart = new ArrayList<>();
        int overtaken = 0;
        int missing = 0;
        for (Job j : jobs) {
            Instant[] run = runs.get(j.id());
            Instant completed = run[2];
            boolean done = doneBeforeBuilt.contains(j.id());
            if (j.atSubmit() == null || run[1] == null || !(done || afterBuilt.containsKey(j.id()))) {
                missing++;
                continue;
            }
            double e = error(j.atSubmit(), completed, j.submitted());
            atSubmit.add(e);
            boolean passed = false;
            for (Job later : jobs) {
                if (later.order() > j.order() && runs.get(later.id())[0].isBefore(run[0])) {
                    passed = true;
                    break;
                }
            }
            if (passed) {
                overtaken++;
            } else {
                atSubmitNotOvertaken.add(e);
            }
            if (!done) {
                queueBuilt.add(error(afterBuilt.get(j.id()), completed, built));
            }
            atStart.add(error(run[1], completed, run[0]));
            if (System.getenv("ETA_DEBUG") != null) {
                System.out.printf(Locale.ROOT, "%s p%d chars %4d run %.3f s, start estimate %.3f s, submit wait %.2f est %.2f%n", j.id().substring(0, 8),
                        j.priority(), j.characters(), Duration.between(run[0], completed).toNanos() / 1e9,
                        Duration.between(run[0], run[1]).toNanos() / 1e9, Duration.between(j.submitted(), completed).toNanos() / 1e9,
                        Duration.between(j.submitted(), j.atSubmit()).toNanos() / 1e9);
            }
        }
        System.out.printf(Locale.ROOT, "%d jobs (%d overtaken by a later, higher-priority job; %d finished before the queue "
                + "was built; %d without an estimate)%n", jobs.size(), overtaken, doneBeforeBuilt.size(), missing);
        line("at submit, all jobs", atSubmit);
        line("at submit, not overtaken", atSubmitNotOvertaken);
        line("queue built (status after the last submit)", queueBuilt);
        line("at start", atStart);
        System.out.printf(Locale.ROOT, "{\"jobs\":%d,\"overtaken\":%d,\"at_submit\":%s,\"at_submit_not_overtaken\":%s,"
                + "\"queue_built\":%s,\"at_start\":%s}%n", jobs.size(), overtaken, json(atSubmit), json(atSubmitNotOvertaken),
                json(queueBuilt), json(atStart));
    }

    /** |estimate − actual| as a share of the real wait from {@code from} to {@code actual}. */
    private static double error(Instant estimate, Instant actual, Instant from) {
        double wait = Math.max(1e-3, Duration.between(from, actual).toNanos() / 1e9);
        return Math.abs(Duration.between(actual, estimate).toNanos() / 1e9) / wait;
    }

    private static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void line(String what, List<Double> errors) {
        System.out.printf(Locale.ROOT, "  %-45s n=%3d  median %5.1f %%  p90 %5.1f %%%n", what, errors.size(),
                100 * percentile(errors, 0.5), 100 * percentile(errors, 0.9));
    }

    private static String json(List<Double> errors) {
        return String.format(Locale.ROOT, "{\"n\":%d,\"median\":%.4f,\"p90\":%.4f}", errors.size(), percentile(errors, 0.5),
                percentile(errors, 0.9));
    }
}
