package dev.ttsqueue.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobChange;
import dev.ttsqueue.spi.JobChange.Kind;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.store.redis.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change feed between two store instances (two nodes) on one real redis-server. */
class RedisChangeFeedIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Object GAP = new Object();

    @TempDir
    Path dir;
    private RedisServer redis;
    private RedisJobStore a;
    private RedisJobStore b;
    private final BlockingQueue<Object> seenByB = new LinkedBlockingQueue<>();
    private AutoCloseable subscription;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start(dir);
        a = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix("feed").build());
        b = RedisJobStore.open(RedisConfig.builder(redis.uri()).keyPrefix("feed").build());
        subscription = b.changeFeed().orElseThrow().subscribe(new JobChangeFeed.Listener() {
            @Override
            public void onChange(JobChange change) {
                seenByB.add(change);
            }

            @Override
            public void onGap() {
                seenByB.add(GAP);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        subscription.close();
        a.close();
        b.close();
        redis.close();
    }

    private Object next() throws InterruptedException {
        Object o = seenByB.poll(10, TimeUnit.SECONDS);
        assertNotNull(o, "no change arrived");
        return o;
    }

    private JobChange nextChange() throws InterruptedException {
        return (JobChange) next();
    }

    private static JobRecord queued(String id) {
        return JobRecord.newQueued(id, JobRequest.ttsPermanent("v", "words"), 1, T0);
    }

    @Test
    void anotherNodesChangesArriveInOrderWithWhatTheyCarry() throws Exception {
        a.enqueue(queued("j1"), 0).orElseThrow();
        assertEquals(JobChange.of(Kind.WORK_AVAILABLE, null, 0), nextChange(), "the first job into an empty queue wakes idle nodes");
        a.enqueue(queued("j2"), 0).orElseThrow();

        Claim c = a.claimNext("w", T0, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(JobChange.of(Kind.STARTED, "j1", c.fencingToken()), nextChange());
        assertEquals(Kind.WORK_AVAILABLE, nextChange().kind(), "j2 still waits");
        a.recordProgress("j1", c.fencingToken(), 3, 8, 37.5, T0.plusSeconds(9));
        assertEquals(new JobChange(Kind.PROGRESS, "j1", c.fencingToken(), 3, 8, 37.5, T0.plusSeconds(9)), nextChange());
        a.recordProgress("j1", c.fencingToken(), 4, 8, 50.0, null);
        assertNull(nextChange().estimatedCompletion());
        a.requestCancel("j1", T0);
        assertEquals(JobChange.of(Kind.CANCEL_REQUESTED, "j1", c.fencingToken()), nextChange());
        a.finishCancelled("j1", c.fencingToken(), T0);
        assertEquals(JobChange.of(Kind.CANCELLED, "j1", 0), nextChange());
        a.requestCancel("j2", T0);
        assertEquals(JobChange.of(Kind.CANCELLED, "j2", 0), nextChange(), "a queued job cancelled");

        a.enqueue(queued("j3"), 0).orElseThrow();
        assertEquals(Kind.WORK_AVAILABLE, nextChange().kind());
        Claim lost = a.claimNext("w", T0, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(Kind.STARTED, nextChange().kind());
        a.recoverExpiredLeases(T0.plusSeconds(31), 1);
        assertEquals(JobChange.of(Kind.FAILED, "j3", 0), nextChange(), "recovered by a node: failed after its last attempt");
        assertTrue(lost.fencingToken() > c.fencingToken());
        assertTrue(seenByB.isEmpty());
    }

    @Test
    void aNodeIsNotToldOfItsOwnChanges() throws Exception {
        b.enqueue(queued("own"), 0).orElseThrow();
        Claim c = b.claimNext("w", T0, Duration.ofSeconds(30)).orElseThrow();
        b.complete("own", c.fencingToken(), new dev.ttsqueue.SynthesisResult("o", "", "", 1, null, 1, 1, "x", null), T0);
        a.enqueue(queued("theirs"), 0).orElseThrow();
        assertEquals(JobChange.of(Kind.WORK_AVAILABLE, null, 0), nextChange(), "the first change B hears of is A's");
        assertTrue(seenByB.isEmpty());
    }

    @Test
    void afterRedisWasAwayTheListenerIsToldChangesMayHaveBeenMissed() throws Exception {
        redis.kill();
        redis.restart();
        assertEquals(GAP, next());
        RedisJobStoreIT.awaitReachable(a);
        a.enqueue(queued("after"), 0).orElseThrow();
        assertEquals(Kind.WORK_AVAILABLE, nextChange().kind(), "subscribed again by itself");
        assertEquals(List.of(), List.copyOf(seenByB));
    }
}
