package dev.ttsqueue.audio.codecs.internal;

import dev.ttsqueue.audio.AudioFormatException;
import java.util.Arrays;

/**
 * The metadata blocks of a FLAC file, walked and checked here so that the decoder library sees
 * only STREAMINFO and the frames: a damaged comment or picture block cannot make it allocate what
 * the block claims.
 *
 * @param framesStart offset of the first audio frame
 * @param streamInfo the 34 bytes of the STREAMINFO block
 * @param sampleRate from STREAMINFO
 * @param channels from STREAMINFO, 1 to 8
 * @param bitsPerSample from STREAMINFO
 * @param totalSamples samples per channel, 0 when the encoder did not know
 * @param md5 MD5 of the decoded samples, all zeros when the encoder did not compute it
 */
public record FlacMetadata(int framesStart, byte[] streamInfo, int sampleRate, int channels, int bitsPerSample,
        long totalSamples, byte[] md5) {
    private static final String FORMAT = "FLAC";
    private static final int STREAMINFO = 0;
    private static final int STREAMINFO_LENGTH = 34;
    private static final int INVALID_TYPE = 127;
    /** The decoder library decodes samples of up to 24 bits. */
    private static final int MAX_BITS = 24;

    /** Whether {@code data}, after any ID3v2 tags, starts with the FLAC marker. */
    public static boolean recognizes(byte[] data) {
        long at = Id3v2.audioStart(data);
        return data.length - at >= 4 && data[(int) at] == 'f' && data[(int) at + 1] == 'L' && data[(int) at + 2] == 'a'
                && data[(int) at + 3] == 'C';
    }

    /** @throws AudioFormatException naming FLAC for a truncated or damaged header, or an unsupported stream */
    public static FlacMetadata read(byte[] data) {
        long start = Id3v2.audioStart(data);
        if (start + 4 > data.length) {
            throw new AudioFormatException("Truncated FLAC file: it ends inside its ID3v2 tag");
        }
        if (!recognizes(data)) {
            throw new AudioFormatException("Invalid FLAC file: no 'fLaC' marker");
        }
        long pos = start + 4;
        byte[] info = null;
        boolean last = false;
        while (!last) {
            if (pos + 4 > data.length) {
                throw new AudioFormatException("Truncated FLAC file: it ends inside its metadata");
            }
            int p = (int) pos;
            last = (data[p] & 0x80) != 0;
            int type = data[p] & 0x7F;
            int length = ((data[p + 1] & 0xFF) << 16) | ((data[p + 2] & 0xFF) << 8) | (data[p + 3] & 0xFF);
            if (type == INVALID_TYPE) {
                throw new AudioFormatException("Corrupt FLAC file: invalid metadata block type at byte " + p);
            }
            if (info == null && (type != STREAMINFO || length != STREAMINFO_LENGTH)) {
                throw new AudioFormatException("Corrupt FLAC file: the first metadata block is not a STREAMINFO block");
            }
            if (info != null && type == STREAMINFO) {
                throw new AudioFormatException("Corrupt FLAC file: more than one STREAMINFO block");
            }
            if (pos + 4 + length > data.length) {
                throw new AudioFormatException("Truncated FLAC file: a metadata block of " + length + " bytes runs past the end");
            }
            if (info == null) {
                info = Arrays.copyOfRange(data, p + 4, p + 4 + length);
            }
            pos += 4 + length;
        }
        return parse((int) pos, info);
    }

    private static FlacMetadata parse(int framesStart, byte[] s) {
        int rate = ((s[10] & 0xFF) << 12) | ((s[11] & 0xFF) << 4) | ((s[12] & 0xFF) >> 4);
        int channels = ((s[12] >> 1) & 0x7) + 1;
        int bits = (((s[12] & 1) << 4) | ((s[13] & 0xFF) >> 4)) + 1;
        long total = ((s[13] & 0x0FL) << 32) | ((s[14] & 0xFFL) << 24) | ((s[15] & 0xFFL) << 16) | ((s[16] & 0xFFL) << 8) | (s[17] & 0xFFL);
        int minBlock = ((s[0] & 0xFF) << 8) | (s[1] & 0xFF);
        int maxBlock = ((s[2] & 0xFF) << 8) | (s[3] & 0xFF);
        SampleRates.check(FORMAT, rate);
        if (bits < 4 || bits > MAX_BITS) {
            throw new AudioFormatException("Unsupported FLAC file: " + bits + "-bit samples (4 to " + MAX_BITS + " bits are supported)");
        }
        if (minBlock < 16 || maxBlock < minBlock) {
            throw new AudioFormatException("Corrupt FLAC file: block sizes " + minBlock + " to " + maxBlock + " in STREAMINFO");
        }
        return new FlacMetadata(framesStart, s, rate, channels, bits, total, Arrays.copyOfRange(s, 18, 34));
    }

    /** Whether the encoder stored an MD5 of the samples (all zeros means it did not). */
    public boolean hasMd5() {
        for (byte b : md5) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }
}
