package dev.ttsqueue.audio.codecs.internal;

/**
 * ID3v2 tags, which taggers put in front of MP3 (and sometimes FLAC) files: only their length
 * matters here, to find where the audio starts.
 */
public final class Id3v2 {
    private static final int HEADER = 10;

    private Id3v2() {
    }

    /** True when {@code data} starts with a well-formed ID3v2 header (versions 2 to 4, syncsafe size). */
    public static boolean startsWithTag(byte[] data, int at) {
        if (data.length - at < HEADER || data[at] != 'I' || data[at + 1] != 'D' || data[at + 2] != '3') {
            return false;
        }
        int major = data[at + 3] & 0xFF;
        if (major < 2 || major > 4 || data[at + 4] == (byte) 0xFF) {
            return false;
        }
        for (int i = 6; i < 10; i++) {
            if ((data[at + i] & 0x80) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Offset of the first byte after the ID3v2 tags at the start of {@code data}; 0 when there
     * are none. The result may lie past the end of {@code data} when a tag claims more bytes than
     * the file has: callers report that as truncation.
     */
    public static long audioStart(byte[] data) {
        long at = 0;
        // Some taggers stack tags; a handful is plenty, and bounds the loop.
        for (int tags = 0; tags < 8 && at <= data.length && startsWithTag(data, (int) at); tags++) {
            int p = (int) at;
            long size = ((data[p + 6] & 0x7FL) << 21) | ((data[p + 7] & 0x7FL) << 14) | ((data[p + 8] & 0x7FL) << 7) | (data[p + 9] & 0x7FL);
            boolean footer = (data[p + 5] & 0x10) != 0;
            at += HEADER + size + (footer ? HEADER : 0);
        }
        return at;
    }
}
