package dev.ttsqueue.benchmarks.store;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.store.redis.RedisConfig;
import dev.ttsqueue.store.redis.RedisJobStore;
import dev.ttsqueue.store.redis.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Redis job store in this process against a redis-server it starts on loopback (AOF
 * {@code everysec}, as the module README recommends), each figure beside a baseline measured in
 * the same run on the same server: the same Redis work sent as plain pipelined commands, with no
 * script, no atomicity and no fencing (what a client could do at best without those guarantees).
 *
 * <ul>
 *   <li>{@code enqueue}: {@code RedisJobStore.enqueue} from {@code --threads} threads, against
 *       {@code raw enqueue}: INCR, HSET (the same five fields), three ZADD, pipelined as one round trip;
 *   <li>{@code claim+complete}: claimNext then complete from {@code --workers} threads, against
 *       {@code raw claim+complete}: ZPOPMIN; HSET, ZREM, two ZADD, INCR; HSET, ZREM, ZADD, ZREM, ZADD
 *       (three round trips, as a client must wait for the popped id);
 *   <li>{@code queuePlace}: latency of one {@code queuePlace} (ZRANK) from one thread while
 *       {@code --jobs} jobs are queued, as percentiles.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.store.RedisStoreThroughput --jobs 100000 --threads 8 --workers 4
 * </pre>
 * Needs {@code /usr/bin/redis-server}. Prints one JSON line per measure.
 */
public final class RedisStoreThroughput {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final JobRequest REQUEST = JobRequest.voiceCloning("upload-1234",
            "The quick brown fox jumps over the lazy dog, and then it does so again for good measure.");
    private static final SynthesisResult RESULT = new SynthesisResult("out-1234", "ref", REQUEST.text(), 42, null, 3.2, 24_000,
            "synthetic", null);

