package dev.ttsqueue.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.JobChange;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.JobStoreContract;
import dev.ttsqueue.store.redis.testing.RedisCluster;
import dev.ttsqueue.store.redis.testing.RedisServer;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link JobStoreContract} on a real three-primary Redis Cluster, through a
 * {@code redis-cluster://} URI: the same scripts, unchanged, because every key shares one hash
 * tag. Plus the change feed and audio across two nodes of the cluster client.
 */
class RedisClusterIT extends JobStoreContract {
    private static final AtomicInteger PREFIX = new AtomicInteger();
    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(Files.createTempDirectory("ttsq-redis-cluster-"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RedisJobStore open(String prefix) {
        return RedisJobStore.open(RedisConfig.builder(cluster.uri()).keyPrefix(prefix).build());
    }

    private String prefix;

    @Override
    protected JobStore newStore() {
        prefix = "cluster-" + PREFIX.incrementAndGet();
        return open(prefix);
    }

    @Override
    protected JobStore reopen() {
        store.close();
        return open(prefix);
    }

    /** Each job is a round trip to a cluster of three on a shared machine: a tenth of the jobs, as many tenants. */
    @Override
    protected int largeQueueJobs() {
        return 10_000;
    }

    @Override
    protected boolean addsUpWorkAhead() {
        return false;
    }

    @Override
    protected int randomOperations() {
        return 300;
    }

    @Test
    void theQueueLivesInOneSlotOnOnePrimaryAndTheFeedAndAudioWorkAcrossNodes() throws Exception {
        String prefix = "cluster-nodes-" + PREFIX.incrementAndGet();
        try (RedisJobStore a = open(prefix); RedisJobStore b = open(prefix)) {
            assertTrue(a.describe().startsWith("redis-cluster://127.0.0.1:"), a.describe());
            BlockingQueue<JobChange> seen = new LinkedBlockingQueue<>();
            try (AutoCloseable s = b.subscribe(new JobChangeFeed.Listener() {
                @Override
                public void onChange(JobChange change) {
                    seen.add(change);
                }

                @Override
                public void onGap() {
                }
            })) {
                a.enqueue(JobRecord.newQueued("c1", JobRequest.ttsPermanent("v", "words"), 1, T0), 0).orElseThrow();
                JobChange change = seen.poll(10, TimeUnit.SECONDS);
                assertNotNull(change, "a change published on one primary reaches a subscriber of the cluster");
                assertEquals(JobChange.Kind.WORK_AVAILABLE, change.kind());
            }
            assertEquals("c1", b.claimNext("w", T0, Duration.ofSeconds(30)).orElseThrow().job().id());

            AudioEntry clip = RedisAudioStore.sharing(a, Clock.systemUTC(), Duration.ofHours(1), null)
                    .save(AudioKind.OUTPUT, new AudioClip(new float[2400], 24_000));
            assertEquals(clip, RedisAudioStore.sharing(b, Clock.systemUTC(), Duration.ofHours(1), null).find(clip.id()).orElseThrow());

            long holding = 0;
            for (RedisServer node : cluster.nodes()) {
                if (!node.cli("--scan", "--pattern", "{" + prefix + "}:*").isBlank()) {
                    holding++;
                }
            }
            assertEquals(1, holding, "one primary holds every key of the queue");
        }
    }
}
