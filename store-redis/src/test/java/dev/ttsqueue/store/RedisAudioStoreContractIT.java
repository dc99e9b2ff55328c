package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.store.redis.RedisAudioStore;
import dev.ttsqueue.store.redis.RedisConfig;
import dev.ttsqueue.store.redis.RedisJobStore;
import dev.ttsqueue.store.redis.testing.RedisServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared audio store rules ({@link AudioStoreContract}, in this package because the contract
 * is package-private in core's tests) against a real redis-server, plus what only a shared store
 * promises: a clip saved through one node's store is read through another's.
 */
class RedisAudioStoreContractIT extends AudioStoreContract {
    private static final AtomicInteger PREFIX = new AtomicInteger();
    private static RedisServer redis;
    private final List<RedisJobStore> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start(Files.createTempDirectory("ttsq-redis-audio-"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisJobStore::close);
    }

    private String prefix = "audio-" + PREFIX.incrementAndGet();

    private RedisJobStore node() {
        RedisJobStore s = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix(prefix).build());
        opened.add(s);
        return s;
    }

    @Override
    AudioStore create(Clock clock, Duration uploadTtl, Duration outputTtl) {
        return RedisAudioStore.sharing(node(), clock, uploadTtl, outputTtl);
    }

    @Test
    void aClipSavedOnOneNodeIsServedByAnother() throws Exception {
        AudioStore a = RedisAudioStore.sharing(node(), clock, UPLOAD_TTL, null);
        AudioStore b = RedisAudioStore.sharing(node(), clock, UPLOAD_TTL, null);
        AudioEntry saved = a.save(AudioKind.OUTPUT, tone(24_000, 24_000));

        assertEquals(saved, b.find(saved.id()).orElseThrow());
        assertEquals(a.load(saved.id()), b.load(saved.id()));
        try (InputStream in = b.open(saved.id())) {
            assertEquals(saved.sizeBytes(), in.readAllBytes().length);
        }
        assertNull(saved.path(), "no file on any node's disk");
        assertTrue(b.roots().isEmpty());
        assertTrue(b.delete(saved.id()));
        assertTrue(a.find(saved.id()).isEmpty());
    }

    @Test
    void redisItselfDropsAClipAnHourAfterItExpired() throws Exception {
        AudioStore store = create(clock, Duration.ofMinutes(10), null);
        AudioEntry e = store.save(AudioKind.UPLOAD, tone(8000, 10));
        long ttlMillis = Long.parseLong(redis.cli("PTTL", "{" + prefix + "}:audio:" + e.id()));
        long expected = Duration.ofMinutes(70).toMillis();
        assertTrue(ttlMillis > expected - 60_000 && ttlMillis <= expected, "PTTL " + ttlMillis);
        AudioEntry kept = store.save(AudioKind.OUTPUT, tone(8000, 10));
        assertEquals("-1", redis.cli("PTTL", "{" + prefix + "}:audio:" + kept.id()), "outputs without a TTL have none in Redis");
    }
}
