package dev.ttsqueue.audio;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A set of {@link AudioDecoder}s that decodes a file in whichever of their formats its content
 * shows. Whatever a decoder throws besides {@link AudioFormatException} (a decoder library
 * tripping over bytes it did not expect) becomes an {@link AudioFormatException} naming the
 * format, so bad input can never surface as anything else. Immutable and thread-safe.
 *
 * <pre>{@code
 * AudioDecoders decoders = AudioDecoders.of(List.of(AudioDecoders.wav(), new Mp3Decoder()));
 * AudioClip clip = decoders.decode(bytes, DecodeLimits.defaults());
 * }</pre>
 */
public final class AudioDecoders {
    private static final AudioDecoder WAV = new WavDecoder();

    private final List<AudioDecoder> decoders;

    private AudioDecoders(List<AudioDecoder> decoders) {
        this.decoders = decoders;
    }

    /** The built-in WAV decoder ({@link WavCodec}'s reader, with the limits checked against the header). */
    public static AudioDecoder wav() {
        return WAV;
    }

    /** WAV only: what the core reads on its own. */
    public static AudioDecoders wavOnly() {
        return of(List.of(WAV));
    }

    /**
     * The given decoders, asked in this order whether they recognise a file.
     *
     * @throws IllegalArgumentException for an empty list
     */
    public static AudioDecoders of(List<? extends AudioDecoder> decoders) {
        List<AudioDecoder> copy = List.copyOf(decoders);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("at least one decoder is needed");
        }
        return new AudioDecoders(copy);
    }

    /** The formats read, in order ({@code [WAV, MP3, FLAC, Ogg Vorbis]}). */
    public List<String> formatNames() {
        return decoders.stream().map(AudioDecoder::formatName).toList();
    }

    /**
     * Decodes {@code data} with the first decoder that recognises it.
     *
     * @throws AudioTooLongException when the audio is longer than {@code limits} allow
     * @throws AudioFormatException when no decoder recognises the bytes, or the one that does
     *     cannot decode them
     */
    public AudioClip decode(byte[] data, DecodeLimits limits) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(limits, "limits");
        for (AudioDecoder d : decoders) {
            if (recognizes(d, data)) {
                return decodeWith(d, data, limits);
            }
        }
        if (decoders.size() == 1) {
            // One format only: its own decoder says best what is wrong ("does not start with 'RIFF'").
            return decodeWith(decoders.get(0), data, limits);
        }
        throw new AudioFormatException("Unrecognised audio format: the file is not " + describe(formatNames()));
    }

    private static boolean recognizes(AudioDecoder d, byte[] data) {
        try {
            return d.recognizes(data);
        } catch (RuntimeException e) {
            return false; // a sniffer that trips over odd bytes does not recognise them
        }
    }

    private static AudioClip decodeWith(AudioDecoder d, byte[] data, DecodeLimits limits) {
        AudioClip clip;
        try {
            clip = d.decode(data, limits);
        } catch (AudioFormatException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // Decoder libraries signal damaged input with whatever they trip over (an index out of
            // bounds, a negative size); it is the file's fault, and the answer must say so.
            throw new AudioFormatException("Corrupt " + d.formatName() + " file: it could not be decoded (" + e.getClass().getSimpleName() + ")", e);
        }
        if (clip == null) {
            throw new AudioFormatException("Corrupt " + d.formatName() + " file: it could not be decoded");
        }
        limits.check(d.formatName(), clip.length(), clip.sampleRate());
        return clip;
    }

    private static String describe(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", ")) + " or " + names.get(names.size() - 1);
    }
}
