package dev.ttsqueue.store.redis;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.JobStoreContract;
import dev.ttsqueue.store.redis.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared {@link JobStoreContract} against a real redis-server: one server for the class, a
 * fresh key prefix (an empty store) for every test.
 */
class RedisJobStoreContractIT extends JobStoreContract {
    private static final AtomicInteger PREFIX = new AtomicInteger();
    private static Path dir;
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        dir = Files.createTempDirectory("ttsq-redis-contract-");
        redis = RedisServer.start(dir);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private String prefix;

    @Override
    protected JobStore newStore() {
        prefix = "contract-" + PREFIX.incrementAndGet();
        return RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix(prefix).build());
    }

    /** A new connection to the same keys, as another process (or this one restarted) opens them. */
    @Override
    protected JobStore reopen() {
        store.close();
        return RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix(prefix).build());
    }

    /** ZRANK counts the jobs ahead in O(log n) but cannot add up their work. */
    @Override
    protected boolean addsUpWorkAhead() {
        return false;
    }

    /** Each operation is a round trip to Redis; a few hundred still cover every kind of step. */
    @Override
    protected int randomOperations() {
        return 600;
    }
}
