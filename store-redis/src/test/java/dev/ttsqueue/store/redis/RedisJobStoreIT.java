package dev.ttsqueue.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStoreContract;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.store.redis.testing.RedisServer;
import dev.ttsqueue.spi.TenantCounts;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the Redis store promises beyond the shared contract: several nodes, Redis restarts and outages, credentials. */
class RedisJobStoreIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final AtomicInteger PREFIX = new AtomicInteger();

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final String prefix = "store-" + PREFIX.incrementAndGet();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private RedisServer redis(List<String> options) throws Exception {
        RedisServer r = RedisServer.start(dir.resolve("redis"), options);
        opened.add(r);
        return r;
    }

    private RedisServer redis() throws Exception {
        return redis(List.of("--save", "", "--appendonly", "no"));
    }

    private RedisJobStore node(RedisServer r) {
        return node(RedisConfig.builder(r.uri()).keyPrefix(prefix).build());
    }

    private RedisJobStore node(RedisConfig config) {
        RedisJobStore s = RedisJobStore.open(config);
        opened.add(s);
        return s;
    }

    private static JobRecord queued(String id, int priority) {
        return JobRecord.newQueued(id, JobRequest.ttsPermanent("narrator", "text of " + id).withPriority(priority), 7, T0);
    }

    private static SynthesisResult result(String output) {
        return new SynthesisResult(output, "ref", "gen", 1, "narrator", 1.5, 24_000, "synthetic", null);
    }

    @Test
    void eightClaimersOnTwoNodesClaimEveryJobExactlyOnce() throws Exception {
        RedisServer r = redis();
        RedisJobStore a = node(r);
        RedisJobStore b = node(r);
        int jobs = 2_000;
        for (int i = 0; i < jobs; i++) {
            (i % 2 == 0 ? a : b).enqueue(queued("j" + i, i % 5 - 2), 0).orElseThrow();
        }
        List<List<Claim>> perThread = JobStoreContract.inParallel(8, t -> {
            RedisJobStore mine = t % 2 == 0 ? a : b;
            List<Claim> claims = new ArrayList<>();
            Optional<Claim> c;
            while ((c = mine.claimNext("worker-" + t, T0, LEASE)).isPresent()) {
                claims.add(c.get());
                // Half the claims finish at once, as workers do, so claims and completions interleave.
                if (claims.size() % 2 == 0) {
                    assertTrue(mine.complete(c.get().job().id(), c.get().fencingToken(), result("o-" + c.get().job().id()), T0));
                }
            }
            return claims;
        });
        Set<String> ids = new HashSet<>();
        Set<Long> tokens = new HashSet<>();
        int claims = 0;
        for (List<Claim> list : perThread) {
            int previousPriority = Integer.MAX_VALUE;
            for (Claim c : list) {
                claims++;
                assertTrue(ids.add(c.job().id()), "claimed twice: " + c.job().id());
                assertTrue(tokens.add(c.fencingToken()), "token handed out twice: " + c.fencingToken());
                assertTrue(c.job().priority() <= previousPriority, "each claimer sees run order");
                previousPriority = c.job().priority();
            }
        }
        assertEquals(jobs, claims, "none lost");
        assertEquals(0L, a.counts().get(JobStatus.QUEUED));
        assertEquals((long) jobs, a.counts().get(JobStatus.PROCESSING) + a.counts().get(JobStatus.COMPLETED));
        assertEquals(b.counts(), a.counts(), "both nodes see the same counts");
    }

    @Test
    void aSubmitLearnsItsPlaceFromTheEnqueueAndEveryOtherAskIsAnsweredByRedis() throws Exception {
        RedisServer r = redis();
        RedisJobStore a = node(r);
        RedisJobStore b = node(r);
        JobRecord first = a.enqueue(queued("first", 0), 0).orElseThrow();
        JobRecord second = a.enqueue(queued("second", 0), 0).orElseThrow();
        assertEquals(2, a.queuePlace(second).position(), "the place the enqueue read");
        JobRecord urgent = b.enqueue(queued("urgent", 9), 0).orElseThrow();
        assertEquals(1, b.queuePlace(urgent).position());
        assertEquals(3, a.queuePlace(second).position(), "asked again, Redis answers: a later job went ahead");
        assertEquals(2, a.queuePlace(first).position());

        JobRecord third = a.enqueue(queued("third", 0), 0).orElseThrow();
        assertEquals(2, a.queuePlace(first).position(), "a place for another job drops the enqueue's");
        b.enqueue(queued("later-urgent", 8), 0).orElseThrow();
        assertEquals(5, a.queuePlace(third).position(), "not the place the enqueue read (4): it was dropped");
    }

    @Test
    void enqueuesThatWaitedGoAsOneScriptAndEachIsAnsweredAsItsOwnScriptWouldHave() throws Exception {
        RedisServer r = redis();
        // Long enough a command timeout that the scripts Redis holds while paused do not time out.
        RedisJobStore s = node(RedisConfig.builder(r.uri()).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(30)).build());
        s.enqueue(queued("before", 0), 0).orElseThrow();
        r.cli("CONFIG", "RESETSTAT");
        // Redis holds every script until unpaused: two groups go out (the most at once), the
        // enqueues after them wait, and go together when the first group is answered.
        r.cli("CLIENT", "PAUSE", "30000", "WRITE");
        // Each call also asks for its job's place on its own thread: the place the script answered.
        List<CompletableFuture<Optional<Placed>>> calls = new ArrayList<>();
        String[] ids = {"a", "b", "urgent", "before", "urgent", "limited", "last", "after-last"};
        int[] priorities = {0, 0, 5, 0, 1, 0, 0, 0};
        int[] limits = {0, 0, 0, 0, 0, 4, 0, 0};
        for (int i = 0; i < ids.length; i++) {
            JobRecord job = queued(ids[i], priorities[i]);
            int limit = limits[i];
            calls.add(CompletableFuture.supplyAsync(() -> s.enqueue(job, limit).map(j -> new Placed(j, s.queuePlace(j).position()))));
            int[] expected = i < 2 ? new int[] {i + 1, 0} : new int[] {2, i - 1};
            awaitGroups(s, expected);
        }
        r.cli("CLIENT", "UNPAUSE");

        Placed a = calls.get(0).get(10, TimeUnit.SECONDS).orElseThrow();
        Placed b = calls.get(1).get(10, TimeUnit.SECONDS).orElseThrow();
        Placed urgent = calls.get(2).get(10, TimeUnit.SECONDS).orElseThrow();
        assertEquals(2, a.place());
        assertEquals(3, b.place());
        assertEquals(1, urgent.place(), "the place its script read, ahead of the three queued");
        for (int duplicate : new int[] {3, 4}) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> calls.get(duplicate).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalArgumentException && e.getCause().getMessage().contains("already exists"),
                    "an id taken before, or earlier in the same group: " + e.getCause());
        }
        assertEquals(Optional.empty(), calls.get(5).get(10, TimeUnit.SECONDS), "four queued when its turn came: full");
        Placed last = calls.get(6).get(10, TimeUnit.SECONDS).orElseThrow();
        assertEquals(5, last.place());
        Placed afterLast = calls.get(7).get(10, TimeUnit.SECONDS).orElseThrow();
        assertEquals(6, afterLast.place());
        long cost = dev.ttsqueue.spi.VirtualTime.cost(1);
        assertEquals(b.job().virtualStart() + cost, last.job().virtualStart(), "after the tail of its lane, queued by another script");
        assertEquals(last.job().virtualStart() + cost, afterLast.job().virtualStart(),
                "after the job queued before it in the same script");
        assertTrue(r.cli("INFO", "commandstats").contains("cmdstat_evalsha:calls=3,"),
                "a, b, then the six that waited in one script: " + r.cli("INFO", "commandstats"));
        assertTrue(a.job().sequence() < urgent.job().sequence() && b.job().sequence() < urgent.job().sequence()
                && urgent.job().sequence() < last.job().sequence(),
                "sequences in the order the scripts ran");
        assertEquals(List.of("urgent", "before", "a", "b", "last", "after-last"), s.queuedInRunOrder(10).stream().map(JobRecord::id).toList());
        assertEquals(6, s.counts().get(JobStatus.QUEUED).intValue());
    }

    private record Placed(JobRecord job, int place) {
    }

    private static void awaitGroups(RedisJobStore s, int[] outAndWaiting) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!java.util.Arrays.equals(s.enqueueGroupsOutAndWaiting(), outAndWaiting)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("groups out and enqueues waiting: " + java.util.Arrays.toString(s.enqueueGroupsOutAndWaiting())
                        + ", not " + java.util.Arrays.toString(outAndWaiting));
            }
            Thread.sleep(1);
        }
    }

    @Test
    void everyKeyLivesUnderTheHashTagOfItsPrefix() throws Exception {
        RedisServer r = redis();
        RedisJobStore s = node(r);
        s.enqueue(queued("a", 0), 0).orElseThrow();
        s.enqueue(queued("b", 0), 0).orElseThrow();
        Claim c = s.claimNext("w", T0, LEASE).orElseThrow();
        s.complete(c.job().id(), c.fencingToken(), result("o"), T0);
        RedisAudioStore.sharing(s, Clock.systemUTC(), Duration.ofHours(1), null).save(AudioKind.UPLOAD, new AudioClip(new float[10], 8000));
        RedisVoiceBank.sharing(s).save("anna", new AudioClip(new float[10], 8000), "words");

        String[] keys = r.cli("--scan").split("\n");
        assertTrue(keys.length >= 10, "keys: " + String.join(", ", keys));
        for (String key : keys) {
            assertTrue(key.startsWith("{" + prefix + "}:"), key + " is outside the hash tag");
        }
        assertEquals(1, new HashSet<>(List.of(r.cli("CLUSTER", "KEYSLOT", keys[0]).split("\n"))).size());
    }

    @Test
    void scriptsAreSentAgainWhenRedisForgotThem() throws Exception {
        RedisServer r = redis();
        RedisJobStore s = node(r);
        s.enqueue(queued("a", 0), 0).orElseThrow();
        r.cli("SCRIPT", "FLUSH");
        s.enqueue(queued("b", 1), 0).orElseThrow();
        assertEquals("b", s.claimNext("w", T0, LEASE).orElseThrow().job().id());
        assertEquals(2, s.queuePosition("a") + s.counts().get(JobStatus.PROCESSING).intValue());
    }

    @Test
    void aRepeatedEndOfRunWriteAnswersAsTheFirstAndNoOtherDoes() throws Exception {
        RedisJobStore s = node(redis());
        s.enqueue(queued("a", 0), 0).orElseThrow();
        Claim c = s.claimNext("w", T0, LEASE).orElseThrow();
        Instant end = T0.plusSeconds(5);

        assertTrue(s.complete("a", c.fencingToken(), result("out"), end));
        assertTrue(s.complete("a", c.fencingToken(), result("out"), end), "the same write resent after a lost answer");
        assertFalse(s.complete("a", c.fencingToken(), result("other"), end));
        assertFalse(s.complete("a", c.fencingToken(), result("out"), end.plusMillis(1)));
        assertFalse(s.fail("a", c.fencingToken(), "late", end));
        assertEquals("out", s.get("a").orElseThrow().result().outputFileId());
    }

    @Test
    void fencingTokensKeepGrowingAfterRedisLostEverything() throws Exception {
        RedisServer r = redis();
        RedisJobStore s = node(r);
        s.enqueue(queued("a", 0), 0).orElseThrow();
        long before = s.claimNext("w", T0, LEASE).orElseThrow().fencingToken();

        r.kill();
        r.restart(); // no persistence: the token counter starts from nothing
        awaitReachable(s);
        s.enqueue(queued("b", 0), 0).orElseThrow();
        long after = s.claimNext("w", T0, LEASE).orElseThrow().fencingToken();

        assertTrue(after > before, "token " + after + " after " + before + ": a worker holding the old claim could complete the new one");
    }

    @Test
    void passwordsWorkAndAreNeverShown() throws Exception {
        String password = "s3cret-Pa55";
        RedisServer r = redis(List.of("--save", "", "--appendonly", "no", "--requirepass", password));
        String uri = "redis://:" + password + "@127.0.0.1:" + r.port() + "/0";
        RedisConfig config = RedisConfig.builder(uri).keyPrefix(prefix).build();

        RedisJobStore s = node(config);
        s.enqueue(queued("a", 0), 0).orElseThrow();
        assertEquals("redis://127.0.0.1:" + r.port() + "/0 keys {" + prefix + "}", s.describe());
        assertFalse(config.toString().contains(password), config.toString());
        assertEquals("redis://:****@127.0.0.1:" + r.port() + "/0", config.redactedUri());

        String wrong = "redis://:not-" + password + "@127.0.0.1:" + r.port() + "/0";
        RedisStoreException refused = assertThrows(RedisStoreException.class, () -> node(RedisConfig.builder(wrong).build()));
        assertFalse(refused.getMessage().contains(password), refused.getMessage());
        assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        RedisStoreException noPassword = assertThrows(RedisStoreException.class, () -> node(RedisConfig.builder(r.uri()).build()));
        assertTrue(noPassword.getMessage().contains("check the user and password"), noPassword.getMessage());
    }

    @Test
    void aRedisThatIsNotThereIsReportedUnavailableAtOnce() throws Exception {
        RedisServer r = redis();
        int port = r.port();
        r.kill();
        long start = System.nanoTime();
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                () -> node(RedisConfig.builder("redis://127.0.0.1:" + port + "/0").build()));
        assertTrue(e.getMessage().startsWith("Redis at redis://127.0.0.1:" + port + "/0 is not reachable"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void duringAnOutageWritesFailAtOnceButTheEndOfARunWaitsForRedis() throws Exception {
        RedisServer r = redis(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"));
        RedisJobStore s = node(RedisConfig.builder(r.uri()).keyPrefix(prefix).outageWriteRetry(Duration.ofSeconds(60)).build());
        s.enqueue(queued("running", 0), 0).orElseThrow();
        Claim c = s.claimNext("w", T0, LEASE).orElseThrow();

        r.kill();
        long start = System.nanoTime();
        assertThrows(StoreUnavailableException.class, () -> s.enqueue(queued("during", 0), 0));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "refused without waiting for a timeout");
        assertEquals(LeaseState.HELD, s.recordProgress("running", c.fencingToken(), 1, 2, 50.0, null), "the job runs on");
        CompletableFuture<Boolean> completion = CompletableFuture.supplyAsync(
                () -> s.complete("running", c.fencingToken(), result("kept"), T0.plusSeconds(1)));
        assertFalse(completion.isDone());

        r.restart();
        assertTrue(completion.get(60, TimeUnit.SECONDS), "the completion went through once Redis was back");
        JobRecord done = s.get("running").orElseThrow();
        assertEquals(JobStatus.COMPLETED, done.status());
        assertEquals("kept", done.result().outputFileId());
        assertTrue(s.get("during").isEmpty(), "the refused submission left nothing behind");
    }

    @Test
    void purgeDeletesInBatchesUntilNothingIsLeft() throws Exception {
        RedisJobStore s = node(redis());
        int jobs = 450;
        for (int i = 0; i < jobs; i++) {
            s.enqueue(queued("p" + i, 0), 0).orElseThrow();
            Claim c = s.claimNext("w", T0, LEASE).orElseThrow();
            s.fail(c.job().id(), c.fencingToken(), "x", T0.plusMillis(i));
        }
        s.enqueue(queued("stays", 0), 0).orElseThrow();

        assertEquals(jobs, s.purgeFinishedBefore(T0.plusSeconds(1)).size());
        assertEquals(0L, s.counts().get(JobStatus.FAILED));
        assertEquals(List.of("stays"), s.list(null, 10).stream().map(JobRecord::id).toList());
    }

    @Test
    void aSentinelUriFindsTheCurrentPrimary() throws Exception {
        RedisServer primary = redis();
        RedisServer sentinel = RedisServer.sentinel(dir.resolve("sentinel"), primary, "queue-primary");
        opened.add(sentinel);
        RedisJobStore s = node(RedisConfig.builder("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#queue-primary")
                .keyPrefix(prefix).build());
        assertEquals("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#queue-primary keys {" + prefix + "}", s.describe());
        s.enqueue(queued("via-sentinel", 0), 0).orElseThrow();
        assertEquals("via-sentinel", node(primary).claimNext("w", T0, LEASE).orElseThrow().job().id(), "written to the primary");
    }

    /** Polls until the store answers again (Lettuce reconnects on its own schedule). */
    static void awaitReachable(RedisJobStore s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                s.counts();
                return;
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    @Test
    void jobsStoredBeforeTenantsBecomeTheAnonymousTenantsInTheirOrder() throws Exception {
        RedisServer r = redis();
        RedisJobStore first = node(r);
        first.enqueue(queued("old-low", 0), 0).orElseThrow();
        first.enqueue(queued("old-high", 5), 0).orElseThrow();
        first.enqueue(queued("old-low-2", 0), 0).orElseThrow();
        first.enqueue(queued("old-running", 9), 0).orElseThrow();
        assertEquals("old-running", first.claimNext("w", T0, LEASE).orElseThrow().job().id());
        // Turn the keys back into the layout of a store written before tenants: run keys without a
        // virtual start, no fair-share fields, clocks, lanes or per-tenant counters.
        RedisClusterCommands<String, String> redis = first.link().text();
        String p = "{" + prefix + "}:";
        for (String id : List.of("old-low", "old-high", "old-low-2", "old-running")) {
            String key = p + "job:" + id;
            String rk = redis.hget(key, "rk");
            String oldRk = rk.substring(0, 8) + rk.substring(24);
            if (redis.zrem(p + "queue", rk) == 1) {
                redis.zadd(p + "queue", 0, oldRk);
            }
            redis.hset(key, "rk", oldRk);
            redis.hdel(key, "tn", "w", "vs", "vf");
        }
        for (String k : redis.keys(p + "lane:*")) {
            redis.del(k);
        }
        redis.del(p + "layout", p + "vtime", p + "tenant-finish", p + "tenant-queued", p + "tenant-processing");
        first.close();

        RedisJobStore store = node(r);
        assertEquals("2", redis(store).get(p + "layout"));
        assertEquals(new TenantCounts(3, 1), store.tenantCounts(JobRequest.ANONYMOUS_TENANT));
        assertEquals(List.of("old-high", "old-low", "old-low-2"), store.queuedInRunOrder(10).stream().map(JobRecord::id).toList());
        assertEquals(JobRequest.ANONYMOUS_TENANT, store.get("old-low").orElseThrow().tenant());
        assertEquals(2, store.queuePosition("old-low"));
        store.enqueue(JobRecord.newQueued("new-tenant", JobRequest.ttsPermanent("v", "hi").withTenant("acme"), 1, T0), 0)
                .orElseThrow();
        store.enqueue(queued("new-anonymous", 0), 0).orElseThrow();
        // The running job comes back to a place of the new form, ahead of its priority's others.
        assertEquals(List.of("old-running"), store.recoverExpiredLeases(T0.plus(LEASE), 3).stream().map(JobRecord::id).toList());
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(store.claimNext("w", T0, LEASE).orElseThrow().job().id());
        }
        assertEquals(List.of("old-running", "old-high", "old-low", "new-tenant", "old-low-2", "new-anonymous"), order);
        assertEquals(new TenantCounts(0, 5), store.tenantCounts(JobRequest.ANONYMOUS_TENANT));
        assertEquals(new TenantCounts(0, 1), store.tenantCounts("acme"));
        assertTrue(store.claimNext("w", T0, LEASE).isEmpty());
    }

    private static RedisClusterCommands<String, String> redis(RedisJobStore store) {
        return store.link().text();
    }
}
