package dev.ttsqueue.internal;

import dev.ttsqueue.store.InMemoryJobStore;
import dev.ttsqueue.store.InMemoryAudioStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.FairShare;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.QueueConfig;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-job listeners must not outlive their job in the engine's maps. */
class QueueEngineListenerTest {
    private static final long WAIT_SECONDS = 30;
    private final MutableClock clock = MutableClock.at("2025-11-27T10:30:00Z");
    private QueueEngine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private QueueEngine start() {
        engine = QueueEngine.start(new QueueConfig(SyntheticBackend.builder().build(), new InMemoryJobStore(),
                new InMemoryAudioStore(clock, Duration.ofHours(24), null), null, null, 1, 100, 0, Duration.ofMinutes(10),
                Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofSeconds(5), null, Duration.ofMinutes(10), Duration.ZERO, 3,
                FairShare.EQUAL, clock, () -> 7L, List.of(), List.of()));
        return engine;
    }

    private String upload() throws Exception {
        return engine.config().audioStore().save(AudioKind.UPLOAD, new AudioClip(new float[2400], 24_000)).id();
    }

    /** Waits until the event thread handled everything queued so far. */
    private void drainEvents() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        engine.events().run(done::countDown);
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void subscribingToAFinishedJobDeliversItsEndOnceAndKeepsNothing() throws Exception {
        start();
        JobHandle h = engine.submit(JobRequest.ttsGenerate(upload(), "already done"));
        h.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        engine.addListener(h.id(), seen::add);
        drainEvents();
        assertEquals(List.of(JobEvent.Kind.COMPLETED), seen.stream().map(JobEvent::kind).toList());
        assertEquals(0, engine.events().jobsWithListeners());
    }

    @Test
    void subscribingToAnUnknownJobKeepsNothing() throws Exception {
        start();
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        engine.addListener("no-such-job", seen::add);
        engine.addListener("../not an id", seen::add);
        drainEvents();
        assertEquals(List.of(), seen);
        assertEquals(0, engine.events().jobsWithListeners());
    }

    @Test
    void listenerOfARunningJobGetsExactlyOneEndAndIsDropped() throws Exception {
        start();
        JobHandle h = engine.submit(JobRequest.ttsGenerate(upload(), "running"));
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        engine.addListener(h.id(), seen::add);
        h.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
        drainEvents();
        assertEquals(1, seen.stream().filter(e -> e.kind().isTerminal()).count());
        assertEquals(JobEvent.Kind.COMPLETED, seen.get(seen.size() - 1).kind());
        assertEquals(0, engine.events().jobsWithListeners());
    }
}
