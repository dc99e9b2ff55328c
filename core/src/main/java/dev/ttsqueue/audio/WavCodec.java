package dev.ttsqueue.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Reads and writes WAV files.
 *
 * <p>Reading accepts RIFF/WAVE with PCM 8 (unsigned), 16, 24 and 32-bit, IEEE float 32 and
 * 64-bit, plain or as {@code WAVE_FORMAT_EXTENSIBLE}, at 1 kHz to 768 kHz; any number of channels
 * (up to 256) is averaged down to mono; non-finite float samples become 0. Unknown chunks ({@code LIST}, {@code fact}, ...) are skipped, honouring
 * the pad byte after odd-sized chunks. Tolerated on purpose, because real writers produce them:
 * a RIFF size that disagrees with the file length (the chunk sizes are trusted instead); a RIFF
 * size of 0 or 0xFFFFFFFF, or a data size of 0xFFFFFFFF, left by streaming writers that could not
 * seek back (the samples then run to the end of the file; a data size of 0 means the same only
 * when the RIFF size is unset too, otherwise it is an empty clip); a trailing partial frame
 * (dropped); junk shorter than a chunk header after a complete file. Everything else that is
 * wrong is an {@link AudioFormatException} whose message says what. No size read from a header
 * is allocated before it is checked against the bytes actually present.
 *
 * <p>Writing produces a mono file in the {@link WavFormat} asked for; samples are clipped to
 * [-1, 1] and NaN is written as 0.
 */
public final class WavCodec {
    /** Largest byte array the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private WavCodec() {
    }

    /**
     * Decodes a whole WAV file.
     *
     * @throws AudioFormatException when the bytes are not a WAV file this codec reads
     * @throws NullPointerException when {@code data} is null
     */
    public static AudioClip decode(byte[] data) {
        return WavReader.decode(Objects.requireNonNull(data, "data"));
    }

    /**
     * Reads a WAV file from a stream, refusing streams longer than {@code maxBytes}. Memory grows
     * with the bytes actually read, never with sizes claimed in the header. The stream is read
     * to its end (or past the limit) but not closed.
     *
     * @throws AudioFormatException when the stream holds more than {@code maxBytes} bytes or is
     *     not a WAV file this codec reads
     * @throws IOException when reading fails
     * @throws IllegalArgumentException when {@code maxBytes} is negative
     */
    public static AudioClip read(InputStream in, long maxBytes) throws IOException {
        Objects.requireNonNull(in, "in");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        int limit = (int) Math.min(maxBytes, MAX_ARRAY - 1);
        byte[] bytes = in.readNBytes(limit + 1);
        if (bytes.length > limit) {
            throw new AudioFormatException("Audio is larger than the limit of " + limit + " bytes");
        }
        return decode(bytes);
    }

    /**
     * Reads a WAV file.
     *
     * @throws AudioFormatException when the file is not a WAV file this codec reads (or is over 2 GiB)
     * @throws IOException when the file cannot be read
     */
    public static AudioClip read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, MAX_ARRAY - 1);
        }
    }

    /**
     * Reads only the header of a WAV file: format and length, checked as strictly as {@link #read(Path)}
     * checks them, without reading the samples. Cheap for large files.
     *
     * @throws AudioFormatException when the file is not a WAV file this codec reads
     * @throws IOException when the file cannot be read
     */
    public static WavInfo probe(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            WavReader.Layout layout = WavReader.scan(new WavReader.Source() {
                @Override
                public long length() {
                    return length;
                }

                @Override
                public byte[] read(long pos, int n) throws IOException {
                    ByteBuffer buf = ByteBuffer.allocate(n);
                    while (buf.hasRemaining()) {
                        if (channel.read(buf, pos + buf.position()) < 0) {
                            throw new AudioFormatException("WAV file shrank while being read: " + file.getFileName());
                        }
                    }
                    return buf.array();
                }
            });
            WavReader.Format f = layout.format();
            return new WavInfo(f.sampleRate(), f.channels(), f.bitsPerSample(), f.isFloat(), layout.frames());
        }
    }

    /**
     * The header of a WAV stream whose length is not known when it starts (audio sent while it is
     * made): the RIFF and data chunk sizes are 0xFFFFFFFF, which players read as "until the end of
     * the stream". Follow it with {@link #encodeSamples} of each piece.
     *
     * @throws IllegalArgumentException when {@code sampleRate} is not positive
     */
    public static byte[] streamHeader(int sampleRate, WavFormat format) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive: " + sampleRate);
        }
        return WavWriter.streamingHeader(sampleRate, Objects.requireNonNull(format, "format"));
    }

    /** The samples of {@code clip} as WAV data bytes in {@code format}, without a header: what {@link #encode} puts after its header. */
    public static byte[] encodeSamples(AudioClip clip, WavFormat format) {
        return WavWriter.samples(Objects.requireNonNull(clip, "clip"), Objects.requireNonNull(format, "format"));
    }

    /**
     * Encodes {@code clip} as a complete WAV file.
     *
     * @throws IllegalArgumentException when the clip is too long for a WAV file (over 4 GiB of data)
     */
    public static byte[] encode(AudioClip clip, WavFormat format) {
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(format, "format");
        long size = WavWriter.totalSize(clip, format);
        if (size > MAX_ARRAY) {
            throw new IllegalArgumentException("Clip of " + clip.length() + " samples does not fit in a byte array as WAV");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        try {
            WavWriter.write(clip, format, out);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code clip} as a WAV file to {@code out}, in pieces (no full copy in memory). The
     * stream is not closed.
     *
     * @throws IOException when writing fails
     */
    public static void write(AudioClip clip, WavFormat format, OutputStream out) throws IOException {
        WavWriter.write(Objects.requireNonNull(clip, "clip"), Objects.requireNonNull(format, "format"), Objects.requireNonNull(out, "out"));
    }

    /**
     * Writes {@code clip} as a WAV file, creating or replacing {@code file}. Not atomic: callers
     * that must never expose a half-written file write to a temporary name and move it.
     *
     * @throws IOException when writing fails
     */
    public static void write(AudioClip clip, WavFormat format, Path file) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(clip, format, out);
        }
    }
}
