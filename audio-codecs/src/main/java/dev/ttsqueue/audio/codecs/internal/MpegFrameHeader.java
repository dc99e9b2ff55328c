package dev.ttsqueue.audio.codecs.internal;

/**
 * The four-byte header of an MPEG-1, 2 or 2.5 audio frame (layers I to III), as ISO 11172-3 and
 * 13818-3 define it: enough to know where the next frame starts and how many samples each holds.
 *
 * @param version 1 for MPEG-1, 2 for MPEG-2, 25 for MPEG-2.5
 * @param layer 1, 2 or 3
 * @param bitrateKbps the frame's bit rate
 * @param sampleRate samples per second
 * @param padded whether the frame carries the padding slot
 * @param mono whether the channel mode is single channel
 */
public record MpegFrameHeader(int version, int layer, int bitrateKbps, int sampleRate, boolean padded, boolean mono) {
    private static final int[][] BITRATES = {
        {32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}, // MPEG-1 layer I
        {32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},    // MPEG-1 layer II
        {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},     // MPEG-1 layer III
        {32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},    // MPEG-2/2.5 layer I
        {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},         // MPEG-2/2.5 layers II and III
    };
    private static final int[] RATES_MPEG1 = {44100, 48000, 32000};

    /** Why a header could not be used; null from {@link #parse} means it is fine. */
    public enum Problem {
        NO_SYNC, RESERVED_VERSION, RESERVED_LAYER, FREE_FORMAT, BAD_BITRATE, RESERVED_SAMPLE_RATE
    }

    /** The header at {@code at}, or null when there is none (fewer than 4 bytes left, or a problem). */
    public static MpegFrameHeader read(byte[] data, long at) {
        if (at < 0 || data.length - at < 4) {
            return null;
        }
        int p = (int) at;
        return problem(data, p) == null ? decode(data, p) : null;
    }

    /** What is wrong with the header at {@code at}, or null when it is a usable frame header. */
    public static Problem problem(byte[] data, int at) {
        int b1 = data[at + 1] & 0xFF;
        int b2 = data[at + 2] & 0xFF;
        if ((data[at] & 0xFF) != 0xFF || (b1 & 0xE0) != 0xE0) {
            return Problem.NO_SYNC;
        }
        if (((b1 >> 3) & 3) == 1) {
            return Problem.RESERVED_VERSION;
        }
        if (((b1 >> 1) & 3) == 0) {
            return Problem.RESERVED_LAYER;
        }
        int bitrateIndex = b2 >> 4;
        if (bitrateIndex == 0) {
            return Problem.FREE_FORMAT;
        }
        if (bitrateIndex == 15) {
            return Problem.BAD_BITRATE;
        }
        if (((b2 >> 2) & 3) == 3) {
            return Problem.RESERVED_SAMPLE_RATE;
        }
        return null;
    }

    private static MpegFrameHeader decode(byte[] data, int at) {
        int b1 = data[at + 1] & 0xFF;
        int b2 = data[at + 2] & 0xFF;
        int b3 = data[at + 3] & 0xFF;
        int version = switch ((b1 >> 3) & 3) {
            case 3 -> 1;
            case 2 -> 2;
            default -> 25;
        };
        int layer = 4 - ((b1 >> 1) & 3);
        int table = version == 1 ? layer - 1 : (layer == 1 ? 3 : 4);
        int bitrate = BITRATES[table][(b2 >> 4) - 1];
        int rate = RATES_MPEG1[(b2 >> 2) & 3] / (version == 1 ? 1 : version == 2 ? 2 : 4);
        return new MpegFrameHeader(version, layer, bitrate, rate, ((b2 >> 1) & 1) == 1, ((b3 >> 6) & 3) == 3);
    }

    /** Bytes in the whole frame, header included. */
    public int frameLength() {
        int bitsPerSecond = bitrateKbps * 1000;
        if (layer == 1) {
            return (12 * bitsPerSecond / sampleRate + (padded ? 1 : 0)) * 4;
        }
        int factor = layer == 3 && version != 1 ? 72 : 144;
        return factor * bitsPerSecond / sampleRate + (padded ? 1 : 0);
    }

    /** Samples per channel the frame decodes to. */
    public int samplesPerFrame() {
        if (layer == 1) {
            return 384;
        }
        return layer == 3 && version != 1 ? 576 : 1152;
    }

    /** Whether {@code next} can follow this frame in one stream: same version, layer, rate and channel count. */
    public boolean sameStreamAs(MpegFrameHeader next) {
        return next.version == version && next.layer == layer && next.sampleRate == sampleRate && next.mono == mono;
    }
}
