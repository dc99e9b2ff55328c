package dev.ttsqueue.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the WAV reader: whatever the bytes, decoding returns a clip within
 * the limits or throws {@link AudioFormatException}, and nothing else (no index errors, no huge
 * allocations, no hang). The {@code fuzz-wav} execution of {@code mvn verify} runs the committed seed
 * corpus ({@code WavReaderFuzzTestInputs/}), then fuzzes for a short while, in a JVM of its own;
 * longer runs are in benchmarks/README.md (each run goes on from the corpus the last one grew).
 */
class WavReaderFuzzTest {
    private static final DecodeLimits LIMITS = DecodeLimits.of(java.time.Duration.ofSeconds(30));
    private static final AudioDecoders WAV = AudioDecoders.wavOnly();

    @FuzzTest(maxDuration = "15s")
    void decodesOrRefusesCleanly(byte[] data) {
        AudioClip clip;
        try {
            clip = WAV.decode(data, LIMITS);
        } catch (AudioFormatException expected) {
            return;
        }
        assertTrue(clip.length() <= LIMITS.maxFrames(clip.sampleRate()), "a clip past the limits came back");
        for (int i = 0; i < clip.length(); i++) {
            float s = clip.samples()[i];
            assertTrue(Float.isFinite(s), "sample " + i + " is " + s);
        }
    }
}
