package dev.ttsqueue.audio.codecs.internal;

import dev.ttsqueue.audio.AudioFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where the MPEG audio frames of a file lie, found by walking frame headers from the first to the
 * last without decoding anything: the count gives the duration before a sample is decoded, and a
 * frame that runs past the end of the file, or bytes that are no frame where one must start, show
 * truncation and damage that the decoder library would pass over in silence (it pads a short
 * frame with zeros and resynchronises on any {@code 0xFFE} it finds).
 *
 * @param first the first frame's header (sample rate, channels, samples per frame)
 * @param start offset of the first frame
 * @param end offset just past the last frame
 * @param frames number of frames
 */
public record MpegStream(MpegFrameHeader first, int start, int end, long frames) {
    private static final String FORMAT = "MP3";
    /** ID3v1 tag: "TAG" and 125 bytes, the file's last 128. */
    private static final int ID3V1_LENGTH = 128;

    /** Samples per channel in the whole stream. */
    public long samples() {
        return frames * first.samplesPerFrame();
    }

    /**
     * Whether {@code data} starts (after any ID3v2 tags) with an MPEG audio frame whose successor
     * is a matching frame header or the end of the file: two consistent headers in a row, which
     * random bytes almost never are.
     */
    public static boolean recognizes(byte[] data) {
        long at = Id3v2.audioStart(data);
        if (at > 0 && at >= data.length) {
            return true; // a tag and nothing else: MP3 by every sign there is, and decode says what is missing
        }
        MpegFrameHeader h = MpegFrameHeader.read(data, at);
        if (h == null) {
            return at > 0 && !startsWith(data, at, "fLaC"); // ID3v2 in front: audio of some sort, MP3 by far the likeliest
        }
        long next = at + h.frameLength();
        if (next >= data.length) {
            return true;
        }
        MpegFrameHeader h2 = MpegFrameHeader.read(data, next);
        return h2 != null && h.sameStreamAs(h2);
    }

    /**
     * Walks every frame.
     *
     * @throws AudioFormatException naming MP3 when the file is truncated, damaged or uses an
     *     unsupported feature (free-format bit rate)
     */
    public static MpegStream scan(byte[] data) {
        long tagEnd = Id3v2.audioStart(data);
        if (tagEnd > data.length) {
            throw new AudioFormatException("Truncated MP3 file: its ID3v2 tag claims " + tagEnd + " bytes, the file has " + data.length);
        }
        int pos = (int) tagEnd;
        // Taggers and encoders sometimes leave zero padding between the tag and the first frame.
        while (pos < data.length && data[pos] == 0) {
            pos++;
        }
        if (pos >= data.length) {
            throw new AudioFormatException("Invalid MP3 file: it holds no audio frames");
        }
        MpegFrameHeader first = header(data, pos, null);
        int start = pos;
        long frames = 0;
        while (true) {
            MpegFrameHeader h = frames == 0 ? first : header(data, pos, first);
            int length = h.frameLength();
            if ((long) pos + length > data.length) {
                throw new AudioFormatException("Truncated MP3 file: frame " + (frames + 1) + " needs " + length
                        + " bytes, only " + (data.length - pos) + " are left");
            }
            pos += length;
            frames++;
            if (pos == data.length || isTrailer(data, pos)) {
                return new MpegStream(first, start, pos, frames);
            }
        }
    }

    private static MpegFrameHeader header(byte[] data, int pos, MpegFrameHeader first) {
        if (data.length - pos < 4) {
            throw new AudioFormatException("Truncated MP3 file: " + (data.length - pos) + " stray bytes after the last frame");
        }
        MpegFrameHeader.Problem problem = MpegFrameHeader.problem(data, pos);
        if (problem == MpegFrameHeader.Problem.FREE_FORMAT) {
            throw new AudioFormatException("Unsupported MP3 file: free-format bit rate (frame at byte " + pos + ")");
        }
        if (problem != null) {
            throw new AudioFormatException(first == null
                    ? "Invalid MP3 file: no MPEG audio frame where the audio should start (byte " + pos + ")"
                    : "Corrupt MP3 file: no valid frame header at byte " + pos + " (" + problem.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
        }
        MpegFrameHeader h = MpegFrameHeader.read(data, pos);
        if (first != null && !first.sameStreamAs(h)) {
            throw new AudioFormatException("Corrupt MP3 file: the frame at byte " + pos + " does not match the stream ("
                    + h.sampleRate() + " Hz, layer " + h.layer() + " after " + first.sampleRate() + " Hz, layer " + first.layer() + ")");
        }
        return h;
    }

    /** Tags that may end a file after its last frame: ID3v1, APEv2, Lyrics3. */
    private static boolean isTrailer(byte[] data, int pos) {
        return (data.length - pos == ID3V1_LENGTH && startsWith(data, pos, "TAG"))
                || startsWith(data, pos, "APETAGEX") || startsWith(data, pos, "LYRICSBEGIN");
    }

    private static boolean startsWith(byte[] data, long pos, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (pos < 0 || data.length - pos < m.length) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (data[(int) pos + i] != m[i]) {
                return false;
            }
        }
        return true;
    }
}
