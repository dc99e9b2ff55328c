package dev.ttsqueue.inference.f5.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import org.junit.jupiter.api.Test;

class ReferenceAudioTest {
    private static float[] tone(int ms, double amplitude) {
        float[] s = new float[ms * 24];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (amplitude * Math.sin(2 * Math.PI * 220 * i / 24_000.0));
        }
        return s;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int pos = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    @Test
    void shortVoiceIsKeptAndPaddedWithFiftyMilliseconds() {
        assertEquals(25_200, ReferenceClipper.clip(tone(1000, 0.5)).length);
    }

    @Test
    void longReferenceIsCutAtALongSilence() {
        // 8 s voice, 1.5 s silence, 10.5 s voice: pieces [0, 8.75 s) and [8.75 s, 20 s); the second
        // would pass 12 s, so only the first stays; its trailing 0.75 s of silence is trimmed, 50 ms added
        float[] s = concat(tone(8000, 0.5), new float[1500 * 24], tone(10_500, 0.5));
        assertEquals((8000 + 50) * 24, ReferenceClipper.clip(s).length);
    }

    @Test
    void referenceWithoutSilenceIsCutAtTwelveSeconds() {
        assertEquals((12_000 + 50) * 24, ReferenceClipper.clip(tone(15_000, 0.5)).length);
    }

    @Test
    void leadingSilenceIsTrimmed() {
        float[] s = concat(new float[300 * 24], tone(1000, 0.5));
        assertEquals((1000 + 50) * 24, ReferenceClipper.clip(s).length);
    }

    @Test
    void quietReferenceIsRaisedAndTheOutputGainUndoesIt() {
        PreparedReference ref = PreparedReference.of(new AudioClip(tone(1000, 0.05), 24_000));
        double sum = 0;
        for (short v : ref.pcm()) {
            sum += (v / 32768.0) * (v / 32768.0);
        }
        double rms = Math.sqrt(sum / ref.pcm().length);
        assertEquals(0.1, rms, 1e-3);
        // original RMS over the padded clip: 0.05 / sqrt(2) * sqrt(1000 / 1050), about -29 dBFS
        assertEquals(0.05 / Math.sqrt(2) * Math.sqrt(1000.0 / 1050.0) / 0.1, ref.outputGain(), 1e-4);
    }

    @Test
    void loudReferenceIsLeftAlone() {
        PreparedReference ref = PreparedReference.of(new AudioClip(tone(1000, 0.5), 24_000));
        assertEquals(1.0, ref.outputGain());
        assertEquals(Math.round(0.5 * Math.sin(2 * Math.PI * 220 * 10 / 24_000.0) * 32768), ref.pcm()[10]);
    }

    @Test
    void silentReferenceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreparedReference.of(AudioClip.silence(24_000, 48_000)));
        assertTrue(e.getMessage().contains("silent"));
    }
}
