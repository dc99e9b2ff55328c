package dev.ttsqueue.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobFailedException;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobNotCompletedException;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobQueue;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.QueueFullException;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One set of scenarios, written against {@link JobQueue} only, run on the embedded queue and on
 * the client of the real server in front of the same kind of queue: both must answer alike, down
 * to the exception types, the values in snapshots and the order of events. This is what lets code
 * move between the two by changing how the queue is made.
 */
class JobQueueContractTest {
    private static final long T = QueueFixture.TIMEOUT_S;

    @TempDir
    Path dir;
    private QueueFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    private JobQueue start(QueueFixture.Kind kind) throws Exception {
        f = QueueFixture.start(kind, dir);
        return f.queue();
    }

    private static AudioClip reference() {
        return AudioClip.silence(24_000, 12_000);
    }

    /** A job that holds the only worker until the test releases the gate. */
    private JobHandle blocker(JobQueue q, String ref) throws InterruptedException {
        JobHandle h = q.submit(JobRequest.ttsGenerate(ref, "blocker").refText("ref"));
        f.awaitSteps(1);
        return h;
    }

    private static <T> Throwable failure(CompletableFuture<T> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(T, TimeUnit.SECONDS));
        return e.getCause();
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void aJobsAudioArrivesWhileItRunsAndIsItsOutput(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        JobHandle job = q.submit(JobRequest.voiceCloning(q.uploadReference(reference()), "Four steps, four pieces").refText("A reference."));
        BlockingQueue<AudioClip> pieces = new LinkedBlockingQueue<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        job.audio().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(AudioClip item) {
                pieces.add(item);
            }

            @Override
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                ended.complete(null);
            }
        });
        f.awaitSteps(1);
        f.backend.release(1);
        AudioClip first = pieces.poll(T, TimeUnit.SECONDS);
        assertNotNull(first, "audio before the job ends");
        assertEquals(JobStatus.PROCESSING, job.snapshot().status());
        f.backend.release(3);
        SynthesisResult r = job.result().get(T, TimeUnit.SECONDS);
        ended.get(T, TimeUnit.SECONDS);
        List<AudioClip> all = new ArrayList<>(List.of(first));
        pieces.drainTo(all);
        int n = all.stream().mapToInt(AudioClip::length).sum();
        float[] heard = new float[n];
        int at = 0;
        for (AudioClip c : all) {
            System.arraycopy(c.samples(), 0, heard, at, c.length());
            at += c.length();
        }
        assertArrayEquals(q.readOutput(r.outputFileId()).samples(), heard, 1f / 32768, "what was heard is the output");
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void aJobRunsWithItsSettingsReportsMeasuredProgressAndItsAudioCanBeRead(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        String ref = q.uploadReference(reference());
        JobRequest request = JobRequest.voiceCloning(ref, "Hello from the queue").refText("A reference.")
                .settings(InferenceSettings.defaults().withSeed(7).withSpeed(1.25)).priority(3);
        JobHandle job = q.submit(request);

        assertEquals(JobStatus.QUEUED, job.accepted().status());
        assertEquals(3, job.accepted().priority());
        assertEquals(JobType.VOICE_CLONING, job.accepted().type());

        List<JobProgress> progress = new CopyOnWriteArrayList<>();
        List<String> progressThreads = new CopyOnWriteArrayList<>();
        job.onProgress(p -> {
            progress.add(p);
            progressThreads.add(Thread.currentThread().getName());
        });
        EventLog log = new EventLog();
        SynthesisResult r;
        Subscription subscription = q.subscribe(job.id(), log);
        try {
            f.awaitFollowing(log);
            f.awaitSteps(1);
            JobSnapshot running = job.snapshot();
            assertEquals(JobStatus.PROCESSING, running.status());
            assertEquals(request, running.request(), "a handle's snapshots carry what was submitted");
            f.backend.release(4);

            r = job.result().get(T, TimeUnit.SECONDS);
            assertEquals(7, r.seed());
            assertEquals("Hello from the queue", r.genText());
            assertEquals("A reference.", r.refText());
            assertEquals("synthetic", r.backend());
            assertEquals(24_000, r.sampleRate());
            // The synthetic tone lasts 0.01 s per character, shortened by the speed.
            assertEquals(20 * 0.01 / 1.25, r.durationSeconds(), 0.01);

            AudioClip audio = q.readOutput(r.outputFileId());
            assertEquals(24_000, audio.sampleRate());
            assertEquals(r.durationSeconds(), audio.durationSeconds(), 0.01);

            log.await(JobEvent.Kind.COMPLETED);
            assertEquals(JobEvent.Kind.COMPLETED, log.kinds().get(log.kinds().size() - 1));
            assertEquals(r, log.events().get(log.events().size() - 1).snapshot().result());
            assertTrue(log.threads().stream().allMatch(t -> t.startsWith("ttsq-")), "listeners run on the queue's event thread: "
                    + log.threads());
        } finally {
            subscription.close();
        }
        assertFalse(progress.isEmpty(), "progress arrived");
        JobProgress last = progress.get(progress.size() - 1);
        assertEquals(4, last.stepsTotal());
        assertEquals(4, last.stepsDone(), "the last report is never dropped");
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i).percent() >= progress.get(i - 1).percent(), "progress never goes back: " + progress);
            assertTrue(progress.get(i).stepsDone() > progress.get(i - 1).stepsDone(), "steps grow: " + progress);
        }
        assertTrue(progressThreads.stream().allMatch(t -> t.startsWith("ttsq-")), progressThreads.toString());

        JobSnapshot done = q.status(job.id());
        assertEquals(JobStatus.COMPLETED, done.status());
        assertEquals(100.0, done.progress());
        assertNull(done.estimatedCompletion());
        assertNotNull(done.createdAt());
        assertNotNull(done.startedAt());
        assertNotNull(done.completedAt());
        assertEquals(r, q.result(job.id()));
        assertEquals(r, q.handle(job.id()).result().get(T, TimeUnit.SECONDS), "a handle found by id completes too");
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void higherPriorityRunsFirstAndQueuePlacesSaySo(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        String ref = q.uploadReference(reference());
        JobHandle blocker = blocker(q, ref);
        JobHandle low = q.submit(JobRequest.ttsGenerate(ref, "low").refText("ref"));
        JobHandle high = q.submit(JobRequest.ttsGenerate(ref, "high").refText("ref").priority(5));
        assertEquals(1, low.accepted().queuePosition());
        assertEquals(1, high.accepted().queuePosition(), "placed ahead of the lower priority");
        assertEquals(2, q.status(low.id()).queuePosition());
        assertEquals(0, q.status(blocker.id()).queuePosition(), "a running job has no place");
        assertEquals(2, q.queueStatus().queueSize());
        assertEquals(List.of(blocker.id()), q.queueStatus().runningJobs());
        assertEquals(1, q.queueStatus().count(JobStatus.PROCESSING));

        f.backend.releaseAll();
        CompletableFuture.allOf(blocker.result(), low.result(), high.result()).get(T, TimeUnit.SECONDS);
        assertEquals(List.of("blocker", "high", "low"), f.backend.order());
        assertEquals(3, q.queueStatus().count(JobStatus.COMPLETED));
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void cancellingAQueuedJobFailsItsFutureAndAFinishedJobCannotBeCancelled(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        String ref = q.uploadReference(reference());
        JobHandle blocker = blocker(q, ref);
        JobHandle queued = q.submit(JobRequest.ttsGenerate(ref, "never spoken").refText("ref"));
        CompletableFuture<SynthesisResult> future = queued.result();
        EventLog log = new EventLog();
        q.subscribe(queued.id(), log);
        f.awaitFollowing(log);

        assertTrue(queued.cancel());
        JobCancelledException e = assertInstanceOf(JobCancelledException.class, failure(future));
        assertEquals(queued.id(), e.jobId());
        log.await(JobEvent.Kind.CANCELLED);
        assertEquals(JobStatus.CANCELLED, q.status(queued.id()).status());
        assertFalse(q.cancel(queued.id()), "already finished");

        assertTrue(q.cancel(blocker.id()), "a running job stops at its next step");
        assertInstanceOf(JobCancelledException.class, failure(blocker.result()));
        assertThrows(JobNotFoundException.class, () -> q.cancel("no-such-job"));
        assertEquals(List.of("blocker"), f.backend.order());
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void aFailedJobFailsItsFutureWithTheJobsError(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        f.backend.releaseAll();
        String ref = q.uploadReference(reference());
        JobHandle job = q.submit(JobRequest.ttsGenerate(ref, "this will [fail]").refText("ref"));
        JobFailedException e = assertInstanceOf(JobFailedException.class, failure(job.result()));
        assertTrue(e.getMessage().contains("synthetic failure"), e.getMessage());
        assertEquals(job.id(), e.jobId());
        JobSnapshot s = q.status(job.id());
        assertEquals(JobStatus.FAILED, s.status());
        assertEquals(e.getMessage(), s.error());

        EventLog late = new EventLog();
        q.subscribe(job.id(), late);
        late.await(JobEvent.Kind.FAILED);
        assertEquals(List.of(JobEvent.Kind.FAILED), late.kinds(), "a late subscriber gets the end once");
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void badRequestsAreRefusedWithTheSameExceptions(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        String ref = q.uploadReference(reference());

        InvalidRequestException speed = assertThrows(InvalidRequestException.class, () -> q.submit(
                JobRequest.ttsGenerate(ref, "text").refText("ref").settings(InferenceSettings.defaults().withSpeed(5))));
        assertEquals("Speed must be between 0.3 and 2.0", speed.getMessage());
        InvalidRequestException empty = assertThrows(InvalidRequestException.class,
                () -> q.submit(JobRequest.ttsGenerate(ref, " \u200B ").refText("ref")));
        assertEquals("Text to generate cannot be empty", empty.getMessage());
        InvalidRequestException nfe = assertThrows(InvalidRequestException.class, () -> q.submit(
                JobRequest.ttsGenerate(ref, "text").refText("ref").settings(InferenceSettings.defaults().withNfeStep(16))));
        assertTrue(nfe.getMessage().contains("16") && nfe.getMessage().contains("32"), nfe.getMessage());

        ReferenceNotFoundException audio = assertThrows(ReferenceNotFoundException.class,
                () -> q.submit(JobRequest.voiceCloning("0123-no-such-upload", "text").refText("ref")));
        assertEquals(ReferenceNotFoundException.Reason.AUDIO_FILE_NOT_FOUND, audio.reason());
        ReferenceNotFoundException voice = assertThrows(ReferenceNotFoundException.class,
                () -> q.submit(JobRequest.ttsPermanent("nobody", "text")));
        assertEquals(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, voice.reason());

        assertThrows(JobNotFoundException.class, () -> q.status("no-such-job"));
        assertThrows(JobNotFoundException.class, () -> q.status("../../etc/passwd"));
        assertThrows(JobNotFoundException.class, () -> q.handle("no-such-job"));
        assertThrows(JobNotFoundException.class, () -> q.result("no-such-job"));
        assertThrows(ReferenceNotFoundException.class, () -> q.readOutput("no-such-output"));
        assertThrows(InvalidRequestException.class, () -> q.list(null, 0));
        assertThrows(InvalidRequestException.class, () -> q.list(null, 1001));
        assertThrows(NullPointerException.class, () -> q.submit(null));
        assertThrows(NullPointerException.class, () -> q.status(null));

        JobHandle running = blocker(q, ref);
        JobHandle queued = q.submit(JobRequest.ttsGenerate(ref, "waits").refText("ref"));
        JobNotCompletedException notYet = assertThrows(JobNotCompletedException.class, () -> q.result(queued.id()));
        assertEquals(JobStatus.QUEUED, notYet.status());
        assertEquals("Job not completed. Current status: queued", notYet.getMessage());
        assertEquals(JobStatus.PROCESSING, assertThrows(JobNotCompletedException.class, () -> q.result(running.id())).status());
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void aFullQueueRefusesWithARetryHint(QueueFixture.Kind kind) throws Exception {
        f = QueueFixture.start(kind, dir, b -> b.maxQueueSize(2), c -> c, c -> c);
        JobQueue q = f.queue();
        String ref = q.uploadReference(reference());
        blocker(q, ref);
        q.submit(JobRequest.ttsGenerate(ref, "one").refText("ref"));
        q.submit(JobRequest.ttsGenerate(ref, "two").refText("ref"));
        QueueFullException full = assertThrows(QueueFullException.class, () -> q.submit(JobRequest.ttsGenerate(ref, "three").refText("ref")));
        assertEquals(2, full.maxQueueSize());
        assertTrue(full.retryAfter().compareTo(Duration.ZERO) > 0, full.retryAfter().toString());
    }

    @ParameterizedTest
    @EnumSource(QueueFixture.Kind.class)
    void listingPagesThroughEveryJobNewestFirstAndCleanupDeletesFinishedOnes(QueueFixture.Kind kind) throws Exception {
        JobQueue q = start(kind);
        f.backend.releaseAll();
        String ref = q.uploadReference(reference());
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JobHandle h = q.submit(JobRequest.ttsGenerate(ref, "job " + i).refText("ref"));
            h.result().get(T, TimeUnit.SECONDS);
            submitted.add(h.id());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JobPage page = q.list(JobStatus.COMPLETED, 2, cursor);
            page.jobs().forEach(j -> listed.add(j.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertEquals(3, pages);
        List<String> newestFirst = new ArrayList<>(submitted);
        Collections.reverse(newestFirst);
        assertEquals(newestFirst, listed);
        assertEquals(List.of(), q.list(JobStatus.QUEUED, 10));
        assertEquals(submitted.get(4), q.list(null, 1).get(0).id());
        assertThrows(InvalidRequestException.class, () -> q.list(null, 2, "not-a-cursor"));

        assertEquals(0, q.cleanup(Duration.ofHours(1)), "nothing is an hour old");
        assertEquals(5, q.cleanup(Duration.ZERO));
        assertThrows(JobNotFoundException.class, () -> q.status(submitted.get(0)));
        Set<String> left = new HashSet<>();
        q.list(null, 10).forEach(j -> left.add(j.id()));
        assertEquals(Set.of(), left);
    }
}
