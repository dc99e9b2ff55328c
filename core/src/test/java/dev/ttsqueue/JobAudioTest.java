package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.testing.SyntheticBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link JobHandle#audio()}: pieces as they are made, for early and late subscribers alike. */
class JobAudioTest {
    private SyntheticBackend backend;
    private TtsJobQueue queue;

    private TtsJobQueue start(SyntheticBackend b) {
        backend = b;
        queue = TtsJobQueue.builder().backend(b).maintenanceInterval(Duration.ofMillis(10)).closeGracePeriod(Duration.ZERO).build();
        return queue;
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.releaseAll();
        }
        if (queue != null) {
            queue.close();
        }
    }

    /** Records what a publisher delivers; requests {@code initial} pieces, more with {@link #request}. */
    private static final class Listener implements Flow.Subscriber<AudioClip> {
        final BlockingQueue<AudioClip> pieces = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> end = new LinkedBlockingQueue<>();
        private final long initial;
        private volatile Flow.Subscription subscription;

        Listener(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(initial);
        }

        @Override
        public void onNext(AudioClip item) {
            pieces.add(item);
        }

        @Override
        public void onError(Throwable t) {
            end.add(t);
        }

        @Override
        public void onComplete() {
            end.add("complete");
        }

        void request(long n) {
            subscription.request(n);
        }

        AudioClip next() throws InterruptedException {
            AudioClip piece = pieces.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(piece, "no piece arrived");
            return piece;
        }

        Object awaitEnd() throws InterruptedException {
            Object e = end.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(e, "the feed did not end");
            return e;
        }
    }

    private static float[] concat(List<AudioClip> clips) {
        int n = clips.stream().mapToInt(AudioClip::length).sum();
        float[] out = new float[n];
        int at = 0;
        for (AudioClip c : clips) {
            System.arraycopy(c.samples(), 0, out, at, c.length());
            at += c.length();
        }
        return out;
    }

    @Test
    void piecesArriveAsTheyAreMadeAndLateSubscribersGetThemFromTheFirst() throws Exception {
        start(SyntheticBackend.builder().steps(4).streams().gated().build());
        JobHandle job = queue.submit(JobRequest.ttsGenerate(upload(queue), "a sentence long enough to hear"));
        Listener early = new Listener(Long.MAX_VALUE);
        job.audio().subscribe(early);
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        backend.release(1);
        AudioClip first = early.next();
        assertTrue(first.length() > 0);
        assertNull(early.end.poll(), "the job still runs");
        assertEquals(JobStatus.PROCESSING, queue.status(job.id()).status());

        Listener late = new Listener(Long.MAX_VALUE);
        job.audio().subscribe(late);
        List<AudioClip> lateAll = new ArrayList<>(List.of(late.next()));
        assertArrayEquals(first.samples(), lateAll.get(0).samples(), "a late subscriber starts from the first piece");

        backend.release(3);
        SynthesisResult result = await(job);
        List<AudioClip> all = new ArrayList<>(List.of(first));
        for (int i = 0; i < 3; i++) {
            all.add(early.next());
        }
        assertEquals("complete", early.awaitEnd());
        float[] output = queue.readOutput(result.outputFileId()).samples();
        assertArrayEquals(output, concat(all), 1e-4f, "the pieces are the output (as stored, 16-bit)");
        for (int i = 0; i < 3; i++) {
            lateAll.add(late.next());
        }
        assertEquals("complete", late.awaitEnd());
        assertArrayEquals(concat(all), concat(lateAll));
    }

    @Test
    void aSubscriberGetsNoMoreThanItAskedFor() throws Exception {
        start(SyntheticBackend.builder().steps(4).streams().gated().build());
        Listener slow = new Listener(1);
        JobHandle job = queue.submit(JobRequest.ttsGenerate(upload(queue), "four pieces of audio"));
        job.audio().subscribe(slow); // before the job can end: it waits for its steps
        backend.release(4);
        await(job);
        slow.next();
        assertNull(slow.pieces.poll(200, TimeUnit.MILLISECONDS), "one asked, one given");
        slow.request(10);
        for (int i = 0; i < 3; i++) {
            slow.next();
        }
        assertEquals("complete", slow.awaitEnd());
    }

    @Test
    void aCompletedJobGivesItsOutputAsOnePiece() throws Exception {
        start(SyntheticBackend.builder().steps(2).streams().build());
        JobHandle job = queue.submit(JobRequest.ttsGenerate(upload(queue), "already said"));
        SynthesisResult r = await(job);
        Listener after = new Listener(Long.MAX_VALUE);
        queue.handle(job.id()).audio().subscribe(after);
        assertArrayEquals(queue.readOutput(r.outputFileId()).samples(), after.next().samples());
        assertEquals("complete", after.awaitEnd());
    }

    @Test
    void aBackendThatHandsOutNoPiecesOrSilenceRemovalGivesTheWholeOutputAtTheEnd() throws Exception {
        start(SyntheticBackend.builder().steps(3).gated().build());
        String ref = upload(queue);
        JobHandle plain = queue.submit(JobRequest.ttsGenerate(ref, "no pieces"));
        Listener l = new Listener(Long.MAX_VALUE);
        plain.audio().subscribe(l);
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        backend.release(3);
        SynthesisResult r = await(plain);
        assertArrayEquals(queue.readOutput(r.outputFileId()).samples(), l.next().samples(), 1e-4f);
        assertEquals("complete", l.awaitEnd());
    }

    @Test
    void piecesOfAJobThatRemovesSilenceAreNotHandedOutEarly() throws Exception {
        start(SyntheticBackend.builder().steps(3).streams().gated().build());
        JobHandle job = queue.submit(JobRequest.ttsGenerate(upload(queue), "trimmed at the end")
                .settings(InferenceSettings.defaults().withRemoveSilence(true)));
        Listener l = new Listener(Long.MAX_VALUE);
        job.audio().subscribe(l);
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        backend.release(2);
        assertTrue(backend.awaitStepsEntered(2, WAIT_SECONDS, TimeUnit.SECONDS));
        assertNull(l.pieces.poll(100, TimeUnit.MILLISECONDS), "silence removal runs on the whole output");
        backend.release(1);
        SynthesisResult r = await(job);
        assertArrayEquals(queue.readOutput(r.outputFileId()).samples(), l.next().samples(), 1e-4f);
        assertEquals("complete", l.awaitEnd());
    }

    @Test
    void aQueuedJobsFeedStartsWhenItRuns() throws Exception {
        start(SyntheticBackend.builder().steps(2).streams().gated().build());
        String ref = upload(queue);
        JobHandle first = queue.submit(JobRequest.ttsGenerate(ref, "first"));
        JobHandle second = queue.submit(JobRequest.ttsGenerate(ref, "second job"));
        Listener l = new Listener(Long.MAX_VALUE);
        second.audio().subscribe(l);
        backend.release(4);
        await(first);
        SynthesisResult r = await(second);
        List<AudioClip> got = List.of(l.next(), l.next());
        assertEquals("complete", l.awaitEnd());
        assertArrayEquals(queue.readOutput(r.outputFileId()).samples(), concat(got), 1e-4f);
    }

    @Test
    void failedCancelledAndClosedJobsEndTheirFeedWithTheirReason() throws Exception {
        start(SyntheticBackend.builder().steps(2).streams().gated().build());
        String ref = upload(queue);
        JobHandle failing = queue.submit(JobRequest.ttsGenerate(ref, "boom " + SyntheticBackend.FAIL_MARKER));
        Listener f = new Listener(Long.MAX_VALUE);
        failing.audio().subscribe(f);
        assertInstanceOf(JobFailedException.class, f.awaitEnd());

        JobHandle cancelled = queue.submit(JobRequest.ttsGenerate(ref, "cancelled while it runs"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        Listener c = new Listener(Long.MAX_VALUE);
        cancelled.audio().subscribe(c);
        assertTrue(queue.cancel(cancelled.id()));
        assertInstanceOf(JobCancelledException.class, c.awaitEnd());
        Listener afterwards = new Listener(Long.MAX_VALUE);
        cancelled.audio().subscribe(afterwards);
        assertInstanceOf(JobCancelledException.class, afterwards.awaitEnd());

        JobHandle running = queue.submit(JobRequest.ttsGenerate(ref, "still running at close"));
        assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
        Listener r = new Listener(Long.MAX_VALUE);
        running.audio().subscribe(r);
        queue.close();
        assertInstanceOf(QueueClosedException.class, r.awaitEnd());
        assertThrows(JobNotFoundException.class, () -> queue.handle("no-such-job").audio());
    }
}
