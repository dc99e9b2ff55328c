package dev.ttsqueue.inference.freetts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import javax.sound.sampled.AudioFormat;
import org.junit.jupiter.api.Test;

class CapturingAudioPlayerTest {

    @Test
    void convertsBigAndLittleEndian16Bit() {
        AudioFormat big = new AudioFormat(16000, 16, 1, true, true);
        AudioFormat little = new AudioFormat(16000, 16, 1, true, false);
        assertArrayEquals(new float[] {0.5f, -1f, -1f / 32768}, CapturingAudioPlayer.toFloats(new byte[] {0x40, 0, (byte) 0x80, 0, (byte) 0xFF, (byte) 0xFF}, big));
        assertArrayEquals(new float[] {0.5f, -1f}, CapturingAudioPlayer.toFloats(new byte[] {0, 0x40, 0, (byte) 0x80}, little));
    }

    @Test
    void takeReturnsWhatWasWrittenOnce() {
        CapturingAudioPlayer player = new CapturingAudioPlayer();
        player.setAudioFormat(new AudioFormat(16000, 16, 1, true, true));
        player.begin(4);
        player.write(new byte[] {9, 0x40, 0, 9}, 1, 2);
        player.write(new byte[] {0x20, 0});
        player.end();
        assertArrayEquals(new float[] {0.5f, 0.25f}, player.take());
        assertEquals(0, player.take().length);
        assertEquals(16000, player.sampleRate());
    }

    @Test
    void refusesFormatsItCannotConvert() {
        assertThrows(IllegalStateException.class,
                () -> CapturingAudioPlayer.toFloats(new byte[4], new AudioFormat(16000, 16, 2, true, true)));
        assertThrows(IllegalStateException.class,
                () -> CapturingAudioPlayer.toFloats(new byte[4], new AudioFormat(16000, 8, 1, true, true)));
    }
}