    private RedisStoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = 100_000;
        int threads = 8;
        int workers = 4;
        int samples = 20_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --jobs N --threads N --workers N --samples N)");
            }
        }
        Path dir = Files.createTempDirectory("ttsq-redis-bench-");
        try (RedisServer redis = RedisServer.start(dir, List.of("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"));
             RedisJobStore store = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix("bench").build());
             RedisJobStore warmStore = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix("warm").build())) {
            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> raw = client.connect()) {
                // Warm-up: the JIT, Redis's script cache and its memory, on prefixes measured nowhere.
                enqueue(warmStore, "w", 20_000, threads);
                claimAndComplete(warmStore, 20_000, workers);
                rawEnqueue(raw.async(), "{warm-raw}", 20_000, threads);
                rawClaimComplete(raw.async(), "{warm-raw}", 20_000, workers);

                double rawEnqueue = rawEnqueue(raw.async(), "{raw}", jobs, threads);
                Result enqueued = enqueue(store, "j", jobs, threads);
                report("raw enqueue", jobs, threads, rawEnqueue, null);
                report("enqueue", jobs, threads, enqueued.perSecond(), rawEnqueue);

                long[] nanos = places(store, enqueued.records(), samples);
                System.out.printf(Locale.ROOT, "{\"measure\":\"queuePlace\",\"queued\":%d,\"samples\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                        + "\"p999_ms\":%.3f,\"max_ms\":%.3f}%n", jobs, samples, percentile(nanos, 0.50), percentile(nanos, 0.99),
                        percentile(nanos, 0.999), nanos[nanos.length - 1] / 1e6);

                double rawClaim = rawClaimComplete(raw.async(), "{raw}", jobs, workers);
                double claimed = claimAndComplete(store, jobs, workers);
                report("raw claim+complete", jobs, workers, rawClaim, null);
                report("claim+complete", jobs, workers, claimed, rawClaim);
            } finally {
                client.shutdown();
            }
        }
        System.exit(0);
    }

    private record Result(double perSecond, List<JobRecord> records) {
    }

    private static void report(String measure, int jobs, int threads, double perSecond, Double baseline) {
        System.out.printf(Locale.ROOT, "{\"measure\":\"%s\",\"jobs\":%d,\"threads\":%d,\"per_second\":%.0f%s}%n", measure, jobs, threads,
                perSecond, baseline == null ? "" : String.format(Locale.ROOT, ",\"ratio_to_raw\":%.2f", perSecond / baseline));
    }

    private static Result enqueue(RedisJobStore store, String prefix, int jobs, int threads) throws Exception {
        JobRecord[] out = new JobRecord[jobs];
        AtomicInteger next = new AtomicInteger();
        double perSecond = run(threads, jobs, () -> {
            for (int i = next.getAndIncrement(); i < jobs; i = next.getAndIncrement()) {
                out[i] = store.enqueue(JobRecord.newQueued(prefix + i, REQUEST.withPriority(i % 3), 42, NOW), 0).orElseThrow();
            }
        });
        return new Result(perSecond, Arrays.asList(out));
    }

    private static double claimAndComplete(RedisJobStore store, int jobs, int workers) throws Exception {
        AtomicInteger done = new AtomicInteger();
        return run(workers, jobs, () -> {
            Optional<Claim> c;
            while (done.get() < jobs && (c = store.claimNext(Thread.currentThread().getName(), NOW, Duration.ofSeconds(30))).isPresent()) {
                store.complete(c.get().job().id(), c.get().fencingToken(), RESULT, NOW);
                done.incrementAndGet();
            }
        });
    }

    private static double rawEnqueue(RedisAsyncCommands<String, String> redis, String tag, int jobs, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong seq = new AtomicLong();
        String packed = "x".repeat(200); // about the size of the packed request above
        return run(threads, jobs, () -> {
            for (int i = next.getAndIncrement(); i < jobs; i = next.getAndIncrement()) {
                long s = seq.incrementAndGet();
                String id = "r" + i;
                String rk = String.format(Locale.ROOT, "%08x%016x%s", 0x7ffffffeL, s, id);
                List<RedisFuture<?>> f = List.of(redis.incr(tag + ":seq"),
                        redis.hset(tag + ":job:" + id, Map.of("req", packed, "st", "QUEUED", "seq", Long.toString(s), "rk", rk, "n", id)),
                        redis.zadd(tag + ":queue", 0, rk), redis.zadd(tag + ":jobs", s, id), redis.zadd(tag + ":status:QUEUED", s, id));
                await(f);
            }
        });
    }

    private static double rawClaimComplete(RedisAsyncCommands<String, String> redis, String tag, int jobs, int workers) throws Exception {
        AtomicInteger done = new AtomicInteger();
        return run(workers, jobs, () -> {
            while (done.get() < jobs) {
                List<ScoredValue<String>> popped = redis.zpopmin(tag + ":queue", 1).get(10, TimeUnit.SECONDS);
                if (popped.isEmpty()) {
                    return;
                }
                String id = popped.get(0).getValue().substring(24);
                String key = tag + ":job:" + id;
                await(List.of(redis.hset(key, Map.of("st", "PROCESSING", "started", "1", "owner", "w", "lease", "2", "tok", "3")),
                        redis.zrem(tag + ":status:QUEUED", id), redis.zadd(tag + ":status:PROCESSING", 1, id),
                        redis.zadd(tag + ":leases", 2, id), redis.incr(tag + ":token")));
                await(List.of(redis.hset(key, Map.of("st", "COMPLETED", "completed", "4", "pct", "100.0", "res", "out")),
                        redis.zrem(tag + ":status:PROCESSING", id), redis.zadd(tag + ":status:COMPLETED", 1, id),
                        redis.zrem(tag + ":leases", id), redis.zadd(tag + ":finished", 4, id)));
                done.incrementAndGet();
            }
        });
    }

    private static long[] places(RedisJobStore store, List<JobRecord> queued, int samples) {
        Random random = new Random(7);
        long[] nanos = new long[samples];
        for (int i = 0; i < samples + 2_000; i++) {
            JobRecord r = queued.get(random.nextInt(queued.size()));
            long start = System.nanoTime();
            if (!store.queuePlace(r).isQueued()) {
                throw new IllegalStateException("job " + r.id() + " is not queued");
            }
            if (i >= 2_000) {
                nanos[i - 2_000] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static void await(List<RedisFuture<?>> futures) throws Exception {
        for (RedisFuture<?> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads released together; operations per second. */
    private static double run(int threads, int operations, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    work.run();
                    return null;
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            return operations / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
