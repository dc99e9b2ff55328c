package dev.ttsqueue.internal;

import dev.ttsqueue.store.DirectoryVoiceBank;
import dev.ttsqueue.store.InMemoryAudioStore;
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
import dev.ttsqueue.JobType;
import dev.ttsqueue.QueueMetricsListener;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.testing.SharedMemoryStore;
import dev.ttsqueue.testing.SyntheticBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two queues ("nodes") on one shared store with a change feed: what each does with the other's
 * changes. Node A's only worker is held by a job of its own, so jobs submitted later run on B.
 * Maintenance (lease renewal, polling) runs once an hour, so nothing here comes from it.
 */
class RemoteChangesTest {
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path dir;
    private final SharedMemoryStore shared = new SharedMemoryStore();
    private final SyntheticBackend backendA = SyntheticBackend.builder().steps(4).gated().build();
    private final SyntheticBackend backendB = SyntheticBackend.builder().steps(4).gated().build();
    private final AtomicInteger finishedCountedByA = new AtomicInteger();
    private final List<TtsJobQueue> queues = new ArrayList<>();
    private TtsJobQueue a;
    private TtsJobQueue b;

    @BeforeEach
    void twoNodes() throws Exception {
        AudioStore audio = new InMemoryAudioStore(Clock.systemUTC(), null, null); // stands in for shared audio
        VoiceBank voices = new DirectoryVoiceBank(dir.resolve("voices"));
        voices.save("narrator", new AudioClip(new float[2400], 24_000), "words");
        a = node(backendA, audio, voices, new QueueMetricsListener() {
            @Override
            public void jobFinished(JobType type, JobStatus status, Duration runTime, double audioSeconds) {
                finishedCountedByA.incrementAndGet();
            }
        });
        a.submit(JobRequest.ttsPermanent("narrator", "A's own job"));
        assertTrue(backendA.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        b = node(backendB, audio, voices, new QueueMetricsListener() {
        });
    }

    private TtsJobQueue node(SyntheticBackend backend, AudioStore audio, VoiceBank voices, QueueMetricsListener metrics) {
        TtsJobQueue q = TtsJobQueue.builder().backend(backend).store(shared.node()).audioStore(new Unclosed(audio)).voiceBank(voices)
                .maintenanceInterval(NEVER).metricsListener(metrics).build();
        queues.add(q);
        return q;
    }

    @AfterEach
    void close() {
        backendA.releaseAll();
        backendB.releaseAll();
        queues.forEach(TtsJobQueue::close);
    }

    @Test
    void anIdleNodeWakesForWorkQueuedElsewhereAndItsSubmitterFollowsTheJobToItsEnd() throws Exception {
        // Listening on A before the job exists: B may claim it and report before a subscription made
        // after submit() returned, and that first report is the one this test waits for.
        BlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
        String[] id = new String[1];
        CountDownLatch submitted = new CountDownLatch(1);
        a.addListener(e -> {
            try {
                submitted.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (e.jobId().equals(id[0])) {
                events.add(e);
            }
        });
        JobHandle job = a.submit(JobRequest.ttsPermanent("narrator", "run on B"));
        id[0] = job.id();
        submitted.countDown();
        assertTrue(backendB.awaitStepsEntered(1, 10, TimeUnit.SECONDS), "B woke without polling");
        // B writes its first report at once (later ones at most twice a second): A hears of it.
        JobEvent e;
        do {
            e = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "no progress from B");
        } while (e.kind() != JobEvent.Kind.PROGRESS);
        assertEquals(JobStatus.PROCESSING, e.snapshot().status());
        assertEquals(4, e.progress().stepsTotal());
        backendB.release(4);

        SynthesisResult result = job.result().get(10, TimeUnit.SECONDS);
        assertEquals("run on B", result.genText());
        List<JobEvent.Kind> kinds = new ArrayList<>();
        do {
            e = events.poll(10, TimeUnit.SECONDS);
            kinds.add(e.kind());
        } while (!e.kind().isTerminal());
        assertEquals(JobEvent.Kind.COMPLETED, kinds.get(kinds.size() - 1));
        assertEquals(1, kinds.stream().filter(JobEvent.Kind::isTerminal).count());
        assertEquals(JobStatus.COMPLETED, e.snapshot().status());
        assertEquals(0, finishedCountedByA.get(), "A counts only the jobs it ran");
        assertEquals(0, a.queueStatus().counts().get(JobStatus.QUEUED));
    }

    @Test
    void aCancelAskedOnOneNodeStopsTheJobOnTheOtherAtOnce() throws Exception {
        JobHandle job = a.submit(JobRequest.ttsPermanent("narrator", "stop me"));
        assertTrue(backendB.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        assertTrue(a.cancel(job.id()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> job.result().get(10, TimeUnit.SECONDS));
        assertInstanceOf(JobCancelledException.class, e.getCause());
        assertEquals(JobStatus.CANCELLED, b.status(job.id()).status());
    }

    @Test
    void afterAGapTheJobsANodeWaitsForAreReadAgain() throws Exception {
        JobHandle job = a.submit(JobRequest.ttsPermanent("narrator", "ends unseen"));
        assertTrue(backendB.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        BlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
        a.subscribe(job.id(), events::add);
        shared.disconnect();
        backendB.release(4);
        b.handle(job.id()).result().get(10, TimeUnit.SECONDS); // B, which ran it, saw it end
        assertTrue(!job.result().isDone(), "A heard nothing of the end");

        shared.reconnect();
        assertEquals("ends unseen", job.result().get(10, TimeUnit.SECONDS).genText());
        JobEvent last;
        do {
            last = events.poll(10, TimeUnit.SECONDS);
        } while (!last.kind().isTerminal());
        assertEquals(JobEvent.Kind.COMPLETED, last.kind());
    }

    /** The audio store both nodes use; the test closes it, not each queue. */
    private static final class Unclosed implements AudioStore {
        private final AudioStore delegate;

        Unclosed(AudioStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public dev.ttsqueue.spi.AudioEntry save(dev.ttsqueue.spi.AudioKind kind, AudioClip clip) throws java.io.IOException {
            return delegate.save(kind, clip);
        }

        @Override
        public java.util.Optional<dev.ttsqueue.spi.AudioEntry> find(String id) {
            return delegate.find(id);
        }

        @Override
        public AudioClip load(String id) throws java.io.IOException {
            return delegate.load(id);
        }

        @Override
        public java.io.InputStream open(String id) throws java.io.IOException {
            return delegate.open(id);
        }

        @Override
        public boolean delete(String id) throws java.io.IOException {
            return delegate.delete(id);
        }

        @Override
        public List<dev.ttsqueue.spi.AudioEntry> list() {
            return delegate.list();
        }

        @Override
        public int purgeExpired(java.time.Instant now) throws java.io.IOException {
            return delegate.purgeExpired(now);
        }
    }
}
