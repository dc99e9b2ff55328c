package dev.ttsqueue.spi;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.internal.DirectoryVoiceBank;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Named permanent voices. The directory layout is the old server's: {@code {name}.wav} with an
 * optional {@code {name}_ref.txt} holding the transcript, so an existing voice folder works as is.
 */
public interface VoiceBank {

    static VoiceBank directory(Path dir) throws IOException {
        return new DirectoryVoiceBank(dir);
    }

    /**
     * Stores a voice, replacing one of the same name.
     *
     * @param name any name; it is normalised first
     * @param refText transcript, or empty
     */
    Voice save(String name, AudioClip audio, String refText) throws IOException;

    /** The voice with this (normalised) name. */
    Optional<Voice> find(String name);

    AudioClip load(String name) throws IOException;

    List<Voice> list();

    boolean delete(String name) throws IOException;

    /** Where voices live, for listing ({@code storage_path}) and {@code ref_audio_path} checks; null for non-file banks. */
    Path directory();
}
