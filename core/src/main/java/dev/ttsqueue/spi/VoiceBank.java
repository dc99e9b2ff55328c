package dev.ttsqueue.spi;

import dev.ttsqueue.audio.AudioClip;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Named permanent voices. The directory layout is the old server's: {@code {name}.wav} with an
 * optional {@code {name}_ref.txt} holding the transcript, so an existing voice folder works as is.
 */
public interface VoiceBank {

    /**
     * Stores a voice, replacing one of the same name.
     *
     * @param name any name; it is normalised first
     * @param refText transcript, or empty
     */
    Voice save(String name, AudioClip audio, String refText) throws IOException;

    /**
     * Stores {@code refText} as the transcript of voice {@code name}, but only while the voice still
     * has no transcript and exactly the audio {@code transcribed} (so a transcript never lands on a
     * voice replaced in the meantime). The queue calls this after transcribing a permanent voice, so
     * each voice is transcribed once. The default stores nothing.
     *
     * @param name the stored, normalised name
     * @return true when the transcript was stored
     * @throws IOException when it cannot be written
     */
    default boolean storeTranscript(String name, AudioClip transcribed, String refText) throws IOException {
        return false;
    }

    /** The voice with this (normalised) name. */
    Optional<Voice> find(String name);

    /**
     * The voice a user's spelling of a name refers to ({@code "My Voice"}, {@code "ANNA"}): each of
     * {@link Identifiers#voiceNameCandidates} in turn, so voices stored under the earlier
     * underscore rule are found as well.
     *
     * @return empty when no candidate is stored, or the spelling has nothing usable
     */
    default Optional<Voice> lookup(String spelling) {
        for (String candidate : Identifiers.voiceNameCandidates(spelling)) {
            Optional<Voice> voice = find(candidate);
            if (voice.isPresent()) {
                return voice;
            }
        }
        return Optional.empty();
    }

    AudioClip load(String name) throws IOException;

    List<Voice> list();

    boolean delete(String name) throws IOException;

    /**
     * The permanent voices of tenant {@code tenant}: a namespace of their own, apart from this
     * bank's voices (which every tenant shares), so two tenants may each have a voice {@code anna}.
     * A tenant's job finds its own voice first, then the shared one of that name. Asked again for
     * the same tenant, it gives a bank over the same voices. For the anonymous tenant, this bank.
     *
     * <p>The default supports only the anonymous tenant: a bank written before tenants keeps every
     * voice shared and refuses to pretend otherwise.
     *
     * @param tenant a tenant name as {@link dev.ttsqueue.JobRequest#checkTenant} accepts it; null or empty for the anonymous tenant
     * @throws UnsupportedOperationException when this bank keeps no per-tenant voices
     * @throws dev.ttsqueue.InvalidRequestException when {@code tenant} is not a valid tenant name, or one this bank cannot hold
     *     (a folder bank refuses {@code .} and {@code ..})
     */
    default VoiceBank forTenant(String tenant) {
        if (!dev.ttsqueue.JobRequest.checkTenant(tenant).isEmpty()) {
            throw new UnsupportedOperationException(getClass().getName() + " keeps no per-tenant voices");
        }
        return this;
    }

    /** Where voices live, for listing ({@code storage_path}) and {@code ref_audio_path} checks; null for non-file banks. */
    Path directory();
}
