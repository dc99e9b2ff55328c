package dev.ttsqueue.benchmarks.inference;

import dev.ttsqueue.benchmarks.SilentContext;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.spi.SynthesisRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast the built-in FreeTTS voice speaks: seconds of 24 kHz audio produced per second of
 * compute (the {@code audioSeconds} counter, a rate per second), next to real time (1.0). One
 * paragraph of five sentences per operation, the backend's full path (synthesis, capture,
 * resampling from 16 kHz).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
public class FreeTtsSpeedBenchmark {
    static final String PARAGRAPH = "The queue takes jobs from many clients at once. Each job waits for its turn on the "
            + "device. Higher priorities go first, and equal priorities keep their order. Progress is measured as "
            + "the model works. When the audio is ready, the client downloads it.";

    private FreeTtsBackend backend;
    private SynthesisRequest request;

    /** Audio produced, reported by JMH as a rate: seconds of audio per second of compute. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Produced {
        public double audioSeconds;

        @Setup(Level.Iteration)
        public void reset() {
            audioSeconds = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        backend = new FreeTtsBackend();
        request = new SynthesisRequest(null, "", PARAGRAPH, InferenceSettings.defaults(), 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public AudioClip speakParagraph(Produced produced) {
        AudioClip clip = backend.synthesize(request, SilentContext.INSTANCE);
        produced.audioSeconds += clip.durationSeconds();
        return clip;
    }

}
