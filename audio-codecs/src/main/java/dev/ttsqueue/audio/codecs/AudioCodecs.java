package dev.ttsqueue.audio.codecs;

import dev.ttsqueue.audio.AudioDecoder;
import dev.ttsqueue.audio.AudioDecoders;
import java.util.List;

/**
 * The reference-audio formats people have: WAV (from the core), FLAC, Ogg Vorbis and MP3, each
 * recognised by content. This is what the REST server decodes uploads with.
 *
 * <pre>{@code
 * AudioClip clip = AudioCodecs.all().decode(bytes, DecodeLimits.defaults());
 * }</pre>
 */
public final class AudioCodecs {
    private static final AudioDecoders ALL = AudioDecoders.of(List.of(
            // MP3 last: its check (two frame headers in a row) is the loosest of the four.
            AudioDecoders.wav(), new FlacDecoder(), new OggVorbisDecoder(), new Mp3Decoder()));

    private AudioCodecs() {
    }

    /** WAV, FLAC, Ogg Vorbis and MP3. */
    public static AudioDecoders all() {
        return ALL;
    }

    /** The decoders this module adds to the core's WAV: FLAC, Ogg Vorbis, MP3. */
    public static List<AudioDecoder> decoders() {
        return List.of(new FlacDecoder(), new OggVorbisDecoder(), new Mp3Decoder());
    }
}
