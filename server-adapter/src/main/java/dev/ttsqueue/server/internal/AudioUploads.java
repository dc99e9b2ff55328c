package dev.ttsqueue.server.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioDecoders;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.DecodeLimits;
import dev.ttsqueue.audio.codecs.AudioCodecs;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
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

    /**
     * Decodes {@code upload}.
     *
     * @throws ApiException 400 "File must be an audio file" when the part is not {@code audio/*};
     *     400 "Invalid audio file: ..." when it cannot be decoded, is too long, or holds no samples
     * @throws UploadTooLargeException (as an IOException) past {@code maxBytes}
     */
    public static AudioClip decode(FormFields.Upload upload, long maxBytes) throws IOException {
        requireAudioType(upload);
        byte[] bytes;
        try (InputStream in = upload.open()) {
            int limit = (int) Math.min(maxBytes, Integer.MAX_VALUE - 9);
            bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw ApiException.badRequest("Invalid audio file: it is larger than the limit of " + limit + " bytes");
            }
        }
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
