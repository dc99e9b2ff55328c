package dev.ttsqueue.server.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.Voice;
import java.util.Optional;

/**
 * Voice names as the voice bank stores them (the tenant's own voice first, then the shared one), so results report {@code anna} when a client asked
 * for {@code Anna}, and {@code my_voice} for a voice an earlier version saved under that name.
 */
final class VoiceNames {
    private VoiceNames() {
    }

    /**
     * The stored name {@code name} refers to ({@link TenantVoices#lookup}); when no voice has it, its
     * normalised form, or the name as given when it has nothing usable (the queue then answers 404).
     */
    static String canonical(TenantVoices voices, TenantKeys.Grant grant, String name) {
        Optional<Voice> stored = voices.lookup(grant, name);
        if (stored.isPresent()) {
            return stored.get().name();
        }
        try {
            return Identifiers.normalizeVoiceName(name);
        } catch (InvalidRequestException e) {
            return name;
        }
    }
}
