package dev.ttsqueue.server.internal;

import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps the old API's {@code ref_audio_path} (a path on the server) onto audio the server manages.
 * The path is resolved with {@code toRealPath} ({@code ..} and links undone) and accepted only
 * when it is the very file of a stored upload or of a voice; anything else is refused without the
 * file ever being opened. Another tenant's upload or voice is refused the same way (a voice must sit
 * directly in the shared voice folder or in the caller's tenant's own), and a voice is copied as an
 * upload of the caller's tenant.
 */
public final class ReferencePaths {
    static final String REFUSED = "ref_audio_path must name an audio file in this server's upload or voice folders";

    private final AudioStore audio;
    private final VoiceBank voices;

    public ReferencePaths(AudioStore audio, VoiceBank voices) {
        this.audio = audio;
        this.voices = voices;
    }

    /**
     * What a {@code ref_audio_path} stands for.
     *
     * @param audioFileId the upload to use
     * @param refText the voice's transcript when the path named a voice; else empty
     * @param temporary true when {@code audioFileId} is a copy made for this job (delete it after)
     */
    public record Resolved(String audioFileId, String refText, boolean temporary) {
    }

    /** @throws ApiException 400 for any path that is not a managed upload or voice file {@code grant} may use */
    public Resolved resolve(TenantKeys.Grant grant, String refAudioPath) throws IOException {
        Path real;
        try {
            if (refAudioPath.indexOf('\0') >= 0) {
                throw ApiException.badRequest(REFUSED);
            }
            real = Path.of(refAudioPath).toRealPath();
        } catch (InvalidPathException | IOException e) {
            throw ApiException.badRequest(REFUSED);
        }
        String stem = stem(real);
        if (stem == null) {
            throw ApiException.badRequest(REFUSED);
        }
        for (Path root : realRoots(audio.roots())) {
            if (real.startsWith(root) && Identifiers.isSafe(stem)) {
                Optional<AudioEntry> entry = audio.find(stem);
                if (entry.isPresent() && grant.sees(entry.get().owner()) && sameFile(entry.get().path(), real)) {
                    return new Resolved(stem, "", false);
                }
            }
        }
        if (voices != null) {
            // The tenant's own voices first, as a voice name finds them; then the shared ones.
            List<VoiceBank> banks = grant.tenant().isEmpty() ? List.of(voices) : ownAndShared(grant);
            for (VoiceBank bank : banks) {
                if (bank.directory() == null) {
                    continue;
                }
                for (Path root : realRoots(List.of(bank.directory()))) {
                    if (real.getParent().equals(root) && Identifiers.isVoiceName(stem)) {
                        Optional<Voice> voice = bank.find(stem);
                        if (voice.isPresent() && sameFile(voice.get().path(), real)) {
                            AudioEntry copy = audio.save(AudioKind.UPLOAD, bank.load(voice.get().name()), grant.tenant());
                            return new Resolved(copy.id(), voice.get().refText(), true);
                        }
                    }
                }
            }
        }
        throw ApiException.badRequest(REFUSED);
    }

    private List<VoiceBank> ownAndShared(TenantKeys.Grant grant) {
        try {
            return List.of(voices.forTenant(grant.tenant()), voices);
        } catch (UnsupportedOperationException e) {
            return List.of(voices);
        }
    }

    private static String stem(Path real) {
        Path name = real.getFileName();
        if (name == null) {
            return null;
        }
        String s = name.toString();
        return s.endsWith(".wav") ? s.substring(0, s.length() - 4) : null;
    }

    private static List<Path> realRoots(List<Path> roots) {
        List<Path> out = new ArrayList<>();
        for (Path r : roots) {
            try {
                out.add(r.toRealPath());
            } catch (IOException e) {
                // A folder that does not exist holds nothing to accept.
            }
        }
        return out;
    }

    private static boolean sameFile(Path stored, Path real) {
        if (stored == null) {
            return false;
        }
        try {
            return stored.toRealPath().equals(real);
        } catch (IOException e) {
            return false;
        }
    }
}
