package dev.ttsqueue.benchmarks.server;

import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.server.ServerConfig;
import dev.ttsqueue.server.TtsServer;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.store.InMemoryAudioStore;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * HTTP load on the REST server over loopback: {@code POST /jobs/submit} and
 * {@code GET /jobs/{id}/status}, with {@code GET /health} as the baseline (the cost of HTTP and
 * Jersey alone), in one run. In-memory job and audio stores, synthetic one-step backend,
 * unbounded queue. The worker runs the submitted jobs meanwhile, on the same cores, as it would
 * in production. Each phase runs closed-loop: every client thread sends its next request when
 * the previous answer arrived.
 *
 * <pre>
 * mvn -q -DskipTests -pl benchmarks -am package
 * java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.server.ServerLoadDriver \
 *      --threads 8 --warmup 5 --seconds 10
 * </pre>
 */
public final class ServerLoadDriver {
    private ServerLoadDriver() {
    }

    record Phase(String name, long requests, long errors, double seconds, long[] latenciesNanos) {
        double perSecond() {
            return requests / seconds;
        }

        double percentileMillis(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100.0 * latenciesNanos.length) - 1;
            return latenciesNanos[Math.max(0, Math.min(latenciesNanos.length - 1, i))] / 1e6;
        }
    }

    interface Call {
        boolean run(MiniHttpClient c, int thread, long n) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int threads = 8;
        int warmup = 5;
        int seconds = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --threads N --warmup S --seconds S)");
            }
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).secondsPerChar(0.001).build();
        AudioStore audio = new InMemoryAudioStore(Clock.systemUTC(), Duration.ofHours(1), Duration.ofMinutes(2));
        String refId = audio.save(AudioKind.UPLOAD, new AudioClip(new float[2400], 24_000)).id();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).audioStore(audio).maxQueueSize(0).build();
                TtsServer server = TtsServer.start(ServerConfig.defaults().withPort(0), queue)) {
            int port = server.port();
            byte[] submit = ("{\"job_type\":\"voice_cloning\",\"parameters\":{\"audio_file_id\":\"" + refId
                    + "\",\"gen_text\":\"Load test.\"},\"priority\":0}").getBytes(StandardCharsets.UTF_8);
            List<List<String>> ids = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ids.add(new ArrayList<>());
            }
            Call health = (c, t, n) -> c.get("/health").status() == 200;
            Call submitCall = (c, t, n) -> {
                MiniHttpClient.Response r = c.postJson("/jobs/submit", submit);
                if (r.status() != 200) {
                    return false;
                }
                int k = r.body().indexOf("\"job_id\":\"") + 10;
                List<String> mine = ids.get(t);
                if (mine.size() < 100_000) {
                    mine.add(r.body().substring(k, r.body().indexOf('"', k)));
                }
                return true;
            };
            Call status = (c, t, n) -> {
                List<String> mine = ids.get(t);
                String id = mine.get(ThreadLocalRandom.current().nextInt(mine.size()));
                return c.get("/jobs/" + id + "/status").status() == 200;
            };

            System.out.printf(Locale.ROOT, "server on 127.0.0.1:%d, %d client threads, %d s warm-up + %d s per phase, %d cores%n",
                    port, threads, warmup, seconds, Runtime.getRuntime().availableProcessors());
            run("warm-up (all)", port, threads, warmup, (c, t, n) -> switch ((int) (n % 3)) {
                case 0 -> health.run(c, t, n);
                case 1 -> submitCall.run(c, t, n);
                default -> status.run(c, t, n);
            });
            // Two rounds of the three phases; the second is reported, so that no phase is measured
            // while the JIT is still busy with code the earlier ones first ran.
            List<Phase> phases = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                phases.clear();
                drain(queue);
                phases.add(run("GET /health (baseline)", port, threads, seconds, health));
                drain(queue);
                phases.add(run("POST /jobs/submit", port, threads, seconds, submitCall));
                drain(queue);
                phases.add(run("GET /jobs/{id}/status", port, threads, seconds, status));
            }
            System.out.printf(Locale.ROOT, "%n%-24s %10s %8s %9s %9s %9s %9s%n", "endpoint", "req/s", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms");
            for (Phase p : phases) {
                System.out.printf(Locale.ROOT, "%-24s %10.0f %8d %9.3f %9.3f %9.3f %9.3f%n", p.name(), p.perSecond(), p.errors(),
                        p.percentileMillis(50), p.percentileMillis(90), p.percentileMillis(99), p.percentileMillis(100));
            }
            Phase base = phases.get(0);
            System.out.printf(Locale.ROOT, "%nsubmit throughput = %.2f x baseline, status = %.2f x baseline; jobs completed: %d%n",
                    phases.get(1).perSecond() / base.perSecond(), phases.get(2).perSecond() / base.perSecond(),
                    queue.queueStatus().count(dev.ttsqueue.JobStatus.COMPLETED));
        }
    }

    /**
     * Waits until the worker has run every job submitted so far, so that a phase does not share
     * the cores with the backlog of the one before.
     */
    private static void drain(TtsJobQueue queue) throws InterruptedException {
        while (queue.queueStatus().queueSize() > 0 || !queue.queueStatus().runningJobs().isEmpty()) {
            Thread.sleep(20);
        }
    }

    private static Phase run(String name, int port, int threads, int seconds, Call call) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[][] lat = new long[threads][];
        int[] count = new int[threads];
        long[] errors = new long[threads];
        Thread[] workers = new Thread[threads];
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers[t] = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try (MiniHttpClient c = new MiniHttpClient("127.0.0.1", port)) {
                    ready.countDown();
                    go.await();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        boolean ok = call.run(c, me, n);
                        long dt = System.nanoTime() - t0;
                        if (!ok) {
                            errors[me]++;
                        }
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = dt;
                    }
                } catch (Exception e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                    ready.countDown();
                }
                lat[me] = Arrays.copyOf(mine, n);
                count[me] = n;
            }, "load-" + t);
            workers[t].start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep(seconds * 1000L); // the measured interval itself, not a wait for an event
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure[0] != null) {
            throw new IllegalStateException("phase " + name + " failed", failure[0]);
        }
        long total = 0;
        long errs = 0;
        for (int t = 0; t < threads; t++) {
            total += count[t];
            errs += errors[t];
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] l : lat) {
            System.arraycopy(l, 0, all, k, l.length);
            k += l.length;
        }
        Arrays.sort(all);
        return new Phase(name, total, errs, elapsed, all);
    }
}
