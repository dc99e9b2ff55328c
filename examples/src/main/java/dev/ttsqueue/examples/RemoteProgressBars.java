package dev.ttsqueue.examples;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobQueue;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.client.TtsQueueClient;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A remote client of a running server: uploads a reference, queues a few jobs at once and draws a
 * progress bar per job with its estimated completion, from the server's event streams, then
 * downloads the results. Start a server first ({@code ./run-server.sh}).
 *
 * <p>Run from the repository root: {@code examples/run.sh RemoteProgressBars [--server URL]
 * [--reference WAV] [--ref-text TEXT] [--out DIR] [--api-key KEY]}. The defaults use the sample
 * reference in {@code samples/}, {@code http://127.0.0.1:8000} and {@code example-output/}.
 */
public final class RemoteProgressBars {
    private static final String[] TEXTS = {
        "The first job of this batch.",
        "A second job, a little longer than the first one, to give its bar some time to fill.",
        "The third job has a higher priority: it goes ahead of any job still waiting when it arrives.",
    };
    private static final int[] PRIORITIES = {0, 0, 5};

    private RemoteProgressBars() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args, System.out, System.console() != null);
        } catch (IllegalArgumentException badArguments) {
            System.err.println(badArguments.getMessage());
            System.exit(2);
        }
    }

    /**
     * Runs the example.
     *
     * @param redraw draw the bars in place (a terminal) rather than line by line
     * @return the WAV files written, one per job
     */
    public static List<Path> run(String[] args, PrintStream out, boolean redraw) throws Exception {
        Map<String, String> opts = Options.parse(args, "server", "reference", "ref-text", "out", "api-key");
        URI server = URI.create(opts.getOrDefault("server", "http://127.0.0.1:8000"));
        Path reference = Path.of(opts.getOrDefault("reference", "samples/reference.wav"));
        String refText = opts.containsKey("ref-text") ? opts.get("ref-text") : Samples.transcriptOf(reference);
        Path outDir = Files.createDirectories(Path.of(opts.getOrDefault("out", "example-output")));

        TtsQueueClient.Builder builder = TtsQueueClient.builder(server);
        if (opts.containsKey("api-key")) {
            builder.apiKey(opts.get("api-key"));
        }
        try (TtsQueueClient client = builder.build()) {
            String ref = client.uploadReference(reference);
            out.println("uploaded " + reference + " as " + ref + "; queueing " + TEXTS.length + " jobs on " + server);
            List<SynthesisResult> results = followJobs(client, ref, refText,
                    new ProgressBars(out, TEXTS.length, redraw, Clock.systemUTC()));
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                files.add(client.downloadOutput(results.get(i).outputFileId(), outDir.resolve("remote-job-" + i + ".wav")));
                out.println("saved " + files.get(i));
            }
            return files;
        }
    }

    /**
     * Queues the jobs and draws their bars until all are done. Written against {@link JobQueue}
     * only: the same code follows the jobs of an embedded {@code TtsJobQueue}.
     */
    private static List<SynthesisResult> followJobs(JobQueue queue, String ref, String refText, ProgressBars bars) {
        List<JobHandle> jobs = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++) {
            int row = i;
            JobHandle job = queue.submit(JobRequest.voiceCloning(ref, TEXTS[i]).refText(refText).priority(PRIORITIES[i]));
            // The bar starts empty at submit: a short job may be over before its event stream opens,
            // and then that stream gives only its end.
            bars.update(row, 0, "submitted", null);
            // Listeners run on the client's event thread, in the order the job's events arrived.
            queue.subscribe(job.id(), e -> {
                if (e.kind() != JobEvent.Kind.PROGRESS) {
                    bars.update(row, percent(e), state(e), e.snapshot().estimatedCompletion());
                }
            });
            job.onProgress(p -> bars.update(row, p.percent(), "running", p.estimatedCompletion()));
            jobs.add(job);
        }
        CompletableFuture.allOf(jobs.stream().map(JobHandle::result).toArray(CompletableFuture[]::new)).join();
        return jobs.stream().map(j -> j.result().join()).toList();
    }

    private static double percent(JobEvent e) {
        return e.kind() == JobEvent.Kind.COMPLETED ? 100 : e.snapshot().progress();
    }

    private static String state(JobEvent e) {
        return switch (e.kind()) {
            case QUEUED -> "queued #" + e.snapshot().queuePosition();
            case STARTED, PROGRESS -> "running";
            case COMPLETED -> "done";
            case FAILED -> "failed: " + e.snapshot().error();
            case CANCELLED -> "cancelled";
        };
    }
}
