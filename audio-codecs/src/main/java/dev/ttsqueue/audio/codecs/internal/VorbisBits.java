package dev.ttsqueue.audio.codecs.internal;

/** Reads a Vorbis packet's bits, least significant first, as the Vorbis I specification packs them. */
final class VorbisBits {
    private final byte[] data;
    private final int end;
    private long bit;

    VorbisBits(byte[] data, int offset, int length) {
        this.data = data;
        this.end = offset + length;
        this.bit = (long) offset * 8;
    }

    /** Reads {@code n} (0 to 32) bits as an unsigned value. */
    long read(int n) {
        if (remaining() < n) {
            throw new VorbisHeaders.Bad("header ends too soon");
        }
        long v = 0;
        for (int i = 0; i < n; i++, bit++) {
            int b = (data[(int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
            v |= (long) b << i;
        }
        return v;
    }

    int readInt(int n) {
        return (int) read(n);
    }

    void skip(long n) {
        if (remaining() < n) {
            throw new VorbisHeaders.Bad("header ends too soon");
        }
        bit += n;
    }

    long remaining() {
        return (long) end * 8 - bit;
    }
}
