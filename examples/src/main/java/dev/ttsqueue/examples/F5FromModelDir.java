package dev.ttsqueue.examples;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.f5.F5ModelException;
import dev.ttsqueue.inference.f5.F5OnnxBackend;
import dev.ttsqueue.spi.BackendInfo;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * F5-TTS on ONNX Runtime from a model folder, embedded: clones the voice of a reference clip and
 * prints each measured step with its estimated completion. The folder holds the three-part
 * export of the F5-TTS-ONNX project (see inference/README.md for how to make it):
 *
 * <pre>
 * MODEL_DIR/
 *   F5_Preprocess.onnx
 *   F5_Transformer.onnx          exported with NFE_STEP = 32 (the default NFE)
 *   F5_Transformer_nfe16.onnx    optional: one file per extra NFE, named by its NFE_STEP
 *   F5_Decode.onnx
 *   vocab.txt                    the checkpoint's vocabulary
 * </pre>
 *
 * <p>Run from the repository root: {@code examples/run.sh F5FromModelDir --model-dir DIR
 * [--reference WAV] [--ref-text TEXT] [--text TEXT] [--out FILE] [--provider auto|cpu|cuda]}.
 * The reference defaults to the sample in {@code samples/}, with its transcript.
 */
public final class F5FromModelDir {
    static final String LAYOUT = """
            Expected layout of --model-dir (see inference/README.md, "Getting the models"):
              F5_Preprocess.onnx
              F5_Transformer.onnx          exported with NFE_STEP = 32
              F5_Transformer_nfe16.onnx    optional, one per extra NFE
              F5_Decode.onnx
              vocab.txt""";

    private F5FromModelDir() {
    }

    /** {@code done in 2.5 s} from an estimated completion; the queue has none until it measured a step. */
    private static String timeLeft(Instant estimatedCompletion) {
        if (estimatedCompletion == null) {
            return "measuring speed";
        }
        double seconds = Math.max(0, Duration.between(Instant.now(), estimatedCompletion).toMillis() / 1000.0);
        return String.format(Locale.ROOT, "done in %.1f s", seconds);
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the example.
     *
     * @return the exit status: 0 when the audio was written, 2 for bad arguments or a missing or unusable model folder
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> opts;
        ExecutionProvider provider;
        try {
            opts = Options.parse(args, "model-dir", "reference", "ref-text", "text", "out", "provider");
            provider = ExecutionProvider.parse(opts.getOrDefault("provider", "auto"));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (!opts.containsKey("model-dir")) {
            err.println("--model-dir is required\n" + LAYOUT);
            return 2;
        }
        Path modelDir = Path.of(opts.get("model-dir"));
        Path reference = Path.of(opts.getOrDefault("reference", "samples/reference.wav"));
        String refText = opts.containsKey("ref-text") ? opts.get("ref-text") : Samples.transcriptOf(reference);
        String text = opts.getOrDefault("text", "Hello from F5-TTS, running on ONNX Runtime inside a Java job queue.");
        Path outFile = Path.of(opts.getOrDefault("out", "example-output/f5.wav"));

        F5OnnxBackend backend;
        try {
            // Loads and checks the three models once; the queue reuses the sessions for every job.
            backend = F5OnnxBackend.builder(modelDir).provider(provider).build();
        } catch (F5ModelException e) {
            err.println("Cannot use " + modelDir + ": " + e.getMessage() + "\n" + LAYOUT);
            return 2;
        }
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).build()) {
            BackendInfo info = queue.backendInfo();
            out.printf("F5-TTS on %s, NFE steps available: %s (default %d)%n", info.device(),
                    new TreeSet<>(info.supportedNfeSteps()), info.defaultNfeStep());
            String ref = queue.uploadReference(WavCodec.read(reference));
            JobHandle job = queue.submit(JobRequest.voiceCloning(ref, text).refText(refText)
                    .settings(InferenceSettings.defaults().withSeed(42)));
            job.onProgress(p -> out.printf("step %d of %d (%.0f%%), %s%n", p.stepsDone(), p.stepsTotal(), p.percent(),
                    timeLeft(p.estimatedCompletion())));
            SynthesisResult r = job.result().join();
            Path parent = outFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            WavCodec.write(queue.readOutput(r.outputFileId()), WavFormat.PCM_16, outFile);
            out.printf("%.2f s of audio at %d Hz, seed %d -> %s%n", r.durationSeconds(), r.sampleRate(), r.seed(), outFile);
            return 0;
        }
    }
}
