package dev.ttsqueue.audio.codecs;

/** Recomputes an Ogg page's checksum after a test edits it, so the edit reaches the codec instead of failing the page check. */
final class OggPages {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int j = 0; j < 8; j++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }
            TABLE[i] = r;
        }
    }

    private OggPages() {
    }

    /** Fixes the checksum of the page that holds byte {@code at}. */
    static void fixChecksum(byte[] ogg, int at) {
        int page = at;
        while (!(ogg[page] == 'O' && ogg[page + 1] == 'g' && ogg[page + 2] == 'g' && ogg[page + 3] == 'S')) {
            page--;
        }
        int segments = ogg[page + 26] & 0xFF;
        int length = 27 + segments;
        for (int i = 0; i < segments; i++) {
            length += ogg[page + 27 + i] & 0xFF;
        }
        for (int i = 22; i < 26; i++) {
            ogg[page + i] = 0;
        }
        int crc = 0;
        for (int i = 0; i < length; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ ogg[page + i]) & 0xFF];
        }
        for (int i = 0; i < 4; i++) {
            ogg[page + 22 + i] = (byte) (crc >>> (8 * i));
        }
    }
}
