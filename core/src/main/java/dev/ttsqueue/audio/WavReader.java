package dev.ttsqueue.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parses a RIFF/WAVE file held in memory. Every size read from the header is checked against the
 * bytes actually present before anything is allocated, so a header that lies can only cause an
 * {@link AudioFormatException}, never a large allocation.
 */
final class WavReader {
    static final int MAX_CHANNELS = 256;
    /** Below this no speech is left, and resampling to 24 kHz would multiply the sample count absurdly. */
    static final int MIN_SAMPLE_RATE = 1_000;
    static final int MAX_SAMPLE_RATE = 768_000;

    private static final int TAG_PCM = 0x0001;
    private static final int TAG_FLOAT = 0x0003;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;
    /** The 14 bytes that follow the format code in a KSDATAFORMAT_SUBTYPE_* GUID. */
    private static final byte[] GUID_TAIL = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    /** Random access to the file's bytes: an array when decoding, a file channel when probing. */
    interface Source {
        long length();

        /** Reads exactly {@code n} bytes at {@code pos}; the caller has checked they exist. */
        byte[] read(long pos, int n) throws IOException;
    }

    /** The format fields that matter for decoding. */
    record Format(int encoding, int channels, int sampleRate, int blockAlign, int bitsPerSample) {
        int bytesPerSample() {
            return bitsPerSample / 8;
        }

        boolean isFloat() {
            return encoding == TAG_FLOAT;
        }
    }

    /** Where the samples are. */
    record Layout(Format format, long dataOffset, long dataSize) {
        long frames() {
            return dataSize / format.blockAlign(); // a trailing partial frame is dropped, not an error
        }
    }

    private WavReader() {
    }

    static AudioClip decode(byte[] data) {
        return decode(data, null);
    }

