package dev.ttsqueue.benchmarks.inference;

import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.f5.F5OnnxBackend;
import dev.ttsqueue.inference.f5.testmodel.TestModelGenerator;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.TtsBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Time to first audio against time to the whole result, for a text the backend makes in four
 * parts: four sentences on FreeTTS, four chunks on F5 with models generated at the export's tensor
 * sizes (thin layers, so they run on a CPU). The library is embedded in this process; one worker,
 * an idle queue, so a job starts when it is submitted.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.inference.FirstAudio [runs]
 * </pre>
 *
 * For each run: submit, subscribe to {@code JobHandle.audio()} at once, and take the time from the
 * submit to the first piece and to the result. Prints the median of each and of their ratio (the
 * issue's target: first audio within a third of the whole job).
 */
public final class FirstAudio {
    private static final String REF_TEXT = "Some call me nature, others call me mother nature.";

    private FirstAudio() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String sentences = "The first sentence of this text is here to be spoken. "
                + "Then comes a second one, about as long as the first. "
                + "A third sentence follows the second without a pause. "
                + "And the fourth sentence closes the text at last.";
        measure("freetts (4 sentences)", new FreeTtsBackend(), sentences, runs);

        Path dir = Files.createTempDirectory("first-audio-f5");
        TestModelGenerator.generate(dir, new TestModelGenerator.Dims(16, 64, 100, 612, false, 2, true), List.of());
        TtsBackend f5 = F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).build();
        // Four chunks of about 200 characters at the 5 s reference's chunk size.
        String chunks = String.join(" ", "x".repeat(199) + ".", "y".repeat(199) + ".", "z".repeat(199) + ".", "w".repeat(199) + ".");
        measure("f5 test models (4 chunks)", f5, chunks, runs);
    }

    private static void measure(String label, TtsBackend backend, String text, int runs) throws Exception {
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).workers(1).build()) {
            String ref = queue.audioStore().save(AudioKind.UPLOAD, tone(5.0)).id();
            List<Double> first = new ArrayList<>();
            List<Double> whole = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            int pieces = 0;
            for (int run = -2; run < runs; run++) { // two warm-up runs
                long t0 = System.nanoTime();
                JobHandle job = queue.submit(JobRequest.voiceCloning(ref, text).refText(REF_TEXT));
                CompletableFuture<Long> firstPiece = new CompletableFuture<>();
                int[] count = {0};
                job.audio().subscribe(new Flow.Subscriber<>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(AudioClip item) {
                        firstPiece.complete(System.nanoTime());
                        count[0]++;
                    }

                    @Override
                    public void onError(Throwable t) {
                        firstPiece.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                    }
                });
                job.result().get(10, TimeUnit.MINUTES);
                long tEnd = System.nanoTime();
                long tFirst = firstPiece.get(1, TimeUnit.MINUTES);
                if (run >= 0) {
                    first.add((tFirst - t0) / 1e6);
                    whole.add((tEnd - t0) / 1e6);
                    ratio.add((tFirst - t0) / (double) (tEnd - t0));
                    pieces = count[0];
                }
            }
            System.out.printf(Locale.ROOT, "%-28s runs %d, pieces %d: first audio %.1f ms, whole job %.1f ms, ratio %.3f (medians)%n",
                    label, runs, pieces, median(first), median(whole), median(ratio));
        }
    }

    private static AudioClip tone(double seconds) {
        float[] s = new float[(int) (seconds * 24_000)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 24_000.0));
        }
        return new AudioClip(s, 24_000);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
