package dev.ttsqueue.audio;

import java.util.Locale;

/**
 * Parses a RIFF/WAVE file held in memory. Every size read from the header is checked against the
 * bytes actually present before anything is allocated, so a header that lies can only cause an
 * {@link AudioFormatException}, never a large allocation.
 */
final class WavReader {
    static final int MAX_CHANNELS = 256;
    static final int MAX_SAMPLE_RATE = 768_000;

    private static final int TAG_PCM = 0x0001;
    private static final int TAG_FLOAT = 0x0003;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;
    /** The 14 bytes that follow the format code in a KSDATAFORMAT_SUBTYPE_* GUID. */
    private static final byte[] GUID_TAIL = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    private final byte[] data;

    private WavReader(byte[] data) {
        this.data = data;
    }

    static AudioClip decode(byte[] data) {
        return new WavReader(data).decode();
    }

    /** The format fields that matter for decoding. */
    private record Format(int encoding, int channels, int sampleRate, int blockAlign, int bitsPerSample) {
        int bytesPerSample() {
            return bitsPerSample / 8;
        }
    }

    private AudioClip decode() {
        if (data.length < 12) {
            throw new AudioFormatException("Not a WAV file: " + data.length + " bytes is too short for a RIFF header (12 bytes)");
        }
        String riff = fourCc(0);
        if (riff.equals("RIFX")) {
            throw new AudioFormatException("Unsupported WAV file: big-endian RIFX files are not supported");
        }
        if (riff.equals("RF64")) {
            throw new AudioFormatException("Unsupported WAV file: RF64 (64-bit RIFF) files are not supported");
        }
        if (!riff.equals("RIFF")) {
            throw new AudioFormatException("Not a WAV file: it does not start with 'RIFF' (found " + printable(riff) + ")");
        }
        if (!fourCc(8).equals("WAVE")) {
            throw new AudioFormatException("Not a WAV file: the RIFF form type is " + printable(fourCc(8)) + ", not 'WAVE'");
        }
        long riffSize = u32(4);
        boolean streamed = riffSize == 0 || riffSize == UNKNOWN_SIZE;
        long end;
        if (streamed || riffSize + 8 > data.length) {
            // Streaming writers leave 0 or 0xFFFFFFFF here, and truncated copies claim more than
            // they hold: bound the scan by the bytes we have; the chunk checks catch real damage.
            end = data.length;
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
            String id = fourCc((int) pos);
            long size = u32((int) pos + 4);
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
                    format = parseFormat((int) body, size);
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
        return samples(format, (int) dataOffset, dataSize);
    }

    private Format parseFormat(int at, long size) {
        if (size < 16) {
            throw new AudioFormatException("Malformed WAV: 'fmt ' chunk is " + size + " bytes, at least 16 are needed");
        }
        int tag = u16(at);
        int channels = u16(at + 2);
        long sampleRate = u32(at + 4);
        int blockAlign = u16(at + 12);
        int bits = u16(at + 14);
        int encoding = tag;
        if (tag == TAG_EXTENSIBLE) {
            if (size < 40 || u16(at + 16) < 22) {
                throw new AudioFormatException("Malformed WAV: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is too short for its sub-format ("
                        + size + " bytes)");
            }
            int validBits = u16(at + 18);
            encoding = u16(at + 24);
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (data[at + 26 + i] != GUID_TAIL[i]) {
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
        if (sampleRate > MAX_SAMPLE_RATE) {
            throw new AudioFormatException("Unsupported WAV: sample rate " + sampleRate + " Hz (at most " + MAX_SAMPLE_RATE + " Hz)");
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

    private AudioClip samples(Format f, int offset, long size) {
        // A trailing partial frame (some writers cut mid-frame) is dropped, not an error.
        int frames = (int) (size / f.blockAlign());
        float[] out = new float[frames];
        int bytes = f.bytesPerSample();
        float scale = 1f / f.channels();
        int p = offset;
        for (int i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < f.channels(); c++) {
                sum += sample(f.encoding(), f.bitsPerSample(), p);
                p += bytes;
            }
            out[i] = (float) (sum * scale);
        }
        return new AudioClip(out, f.sampleRate());
    }

    private double sample(int encoding, int bits, int p) {
        if (encoding == TAG_FLOAT) {
            double v = bits == 32 ? Float.intBitsToFloat(s32(p)) : Double.longBitsToDouble(s64(p));
            return Double.isFinite(v) ? v : 0; // one NaN would poison every later computation
        }
        return switch (bits) {
            case 8 -> ((data[p] & 0xFF) - 128) / 128.0;
            case 16 -> ((short) u16(p)) / 32768.0;
            case 24 -> (((data[p] & 0xFF) | (data[p + 1] & 0xFF) << 8 | data[p + 2] << 16)) / 8388608.0;
            default -> s32(p) / 2147483648.0;
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

    private String fourCc(int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) (data[at + i] & 0xFF);
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

    private int u16(int at) {
        return (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8;
    }

    private int s32(int at) {
        return (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8 | (data[at + 2] & 0xFF) << 16 | data[at + 3] << 24;
    }

    private long u32(int at) {
        return s32(at) & 0xFFFFFFFFL;
    }

    private long s64(int at) {
        return (s32(at) & 0xFFFFFFFFL) | ((long) s32(at + 4)) << 32;
    }
}
