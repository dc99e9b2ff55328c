package dev.ttsqueue.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.store.redis.testing.RedisServer;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two queues (two nodes) in one JVM on one real redis-server, each with its own store instance
 * and its own gated synthetic backend: a job submitted on node A runs on node B, and A cancels
 * it, follows its events, gets its result and reads its audio. Node A's only worker is kept busy
 * by a job of its own, so the job under test can only run on B. The maintenance interval is
 * 30 s, so nothing here can be explained by polling: it comes through the change feed.
 */
class RedisQueueNodesIT {
    private static final Duration POLL_THAT_IS_NOT_USED = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final SyntheticBackend backendA = SyntheticBackend.builder().steps(4).gated().build();
    private final SyntheticBackend backendB = SyntheticBackend.builder().steps(4).gated().build();

    @AfterEach
    void closeAll() throws Exception {
        backendA.releaseAll();
        backendB.releaseAll();
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private RedisServer redis(List<String> options) throws Exception {
        RedisServer r = RedisServer.start(dir.resolve("redis"), options);
        opened.add(r);
        return r;
    }

    private TtsJobQueue node(RedisServer redis, SyntheticBackend backend) {
        RedisJobStore store = RedisJobStore.open(RedisConfig.builder(redis.uri()).outageWriteRetry(Duration.ofSeconds(60)).build());
        opened.add(store);
        TtsJobQueue queue = TtsJobQueue.builder().backend(backend).store(store)
                .audioStore(RedisAudioStore.sharing(store, Clock.systemUTC(), Duration.ofHours(1), null))
                .voiceBank(RedisVoiceBank.sharing(store))
                .maintenanceInterval(POLL_THAT_IS_NOT_USED)
                .build();
        opened.add(queue);
        return queue;
    }

    private static JobRequest say(String text) {
        return JobRequest.ttsPermanent("narrator", text);
    }

    /** Node A, its worker held by a job of its own at its first step, and node B idle. */
    private TtsJobQueue[] nodes(RedisServer redis) throws Exception {
        TtsJobQueue a = node(redis, backendA);
        a.voiceBank().save("narrator", new AudioClip(new float[2400], 24_000), "reference words");
        a.submit(say("node a keeps its worker busy"));
        assertTrue(backendA.awaitStepsEntered(1, 10, TimeUnit.SECONDS), "A's worker took its own job");
        TtsJobQueue b = node(redis, backendB);
        awaitAWorkerWaitingForWork();
        return new TtsJobQueue[] {a, b};
    }

    /**
     * Until B's worker found the queue empty and waits (A's is inside its backend): from then on
     * only a wake-up, or its poll 30 s later, makes it claim again.
     */
    private static void awaitAWorkerWaitingForWork() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (var e : Thread.getAllStackTraces().entrySet()) {
                if (e.getKey().getName().startsWith("ttsq-worker-")
                        && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith(".WakeSignal") && f.getMethodName().equals("await"))) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        throw new AssertionError("no worker came to wait for work");
    }

    @Test
    void aJobSubmittedOnANodeRunsOnAnIdleOneAndItsSubmitterFollowsItToTheEnd() throws Exception {
        TtsJobQueue[] n = nodes(redis(List.of("--save", "", "--appendonly", "no")));
        TtsJobQueue a = n[0];
        TtsJobQueue b = n[1];

        // Listening before the submit: B may claim the job and report its first step before a
        // subscription made once submit() returned.
        BlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
        a.addListener(events::add);
        JobHandle job = a.submit(say("run me elsewhere"));
        assertTrue(backendB.awaitStepsEntered(1, 5, TimeUnit.SECONDS), "B woke for the job at once, not at its next poll");
        assertEquals(List.of("run me elsewhere"), backendB.order());
        assertEquals(JobStatus.PROCESSING, a.status(job.id()).status());

        // B writes its first report at once (later ones at most twice a second): A hears of it.
        JobEvent e;
        do {
            e = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "no progress from B");
        } while (e.kind() != JobEvent.Kind.PROGRESS);
        assertEquals(JobStatus.PROCESSING, e.snapshot().status(), "progress made on B reached A");
        backendB.release(4);
        SynthesisResult result = job.result().get(10, TimeUnit.SECONDS);
        assertEquals("run me elsewhere", result.genText());
        List<JobEvent.Kind> kinds = new ArrayList<>();
        do {
            e = events.poll(10, TimeUnit.SECONDS);
            kinds.add(e.kind());
        } while (!e.kind().isTerminal());
        assertEquals(JobEvent.Kind.COMPLETED, kinds.get(kinds.size() - 1));
        assertEquals(1, kinds.stream().filter(JobEvent.Kind::isTerminal).count());
        assertEquals(b.readOutput(result.outputFileId()), a.readOutput(result.outputFileId()), "the output is A's to serve too");
        assertEquals(a.status(job.id()), b.status(job.id()));
    }

    @Test
    void aCancelOnOneNodeStopsTheJobRunningOnAnotherWithinASecond() throws Exception {
        TtsJobQueue[] n = nodes(redis(List.of("--save", "", "--appendonly", "no")));
        TtsJobQueue a = n[0];
        TtsJobQueue b = n[1];
        JobHandle job = a.submit(say("stop me"));
        assertTrue(backendB.awaitStepsEntered(1, 5, TimeUnit.SECONDS));
        // B's job waits at a gate that no step report passes, and its next lease renewal is 10 s away:
        // only the change feed can tell B in time.
        long start = System.nanoTime();
        assertTrue(a.cancel(job.id()));
        ExecutionException ended = assertThrows(ExecutionException.class, () -> job.result().get(5, TimeUnit.SECONDS));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(JobCancelledException.class, ended.getCause());
        assertEquals(JobStatus.CANCELLED, b.status(job.id()).status());
        assertTrue(millis < 1_000, "stopped " + millis + " ms after the cancel");
    }

    @Test
    void whileRedisIsDownSubmitsAreRefusedAndTheRunningJobKeepsItsResult() throws Exception {
        RedisServer redis = redis(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"));
        TtsJobQueue a = node(redis, backendA);
        a.voiceBank().save("narrator", new AudioClip(new float[2400], 24_000), "reference words");
        JobHandle running = a.submit(say("finish me through the outage"));
        assertTrue(backendA.awaitStepsEntered(1, 10, TimeUnit.SECONDS));

        redis.kill();
        StoreUnavailableException refused = assertThrows(StoreUnavailableException.class, () -> a.submit(say("not now")));
        assertTrue(refused.getMessage().contains("is not reachable"), refused.getMessage());
        backendA.release(4); // the job finishes while Redis is away: its output and completion wait
        redis.restart();

        SynthesisResult kept = running.result().get(60, TimeUnit.SECONDS);
        assertEquals(24_000, a.readOutput(kept.outputFileId()).sampleRate());
        JobHandle after = a.submit(say("the node works again without a restart"));
        backendA.release(4);
        assertEquals("the node works again without a restart", after.result().get(30, TimeUnit.SECONDS).genText());
        assertEquals(2L, a.queueStatus().counts().get(JobStatus.COMPLETED));
        assertTrue(a.audioStore().list().stream().filter(c -> c.kind() == AudioKind.OUTPUT).count() == 2, "no output was lost or doubled");
    }
}
