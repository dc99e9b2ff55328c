package dev.ttsqueue.inference.f5;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Shared fixtures for the F5 tests: committed model sets, reference clips and a recording context. */
final class F5TestSupport {
    private F5TestSupport() {
    }

    /** The committed model folder {@code fp32} or {@code fp16} (on the test class path). */
    static Path models(String set) {
        URL url = F5TestSupport.class.getResource("/f5-test-models/" + set + "/F5_Preprocess.onnx");
        if (url == null) {
            throw new IllegalStateException("test models missing from the class path: " + set);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a model folder, leaving out the named files. */
    static Path copyWithout(Path from, Path to, String... leaveOut) {
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!List.of(leaveOut).contains(f.getFileName().toString())) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Boolean cudaWorks;

    /**
     * Whether CUDA really works here: a session on the committed decode model is created with the
     * CUDA provider. Tests branch on this instead of assuming either way, so the same test checks
     * the fallback on machines without CUDA and the device path on machines with it.
     */
    static synchronized boolean cudaWorks() {
        if (cudaWorks == null) {
            ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
            try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
                dev.ttsqueue.inference.internal.OrtSessionFactory.DEFAULT_CUDA.append(o, 0,
                        dev.ttsqueue.inference.internal.OrtSessionFactory.DEFAULT_CUDA_OPTIONS);
                env.createSession(models("fp32").resolve("F5_Decode.onnx").toString(), o).close();
                cudaWorks = true;
            } catch (ai.onnxruntime.OrtException e) {
                cudaWorks = false;
            }
        }
        return cudaWorks;
    }

    /** A steady 220 Hz tone at 24 kHz: no silence anywhere, so the reference clean-up keeps it whole. */
    static AudioClip tone(double seconds, double amplitude) {
        int n = (int) Math.round(seconds * 24_000);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (amplitude * Math.sin(2 * Math.PI * 220 * i / 24_000.0));
        }
        return new AudioClip(s, 24_000);
    }

    static SynthesisRequest request(String refText, String text, InferenceSettings settings, long seed) {
        return new SynthesisRequest(tone(1.0, 0.5), refText, text, settings, seed);
    }

    static InferenceSettings settings() {
        return InferenceSettings.defaults().withSeed(7);
    }

    /** Records progress; cancels itself once {@code cancelAfter} reports arrived (never when negative). */
    static final class RecordingContext implements SynthesisContext {
        final List<int[]> reports = new CopyOnWriteArrayList<>();
        private final long seed;
        private final int cancelAfter;

        RecordingContext(long seed, int cancelAfter) {
            this.seed = seed;
            this.cancelAfter = cancelAfter;
        }

        RecordingContext(long seed) {
            this(seed, -1);
        }

        @Override
        public String jobId() {
            return "job-1";
        }


        @Override
        public void reportProgress(int stepsDone, int stepsTotal) {
            reports.add(new int[] {stepsDone, stepsTotal});
        }

        @Override
        public boolean isCancelled() {
            return cancelAfter >= 0 && reports.size() >= cancelAfter;
        }
    }
}
