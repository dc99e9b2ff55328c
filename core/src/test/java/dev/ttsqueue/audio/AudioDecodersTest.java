package dev.ttsqueue.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AudioDecodersTest {
    private static final byte[] ONE_SECOND = WavCodec.encode(new AudioClip(new float[16_000], 16_000), WavFormat.PCM_16);

    @Test
    void wavIsReadAndItsLengthCheckedFromTheHeader() {
        AudioDecoders wav = AudioDecoders.wavOnly();
        assertEquals(16_000, wav.decode(ONE_SECOND, DecodeLimits.defaults()).length());
        AudioTooLongException e = assertThrows(AudioTooLongException.class,
                () -> wav.decode(ONE_SECOND, DecodeLimits.of(Duration.ofMillis(999))));
        assertEquals("WAV audio is too long: at most 0 s are accepted", e.getMessage());
    }

    @Test
    void withOneFormatItsOwnDecoderExplainsWhatIsWrong() {
        AudioFormatException e = assertThrows(AudioFormatException.class,
                () -> AudioDecoders.wavOnly().decode("ID3 not a wav".getBytes(), DecodeLimits.defaults()));
        assertTrue(e.getMessage().startsWith("Not a WAV file"), e.getMessage());
    }

    @Test
    void aDecoderThatTripsIsAFormatErrorNamingItsFormat() {
        AudioDecoder clumsy = new AudioDecoder() {
            @Override
            public String formatName() {
                return "Clumsy";
            }

            @Override
            public boolean recognizes(byte[] data) {
                return data.length > 0 && data[0] == 'C';
            }

            @Override
            public AudioClip decode(byte[] data, DecodeLimits limits) {
                return new AudioClip(new float[data[1]], 8000); // negative size for a bad byte
            }
        };
        AudioDecoders decoders = AudioDecoders.of(List.of(AudioDecoders.wav(), clumsy));
        assertEquals(List.of("WAV", "Clumsy"), decoders.formatNames());
        AudioFormatException e = assertThrows(AudioFormatException.class,
                () -> decoders.decode(new byte[] {'C', -1}, DecodeLimits.defaults()));
        assertEquals("Corrupt Clumsy file: it could not be decoded (NegativeArraySizeException)", e.getMessage());
        assertEquals("Unrecognised audio format: the file is not WAV or Clumsy", assertThrows(AudioFormatException.class,
                () -> decoders.decode(new byte[] {'x'}, DecodeLimits.defaults())).getMessage());
        // The limit is checked on what a decoder returns too, whatever it checked itself.
        assertThrows(AudioTooLongException.class, () -> decoders.decode(new byte[] {'C', 100}, DecodeLimits.of(Duration.ofMillis(10))));
    }
}
