package dev.ttsqueue.audio.codecs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioTooLongException;
import dev.ttsqueue.audio.DecodeLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The buffer every compressed decoder fills: it refuses the block that would pass the limit and never allocates beyond it. */
class MonoPcmTest {
    @Test
    void theBlockThatWouldPassTheLimitIsRefusedAndNothingBeyondItIsAllocated() {
        DecodeLimits limits = DecodeLimits.of(Duration.ofSeconds(10));
        MonoPcm pcm = new MonoPcm("FLAC", 8000, limits);
        assertEquals(80_000, pcm.capacityLimit());
        int blocks = 0;
        AudioTooLongException e = null;
        try {
            while (true) {
                pcm.reserve(4096);
                for (int i = 0; i < 4096; i++) {
                    pcm.add(0f);
                }
                blocks++;
            }
        } catch (AudioTooLongException tooLong) {
            e = tooLong;
        }
        assertEquals(19, blocks, "19 blocks of 4096 fit in 80,000 samples, the 20th does not");
        assertTrue(pcm.allocated() <= 80_000, "allocated " + pcm.allocated());
        assertEquals("FLAC audio is too long: at most 10 s are accepted", e.getMessage());
    }

    @Test
    void highSampleRatesAreBoundedBySamplesNotOnlyDuration() {
        // 5 minutes at 768 kHz would be 230 million floats; the sample limit keeps it to 48 kHz worth.
        MonoPcm pcm = new MonoPcm("FLAC", 768_000, DecodeLimits.defaults());
        assertEquals(14_400_000, pcm.capacityLimit());
        AudioTooLongException e = assertThrows(AudioTooLongException.class, () -> pcm.reserve(14_400_001));
        assertEquals("FLAC audio is too long: at 768000 Hz at most 18 s are accepted (300 s at 48000 Hz or less)", e.getMessage());
    }

    @Test
    void nonFiniteSamplesBecomeSilence() {
        MonoPcm pcm = new MonoPcm("MP3", 8000, DecodeLimits.defaults());
        pcm.reserve(3);
        pcm.add(Float.NaN);
        pcm.add(Float.POSITIVE_INFINITY);
        pcm.add(0.5f);
        assertEquals(3, pcm.toClip().length());
        assertEquals(0f, pcm.toClip().samples()[0]);
        assertEquals(0f, pcm.toClip().samples()[1]);
        assertEquals(0.5f, pcm.toClip().samples()[2]);
    }
}
