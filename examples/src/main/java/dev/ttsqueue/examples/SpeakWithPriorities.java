package dev.ttsqueue.examples;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The queue embedded in a plain Java program, on the built-in FreeTTS voice: one job keeps the
 * worker busy while three more arrive with different priorities; they are spoken highest priority
 * first, whatever their arrival order. Prints measured progress and writes each result as a WAV.
 *
 * <p>Run from the repository root: {@code examples/run.sh SpeakWithPriorities [out-dir]}
 */
public final class SpeakWithPriorities {
    private static final String FIRST = "This job was queued first and keeps the only worker busy for a while. "
            + "Meanwhile three more jobs arrive. They wait in the queue, highest priority first.";
    private static final String[] WAITING = {
        "I came second, with the lowest priority, so I am spoken last.",
        "I came third, with a normal priority.",
        "I came last, but my priority is the highest, so I am spoken right after the first job.",
    };
    private static final int[] PRIORITIES = {-1, 0, 5};

    private SpeakWithPriorities() {
    }

    public static void main(String[] args) throws Exception {
        run(Path.of(args.length > 0 ? args[0] : "example-output"), System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @return the job numbers (0 for the first job, 1–3 for the waiting ones in arrival order) in
     *     the order the worker started them
     */
    public static List<Integer> run(Path outDir, PrintStream out) throws Exception {
        Files.createDirectories(outDir);
        List<String> startedIds = new CopyOnWriteArrayList<>();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(new FreeTtsBackend()).build()) {
            // Queue-wide listener: runs on the queue's event thread for every job's events.
            queue.addListener(e -> {
                if (e.kind() == JobEvent.Kind.STARTED) {
                    startedIds.add(e.jobId());
                }
            });
            // FreeTTS does not clone voices, but every job names a reference clip: silence will do.
            String reference = queue.uploadReference(AudioClip.silence(24_000, 24_000));

            List<JobHandle> jobs = new ArrayList<>();
            jobs.add(submit(queue, reference, FIRST, 0, 0, out));
            awaitStart(queue, jobs.get(0));
            out.println("job 0 is being spoken; three more arrive");
            for (int i = 0; i < WAITING.length; i++) {
                jobs.add(submit(queue, reference, WAITING[i], PRIORITIES[i], i + 1, out));
            }

            for (int i = 0; i < jobs.size(); i++) {
                SynthesisResult r = jobs.get(i).result().join();
                Path wav = outDir.resolve("job-" + i + ".wav");
                WavCodec.write(queue.readOutput(r.outputFileId()), WavFormat.PCM_16, wav);
                out.printf("job %d: %.1f s of audio -> %s%n", i, r.durationSeconds(), wav);
            }
            List<Integer> order = new ArrayList<>();
            for (String id : startedIds) {
                for (int i = 0; i < jobs.size(); i++) {
                    if (jobs.get(i).id().equals(id)) {
                        order.add(i);
                    }
                }
            }
            out.println("spoken in the order: jobs " + order);
            return order;
        }
    }

    private static JobHandle submit(TtsJobQueue queue, String reference, String text, int priority, int n, PrintStream out) {
        JobHandle job = queue.submit(JobRequest.ttsGenerate(reference, text).priority(priority));
        out.printf("job %d queued with priority %d at place %d%n", n, priority, job.accepted().queuePosition());
        job.onProgress(p -> out.printf("job %d: %3.0f%% (step %d of %d)%n", n, p.percent(), p.stepsDone(), p.stepsTotal()));
        return job;
    }

    /** Waits until a worker has taken {@code job}, by its events rather than by polling. */
    private static void awaitStart(TtsJobQueue queue, JobHandle job) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Subscription subscription = queue.subscribe(job.id(), e -> started.countDown());
        try {
            if (queue.status(job.id()).status() != JobStatus.QUEUED) {
                return; // it started before the subscription
            }
            if (!started.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the first job did not start within 60 s");
            }
        } finally {
            subscription.close();
        }
    }
}
