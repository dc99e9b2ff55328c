package dev.ttsqueue.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds WAV files byte by byte, including broken ones, independently of {@link WavCodec}. */
final class WavBytes {
    static final int PCM = 1;
    static final int FLOAT = 3;
    static final int EXTENSIBLE = 0xFFFE;

    private WavBytes() {
    }

    /** RIFF/WAVE around {@code chunks} with the correct RIFF size. */
    static byte[] riff(byte[]... chunks) {
        byte[] body = concat(chunks);
        return concat(ascii("RIFF"), le32(body.length + 4), ascii("WAVE"), body);
    }

    /** RIFF/WAVE around {@code chunks} with a given RIFF size. */
    static byte[] riffWithSize(long declared, byte[]... chunks) {
        return concat(ascii("RIFF"), le32(declared), ascii("WAVE"), concat(chunks));
    }

    /** A chunk with its true size and a pad byte when odd. */
    static byte[] chunk(String id, byte[] body) {
        byte[] c = concat(ascii(id), le32(body.length), body);
        return body.length % 2 == 1 ? concat(c, new byte[1]) : c;
    }

    /** A chunk that declares {@code declared} bytes whatever it holds, without padding. */
    static byte[] chunkWithSize(String id, long declared, byte[] body) {
        return concat(ascii(id), le32(declared), body);
    }

    static byte[] fmt(int tag, int channels, int rate, int blockAlign, int bits) {
        ByteBuffer b = le(16);
        b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                .putShort((short) blockAlign).putShort((short) bits);
        return chunk("fmt ", b.array());
    }

    static byte[] fmt(int tag, int channels, int rate, int bits) {
        return fmt(tag, channels, rate, channels * bits / 8, bits);
    }

    static byte[] fmtExtensible(int channels, int rate, int bits, int validBits, int subFormat) {
        ByteBuffer b = le(40);
        b.putShort((short) EXTENSIBLE).putShort((short) channels).putInt(rate).putInt(rate * channels * bits / 8)
                .putShort((short) (channels * bits / 8)).putShort((short) bits)
                .putShort((short) 22).putShort((short) validBits).putInt(channels == 1 ? 4 : 3)
                .putShort((short) subFormat)
                .put(new byte[] {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71});
        return chunk("fmt ", b.array());
    }

    static byte[] data(byte[] samples) {
        return chunk("data", samples);
    }

    static byte[] pcm16(int... samples) {
        ByteBuffer b = le(samples.length * 2);
        for (int s : samples) {
            b.putShort((short) s);
        }
        return b.array();
    }

    static byte[] pcm24(int... samples) {
        byte[] out = new byte[samples.length * 3];
        for (int i = 0; i < samples.length; i++) {
            out[3 * i] = (byte) samples[i];
            out[3 * i + 1] = (byte) (samples[i] >> 8);
            out[3 * i + 2] = (byte) (samples[i] >> 16);
        }
        return out;
    }

    static byte[] pcm32(int... samples) {
        ByteBuffer b = le(samples.length * 4);
        for (int s : samples) {
            b.putInt(s);
        }
        return b.array();
    }

    static byte[] float32(float... samples) {
        ByteBuffer b = le(samples.length * 4);
        for (float s : samples) {
            b.putFloat(s);
        }
        return b.array();
    }

    static byte[] float64(double... samples) {
        ByteBuffer b = le(samples.length * 8);
        for (double s : samples) {
            b.putDouble(s);
        }
        return b.array();
    }

    /** A valid 16-bit mono file with {@code samples}. */
    static byte[] mono16(int rate, int... samples) {
        return riff(fmt(PCM, 1, rate, 16), data(pcm16(samples)));
    }

    static byte[] ascii(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }

    static byte[] le32(long v) {
        return le(4).putInt((int) v).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
