package dev.ttsqueue.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example must keep running as documented: three spoken WAV files. */
class SpeakWithPrioritiesTest {

    @Test
    void writesThreeSpokenFiles(@TempDir Path out) throws Exception {
        SpeakWithPriorities.main(new String[] {out.toString()});
        for (int i = 0; i < 3; i++) {
            AudioClip clip = WavCodec.read(out.resolve("job-" + i + ".wav"));
            double sum = 0;
            for (float s : clip.samples()) {
                sum += s * s;
            }
            double rms = Math.sqrt(sum / clip.length());
            assertTrue(clip.durationSeconds() > 1.0, "job " + i + " too short: " + clip.durationSeconds());
            assertTrue(rms > 0.01, "job " + i + " is silent: rms " + rms);
        }
    }
}