    /** Decodes, refusing (from the header, before any sample is read) audio longer than {@code limits}; null for none. */
    static AudioClip decode(byte[] data, DecodeLimits limits) {
        Layout layout;
        try {
            layout = scan(new Source() {
                @Override
                public long length() {
                    return data.length;
                }

                @Override
                public byte[] read(long pos, int n) {
                    return Arrays.copyOfRange(data, (int) pos, (int) pos + n);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("reading a byte array cannot fail", e);
        }
        if (limits != null) {
            limits.check("WAV", layout.frames(), layout.format().sampleRate());
        }
        return samples(data, layout);
    }

    /** Validates the header and finds the samples without reading them. */
    static Layout scan(Source src) throws IOException {
        long length = src.length();
        if (length < 12) {
            throw new AudioFormatException("Not a WAV file: " + length + " bytes is too short for a RIFF header (12 bytes)");
        }
        byte[] head = src.read(0, 12);
        String riff = fourCc(head, 0);
        if (riff.equals("RIFX")) {
            throw new AudioFormatException("Unsupported WAV file: big-endian RIFX files are not supported");
        }
        if (riff.equals("RF64")) {
            throw new AudioFormatException("Unsupported WAV file: RF64 (64-bit RIFF) files are not supported");
        }
        if (!riff.equals("RIFF")) {
            throw new AudioFormatException("Not a WAV file: it does not start with 'RIFF' (found " + printable(riff) + ")");
        }
        if (!fourCc(head, 8).equals("WAVE")) {
            throw new AudioFormatException("Not a WAV file: the RIFF form type is " + printable(fourCc(head, 8)) + ", not 'WAVE'");
        }
        long riffSize = u32(head, 4);
        boolean streamed = riffSize == 0 || riffSize == UNKNOWN_SIZE;
        long end;
        if (streamed || riffSize + 8 > length) {
            // Streaming writers leave 0 or 0xFFFFFFFF here, and truncated copies claim more than
            // they hold: bound the scan by the bytes we have; the chunk checks catch real damage.
            end = length;
        } else if (riffSize < 4) {
            throw new AudioFormatException("Malformed WAV: RIFF size " + riffSize + " is smaller than its 'WAVE' form type");
        } else {
            end = riffSize + 8;
        }

        Format format = null;
        long dataOffset = -1;
        long dataSize = -1;
        long pos = 12;
        while (pos < end) {
            if (end - pos < 8) {
                if (format != null && dataOffset >= 0) {
                    break; // trailing padding or junk after a complete file
                }
                throw new AudioFormatException("Malformed WAV: truncated chunk header at byte " + pos + " (" + (end - pos) + " bytes left)");
            }
            byte[] header = src.read(pos, 8);
            String id = fourCc(header, 0);
            long size = u32(header, 4);
            long body = pos + 8;
            if (id.equals("data")) {
                if (dataOffset >= 0) {
                    throw new AudioFormatException("Malformed WAV: more than one 'data' chunk");
                }
                dataOffset = body;
                if (size == UNKNOWN_SIZE || (size == 0 && streamed)) {
                    // Sizes left unset by a streaming writer: the samples run to the end of the file.
                    // A 0 with a real RIFF size is an honest empty chunk, so it stays empty.
                    dataSize = end - body;
                    break;
                }
                if (size > end - body) {
                    throw new AudioFormatException("Malformed WAV: 'data' chunk declares " + size + " bytes but only "
                            + (end - body) + " are present (file truncated?)");
                }
                dataSize = size;
            } else {
                if (size > end - body) {
                    throw new AudioFormatException("Malformed WAV: chunk " + printable(id) + " at byte " + pos + " declares "
                            + size + " bytes but only " + (end - body) + " are present");
                }
                if (id.equals("fmt ")) {
                    if (format != null) {
                        throw new AudioFormatException("Malformed WAV: more than one 'fmt ' chunk");
                    }
                    format = parseFormat(src.read(body, (int) Math.min(size, 40)), size);
                }
            }
            pos = body + size + (size & 1); // chunks are padded to an even length
        }
        if (format == null) {
            throw new AudioFormatException("Malformed WAV: no 'fmt ' chunk");
        }
        if (dataOffset < 0) {
            throw new AudioFormatException("Malformed WAV: no 'data' chunk");
        }
        return new Layout(format, dataOffset, dataSize);
    }

    /** {@code b} holds the first min(size, 40) bytes of the chunk body. */
    private static Format parseFormat(byte[] b, long size) {
        if (size < 16) {
            throw new AudioFormatException("Malformed WAV: 'fmt ' chunk is " + size + " bytes, at least 16 are needed");
        }
        int tag = u16(b, 0);
        int channels = u16(b, 2);
        long sampleRate = u32(b, 4);
        int blockAlign = u16(b, 12);
        int bits = u16(b, 14);
        int encoding = tag;
        if (tag == TAG_EXTENSIBLE) {
            if (size < 40 || u16(b, 16) < 22) {
                throw new AudioFormatException("Malformed WAV: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is too short for its sub-format ("
                        + size + " bytes)");
            }
            int validBits = u16(b, 18);
            encoding = u16(b, 24);
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (b[26 + i] != GUID_TAIL[i]) {
                    throw new AudioFormatException("Unsupported WAV encoding: WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID");
                }
            }
            if (validBits > bits) {
                throw new AudioFormatException("Malformed WAV: " + validBits + " valid bits do not fit in " + bits + "-bit samples");
            }
        }
        if (channels == 0) {
            throw new AudioFormatException("Malformed WAV: 0 channels");
        }
        if (channels > MAX_CHANNELS) {
            throw new AudioFormatException("Unsupported WAV: " + channels + " channels (at most " + MAX_CHANNELS + ")");
        }
        if (sampleRate == 0) {
            throw new AudioFormatException("Malformed WAV: sample rate is 0 Hz");
        }
        if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
            throw new AudioFormatException("Unsupported WAV: sample rate " + sampleRate + " Hz (supported: " + MIN_SAMPLE_RATE
                    + " to " + MAX_SAMPLE_RATE + " Hz)");
        }
        switch (encoding) {
            case TAG_PCM -> {
                if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
                    throw new AudioFormatException("Unsupported WAV: " + bits + "-bit PCM (8, 16, 24 and 32 are supported)");
                }
            }
            case TAG_FLOAT -> {
                if (bits != 32 && bits != 64) {
                    throw new AudioFormatException("Unsupported WAV: " + bits + "-bit IEEE float (32 and 64 are supported)");
                }
            }
            default -> throw new AudioFormatException("Unsupported WAV encoding: format code 0x"
                    + String.format(Locale.ROOT, "%04X", encoding) + describeTag(encoding) + "; only PCM and IEEE float are supported");
        }
        int expectedAlign = channels * (bits / 8);
        if (blockAlign != expectedAlign) {
            throw new AudioFormatException("Malformed WAV: block align is " + blockAlign + " bytes but " + channels + " channel(s) of "
                    + bits + "-bit samples need " + expectedAlign);
        }
        return new Format(encoding, channels, (int) sampleRate, blockAlign, bits);
    }

