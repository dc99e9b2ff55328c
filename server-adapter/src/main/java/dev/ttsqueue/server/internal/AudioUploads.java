package dev.ttsqueue.server.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioDecoders;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.DecodeLimits;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavInfo;
import dev.ttsqueue.audio.codecs.AudioCodecs;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Checks and decodes an uploaded audio file at upload time, so a file the model could never read
 * is refused with a reason now instead of failing a job later. WAV, MP3, FLAC and Ogg Vorbis are
 * read ({@link AudioCodecs}), told apart by their content, whatever the file is called or declared
 * as; the decoded reference may last at most {@link #LIMITS} (5 minutes), and a file that would
 * decode to more is refused before it is decoded whole.
 */
public final class AudioUploads {
    /** Longest decoded reference: generous, since voice cloning uses only the first seconds of it. */
    public static final DecodeLimits LIMITS = DecodeLimits.defaults();
    /** File names judged to be audio when a part comes without a Content-Type. */
    private static final Set<String> AUDIO_EXTENSIONS = Set.of("wav", "wave", "mp3", "flac", "ogg", "oga");
    private static final AudioDecoders DECODERS = AudioCodecs.all();

    private AudioUploads() {
    }

    /** Work for a decoded clip (storing it) done while the clip's memory is still accounted for. */
    @FunctionalInterface
    public interface ClipUse<T> {
        T apply(AudioClip clip) throws IOException;
    }

    /**
     * Decodes {@code upload} and hands the clip to {@code use}, within the JVM's decode budget
     * ({@link DecodeBudget}): the file is first streamed to {@code tempDir}, so a WAV too long for
     * the limits is refused from its header before any of it is in memory; then its bytes, its
     * samples and whatever {@code use} builds from them hold a share of the budget until
     * {@code use} returns.
     *
     * @throws ApiException 400 "File must be an audio file" when the part is not {@code audio/*};
     *     400 "Invalid audio file: ..." when it cannot be decoded, is too long, or holds no samples;
     *     503 with {@code Retry-After} when too much audio is being decoded at once
     * @throws UploadTooLargeException (as an IOException) past {@code maxBytes}
     */
    public static <T> T decode(FormFields.Upload upload, long maxBytes, Path tempDir, ClipUse<T> use) throws IOException {
        requireAudioType(upload);
        long limit = Math.min(maxBytes, Integer.MAX_VALUE - 9);
        Path file = Files.createTempFile(tempDir, "upload-", ".audio");
        try {
            long size;
            try (InputStream in = upload.open(); OutputStream out = Files.newOutputStream(file)) {
                size = copy(in, out, limit + 1);
            }
            if (size > limit) {
                throw ApiException.badRequest("Invalid audio file: it is larger than the limit of " + limit + " bytes");
            }
            try (DecodeBudget.Share share = DecodeBudget.jvm().take(size + decodedBytes(file, size))) {
                byte[] bytes = Files.readAllBytes(file);
                Files.delete(file);
                return use.apply(decode(bytes));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Heap that decoding {@code file} and storing the result may take besides the file's bytes: its
     * samples as floats, and as much again for the copies made on the way (resampling, encoding).
     * From the header for WAV, which also refuses a WAV too long before it is read; for other
     * formats, whose length shows only once decoded, the longest clip the limits allow.
     */
    private static long decodedBytes(Path file, long size) throws IOException {
        long frames = LIMITS.maxSamples();
        if (size >= 12 && isRiff(file)) {
            try {
                WavInfo info = WavCodec.probe(file);
                LIMITS.check("WAV", info.frames(), info.sampleRate());
                frames = Math.min(frames, info.frames());
            } catch (AudioFormatException e) {
                throw ApiException.badRequest("Invalid audio file: " + e.getMessage());
            }
        }
        return frames * Float.BYTES * 2;
    }

    private static boolean isRiff(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1).equals("RIFF");
        }
    }

    private static long copy(InputStream in, OutputStream out, long max) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n = in.read(buf); n >= 0 && total < max; n = in.read(buf)) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    private static AudioClip decode(byte[] bytes) {
        AudioClip clip;
        try {
            // AudioDecoders turns whatever a decoder library trips over into an AudioFormatException.
            clip = DECODERS.decode(bytes, LIMITS);
        } catch (AudioFormatException e) {
            throw ApiException.badRequest("Invalid audio file: " + e.getMessage());
        }
        if (clip.length() == 0) {
            throw ApiException.badRequest("Invalid audio file: it holds no samples");
        }
        return clip;
    }

    /** @throws ApiException 400 "File must be an audio file" unless the part is declared (or named) as audio */
    public static void requireAudioType(FormFields.Upload upload) {
        if (!isAudio(upload)) {
            throw ApiException.badRequest("File must be an audio file");
        }
    }

    /**
     * {@code audio/*}, as the old server required. A part sent with no Content-Type at all (Python
     * {@code requests} given a bare file object) is judged by its file name instead, where the old
     * server failed with an internal error.
     */
    private static boolean isAudio(FormFields.Upload upload) {
        boolean declared = upload.part().getHeaders().getFirst("Content-Type") != null;
        MediaType t = upload.mediaType();
        if (declared) {
            return t != null && "audio".equalsIgnoreCase(t.getType());
        }
        String name = upload.fileName() == null ? "" : upload.fileName().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && AUDIO_EXTENSIONS.contains(name.substring(dot + 1));
    }
}
