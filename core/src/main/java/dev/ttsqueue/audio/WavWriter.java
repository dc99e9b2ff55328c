package dev.ttsqueue.audio;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a mono clip as a canonical WAV file. PCM goes out with the 16-byte PCM {@code fmt } chunk;
 * float goes out with an 18-byte {@code fmt } chunk and the {@code fact} chunk the RIFF spec asks
 * for non-PCM data.
 */
final class WavWriter {
    private static final int FRAMES_PER_BUFFER = 8192;

    private WavWriter() {
    }

    static long totalSize(AudioClip clip, WavFormat format) {
        return headerSize(format) + dataSize(clip, format);
    }

    static void write(AudioClip clip, WavFormat format, OutputStream out) throws IOException {
        long dataSize = dataSize(clip, format);
        int header = headerSize(format);
        if (header - 8 + dataSize > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Clip of " + clip.length() + " samples is too long for a WAV file (4 GiB limit)");
        }
        out.write(header(clip, format, dataSize, header));
        float[] samples = clip.samples();
        int width = format.bitsPerSample() / 8;
        byte[] buf = new byte[FRAMES_PER_BUFFER * width];
        for (int start = 0; start < samples.length; start += FRAMES_PER_BUFFER) {
            int n = Math.min(FRAMES_PER_BUFFER, samples.length - start);
            for (int i = 0; i < n; i++) {
                put(format, samples[start + i], buf, i * width);
            }
            out.write(buf, 0, n * width);
        }
    }

    /** A header whose RIFF and data sizes say "unknown" (0xFFFFFFFF), for audio streamed as it is made. */
    static byte[] streamingHeader(int sampleRate, WavFormat format) {
        byte[] h = header(new AudioClip(new float[0], sampleRate), format, 0, headerSize(format));
        int dataSizeAt = h.length - 4;
        for (int i = 0; i < 4; i++) {
            h[4 + i] = (byte) 0xFF;
            h[dataSizeAt + i] = (byte) 0xFF;
        }
        return h;
    }

    /** The data bytes of {@code clip}, exactly as {@link #write} puts them after its header. */
    static byte[] samples(AudioClip clip, WavFormat format) {
        int width = format.bitsPerSample() / 8;
        float[] samples = clip.samples();
        byte[] out = new byte[Math.multiplyExact(samples.length, width)];
        for (int i = 0; i < samples.length; i++) {
            put(format, samples[i], out, i * width);
        }
        return out;
    }

    private static long dataSize(AudioClip clip, WavFormat format) {
        return (long) clip.length() * (format.bitsPerSample() / 8);
    }

    private static int headerSize(WavFormat format) {
        return format == WavFormat.FLOAT_32 ? 58 : 44;
    }

    private static byte[] header(AudioClip clip, WavFormat format, long dataSize, int size) {
        byte[] h = new byte[size];
        int width = format.bitsPerSample() / 8;
        boolean isFloat = format == WavFormat.FLOAT_32;
        int p = 0;
        p = ascii(h, p, "RIFF");
        p = le32(h, p, size - 8 + dataSize);
        p = ascii(h, p, "WAVE");
        p = ascii(h, p, "fmt ");
        p = le32(h, p, isFloat ? 18 : 16);
        p = le16(h, p, isFloat ? 3 : 1);
        p = le16(h, p, 1);
        p = le32(h, p, clip.sampleRate());
        p = le32(h, p, (long) clip.sampleRate() * width);
        p = le16(h, p, width);
        p = le16(h, p, format.bitsPerSample());
        if (isFloat) {
            p = le16(h, p, 0);
            p = ascii(h, p, "fact");
            p = le32(h, p, 4);
            p = le32(h, p, clip.length());
        }
        p = ascii(h, p, "data");
        le32(h, p, dataSize);
        return h;
    }

    private static void put(WavFormat format, float value, byte[] buf, int at) {
        double v = Double.isNaN(value) ? 0 : Math.max(-1.0, Math.min(1.0, value));
        switch (format) {
            case PCM_U8 -> buf[at] = (byte) (quantize(v, 128) + 128);
            case PCM_16 -> le16(buf, at, (int) quantize(v, 32768));
            case PCM_24 -> {
                int s = (int) quantize(v, 8388608);
                buf[at] = (byte) s;
                buf[at + 1] = (byte) (s >> 8);
                buf[at + 2] = (byte) (s >> 16);
            }
            case PCM_32 -> le32(buf, at, quantize(v, 2147483648.0));
            case FLOAT_32 -> le32(buf, at, Float.floatToRawIntBits((float) v));
        }
    }

    /** Scales by 2^(bits-1) so k / 2^(bits-1) round-trips exactly; +1.0 saturates one step short. */
    private static long quantize(double v, double fullScale) {
        return Math.min((long) fullScale - 1, Math.round(v * fullScale));
    }

    private static int ascii(byte[] b, int p, String s) {
        for (int i = 0; i < 4; i++) {
            b[p + i] = (byte) s.charAt(i);
        }
        return p + 4;
    }

    private static int le16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >> 8);
        return p + 2;
    }

    private static int le32(byte[] b, int p, long v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >> 8);
        b[p + 2] = (byte) (v >> 16);
        b[p + 3] = (byte) (v >> 24);
        return p + 4;
    }
}