    /** Averages the channels of every frame; allocation is bounded by the bytes in {@code data}. */
    private static AudioClip samples(byte[] data, Layout layout) {
        Format f = layout.format();
        int frames = (int) layout.frames();
        float[] out = new float[frames];
        int bytes = f.bytesPerSample();
        int channels = f.channels();
        double scale = 1.0 / channels;
        int p = (int) layout.dataOffset();
        for (int i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += sample(data, f, p);
                p += bytes;
            }
            out[i] = (float) (sum * scale);
        }
        return new AudioClip(out, f.sampleRate());
    }

    private static double sample(byte[] data, Format f, int p) {
        if (f.isFloat()) {
            double v = f.bitsPerSample() == 32 ? Float.intBitsToFloat(s32(data, p)) : Double.longBitsToDouble(s64(data, p));
            // One NaN or infinity would poison every later computation, and a 64-bit value past
            // float's range becomes one when the clip stores it: full scale is ±1, and past it the
            // sample is clipped, as any conversion to integer samples would.
            return Double.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
        }
        return switch (f.bitsPerSample()) {
            case 8 -> ((data[p] & 0xFF) - 128) / 128.0;
            case 16 -> ((short) u16(data, p)) / 32768.0;
            case 24 -> ((data[p] & 0xFF) | (data[p + 1] & 0xFF) << 8 | data[p + 2] << 16) / 8388608.0;
            default -> s32(data, p) / 2147483648.0;
        };
    }

    private static String describeTag(int tag) {
        return switch (tag) {
            case 0x0002 -> " (MS ADPCM)";
            case 0x0006 -> " (A-law)";
            case 0x0007 -> " (mu-law)";
            case 0x0011 -> " (IMA ADPCM)";
            case 0x0031 -> " (GSM 6.10)";
            case 0x0055 -> " (MP3)";
            case 0x0000 -> " (unknown)";
            default -> "";
        };
    }

    private static String fourCc(byte[] b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) (b[at + i] & 0xFF);
        }
        return new String(c);
    }

    private static String printable(String fourCc) {
        StringBuilder sb = new StringBuilder("'");
        for (char ch : fourCc.toCharArray()) {
            if (ch >= 0x20 && ch < 0x7F) {
                sb.append(ch);
            } else {
                sb.append(String.format(Locale.ROOT, "\\x%02X", (int) ch));
            }
        }
        return sb.append('\'').toString();
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static int s32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | b[at + 3] << 24;
    }

    private static long u32(byte[] b, int at) {
        return s32(b, at) & 0xFFFFFFFFL;
    }

    private static long s64(byte[] b, int at) {
        return (s32(b, at) & 0xFFFFFFFFL) | ((long) s32(b, at + 4)) << 32;
    }
}
