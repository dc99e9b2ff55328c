package dev.ttsqueue.audio;

/**
 * Decodes one audio file format into a mono {@link AudioClip}. Implementations recognise their
 * format by content (magic numbers, frame headers), never by file name or declared type, and treat
 * every input as hostile: whatever the bytes, {@link #decode} returns a clip or throws
 * {@link AudioFormatException}, within {@link DecodeLimits}, and ends. Implementations are
 * stateless and thread-safe.
 *
 * <p>The core ships WAV ({@link AudioDecoders#wav()}); the optional {@code ttsqueue-audio-codecs}
 * module adds MP3, FLAC and Ogg Vorbis.
 */
public interface AudioDecoder {

    /** The format's name as users know it, used in messages: {@code WAV}, {@code MP3}, {@code FLAC}, {@code Ogg Vorbis}. */
    String formatName();

    /**
     * Whether {@code data} looks like this format: a cheap check of its first bytes, which must
     * not claim files of other formats. A file it claims may still fail {@link #decode}.
     */
    boolean recognizes(byte[] data);

    /**
     * Decodes a whole file, channels averaged down to mono.
     *
     * @throws AudioTooLongException as soon as the audio would pass {@code limits}
     * @throws AudioFormatException when the file is corrupt, truncated or uses a feature not
     *     supported; the message names the format and says what is wrong
     */
    AudioClip decode(byte[] data, DecodeLimits limits);
}
