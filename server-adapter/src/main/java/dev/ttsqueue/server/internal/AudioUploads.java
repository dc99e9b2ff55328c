package dev.ttsqueue.server.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.AudioFormatException;
import dev.ttsqueue.audio.WavCodec;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks and decodes an uploaded audio file at upload time, so a file the model could never read
 * is refused with a reason now instead of failing a job later.
 */
public final class AudioUploads {
    private static final Logger log = LoggerFactory.getLogger(AudioUploads.class);
    private static final Set<String> AUDIO_EXTENSIONS = Set.of("wav", "wave");

    private AudioUploads() {
    }

    /**
     * Decodes {@code upload}.
     *
     * @throws ApiException 400 "File must be an audio file" when the part is not {@code audio/*};
     *     400 "Invalid audio file: ..." when it cannot be decoded or holds no samples
     * @throws UploadTooLargeException (as an IOException) past {@code maxBytes}
     */
    public static AudioClip decode(FormFields.Upload upload, long maxBytes) throws IOException {
        if (!isAudio(upload)) {
            throw ApiException.badRequest("File must be an audio file");
        }
        AudioClip clip;
        try (InputStream in = upload.open()) {
            clip = WavCodec.read(in, maxBytes);
        } catch (AudioFormatException e) {
            throw ApiException.badRequest("Invalid audio file: " + e.getMessage());
        } catch (RuntimeException e) {
            // Bytes from a client: whatever trips the decoder is the file's fault, not the server's.
            log.debug("upload {} could not be decoded", upload.fileName(), e);
            throw ApiException.badRequest("Invalid audio file: it could not be decoded as WAV");
        }
        if (clip.length() == 0) {
            throw ApiException.badRequest("Invalid audio file: it holds no samples");
        }
        return clip;
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
