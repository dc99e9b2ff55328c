package dev.ttsqueue.server.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.util.Optional;

/**
 * Voice names as the voice bank stores them, so results report {@code anna} when a client asked
 * for {@code Anna}, and {@code my_voice} for a voice an earlier version saved under that name.
 */
final class VoiceNames {
    private VoiceNames() {
    }

    /**
     * The stored name {@code name} refers to ({@link VoiceBank#lookup}); when no voice has it, its
     * normalised form, or the name as given when it has nothing usable (the queue then answers 404).
     */
    static String canonical(VoiceBank bank, String name) {
        if (bank != null) {
            Optional<Voice> stored = bank.lookup(name);
            if (stored.isPresent()) {
                return stored.get().name();
            }
        }
        try {
            return Identifiers.normalizeVoiceName(name);
        } catch (InvalidRequestException e) {
            return name;
        }
    }
}
