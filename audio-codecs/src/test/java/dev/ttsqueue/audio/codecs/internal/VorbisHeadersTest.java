package dev.ttsqueue.audio.codecs.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ttsqueue.audio.AudioFormatException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Setup headers that would make JOrbis loop for ever or allocate gigabytes are refused before it
 * sees them; a modest, well-formed one passes.
 */
class VorbisHeadersTest {
    private static final VorbisHeaders.Identification MONO_24K = new VorbisHeaders.Identification(1, 24000, 2048);

    @Test
    void aWellFormedSetupPasses() {
        byte[] setup = setup(w -> {
            codebook(w, 2, 16, 1);   // 16 entries, 2 dimensions, value lookup type 1 (4 values)
            w.bits(0, 6).bits(0, 16); // one time transform, type 0
            w.bits(0, 6);             // one floor
            floor1(w);
            w.bits(0, 6);             // one residue
            residue(w, 0, 512, 4, 0);
        });
        assertDoesNotThrow(() -> VorbisHeaders.checkSetup(setup, 0, setup.length, MONO_24K));
    }

    @Test
    void aValueLookupOfDimensionZeroIsRefusedNotLoopedOn() {
        byte[] setup = setup(w -> codebook(w, 0, 16, 1));
        AudioFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(AudioFormatException.class, () -> VorbisHeaders.checkSetup(setup, 0, setup.length, MONO_24K)));
        assertEquals("Corrupt Ogg Vorbis file: codebook 0 of 16 entries in 0 dimensions", e.getMessage());
    }

    @Test
    void aValueLookupJOrbisCannotIndexIsRefused() {
        // 40 dimensions: (v+1)^40 overflows JOrbis's int arithmetic, and its search never ends.
        byte[] setup = setup(w -> codebook(w, 40, 2, 1));
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> VorbisHeaders.checkSetup(setup, 0, setup.length, MONO_24K));
        assertEquals("Corrupt Ogg Vorbis file: codebook 0 has a value lookup too large to index", e.getMessage());
    }

    @Test
    void codebooksPastTheEntryBudgetAreRefusedBeforeTheirLengthsAreRead() {
        // An ordered codebook declares 8 million entries in a few bits; JOrbis would allocate for all of them.
        byte[] setup = setup(w -> {
            w.bits(0x564342, 24).bits(1, 16).bits((1 << 23) - 1, 24).bits(1, 1).bits(0, 5);
        });
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> VorbisHeaders.checkSetup(setup, 0, setup.length, MONO_24K));
        assertEquals("Corrupt Ogg Vorbis file: codebook 0 of 8388607 entries", e.getMessage());
    }

    @Test
    void aResiduePartitionTableLargerThanItsClassBookIsRefused() {
        // JOrbis sizes a table classifications^dim: 64^4 = 16.7 million arrays from a 16-entry book.
        byte[] setup = setup(w -> {
            codebook(w, 4, 16, 0);
            w.bits(0, 6).bits(0, 16);
            w.bits(0, 6);
            floor1(w);
            w.bits(0, 6);
            residue(w, 0, 512, 64, 0);
        });
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> VorbisHeaders.checkSetup(setup, 0, setup.length, MONO_24K));
        assertEquals("Corrupt Ogg Vorbis file: residue classification book too small for its partitions", e.getMessage());
    }

    @Test
    void aResiduePastTheBlockIsRefused() {
        byte[] setup = setup(w -> {
            codebook(w, 1, 16, 0);
            w.bits(0, 6).bits(0, 16);
            w.bits(0, 6);
            floor1(w);
            w.bits(0, 6);
            residue(w, 0, 1 << 23, 2, 0);
        });
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> VorbisHeaders.checkSetup(setup, 0, setup.length, MONO_24K));
        assertEquals("Corrupt Ogg Vorbis file: residue range 0 to 8388608 outside the block", e.getMessage());
    }

    @Test
    void identificationHeadersOutsideTheSupportedRangeAreRefused() {
        byte[] tooManyChannels = identification(9, 24000);
        assertEquals("Unsupported Ogg Vorbis file: 9 channels (1 to 8 are supported)", assertThrows(AudioFormatException.class,
                () -> VorbisHeaders.identification(tooManyChannels, 0, tooManyChannels.length)).getMessage());
        byte[] tooSlow = identification(1, 500);
        assertEquals("Unsupported Ogg Vorbis file: sample rate 500 Hz (supported: 1000 to 768000 Hz)", assertThrows(AudioFormatException.class,
                () -> VorbisHeaders.identification(tooSlow, 0, tooSlow.length)).getMessage());
        byte[] fine = identification(2, 44100);
        assertEquals(new VorbisHeaders.Identification(2, 44100, 2048), VorbisHeaders.identification(fine, 0, fine.length));
    }

    // ---- building headers bit by bit, least significant first, as Vorbis packs them ----------

    private static byte[] identification(int channels, int rate) {
        Bits w = new Bits();
        w.header(1).bits(0, 32).bits(channels, 8).bits(rate, 32).bits(0, 32).bits(0, 32).bits(0, 32).bits(8, 4).bits(11, 4).bits(1, 1);
        return w.bytes();
    }

    private static byte[] setup(java.util.function.Consumer<Bits> body) {
        Bits w = new Bits();
        w.header(5).bits(0, 8); // one codebook
        body.accept(w);
        return w.bytes();
    }

    /** An unordered, non-sparse codebook with every code 4 bits long, and the given lookup type. */
    private static void codebook(Bits w, int dim, int entries, int lookup) {
        w.bits(0x564342, 24).bits(dim, 16).bits(entries, 24).bits(0, 1).bits(0, 1);
        for (int i = 0; i < entries; i++) {
            w.bits(3, 5);
        }
        w.bits(lookup, 4);
        if (lookup == 1) {
            w.bits(0, 32).bits(0, 32).bits(3, 4).bits(0, 1);
            for (int i = 0; i < 4; i++) {
                w.bits(i, 4);
            }
        }
    }

    /** A floor 1 with one partition of class 0 (1 dimension, no subclasses, book -1). */
    private static void floor1(Bits w) {
        w.bits(1, 16).bits(1, 5).bits(0, 4).bits(0, 3).bits(0, 2).bits(0, 8).bits(0, 2).bits(4, 4).bits(5, 4);
    }

    private static void residue(Bits w, int begin, int end, int classifications, int classBook) {
        w.bits(0, 16).bits(begin, 24).bits(end, 24).bits(31, 24).bits(classifications - 1, 6).bits(classBook, 8);
        for (int i = 0; i < classifications; i++) {
            w.bits(0, 3).bits(0, 1);
        }
    }

    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        Bits header(int type) {
            bits(type, 8);
            for (char c : "vorbis".toCharArray()) {
                bits(c, 8);
            }
            return this;
        }

        Bits bits(long value, int n) {
            for (int i = 0; i < n; i++) {
                current |= (int) ((value >>> i) & 1) << used;
                if (++used == 8) {
                    out.write(current);
                    current = 0;
                    used = 0;
                }
            }
            return this;
        }

        byte[] bytes() {
            if (used > 0) {
                out.write(current);
                current = 0;
                used = 0;
            }
            return out.toByteArray();
        }
    }
}
