package dev.ttsqueue.server.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.spi.Identifiers;

/** Voice names as the voice bank stores them, so results report {@code anna} when a client asked for {@code Anna}. */
final class VoiceNames {
    private VoiceNames() {
    }

    /** The voice-bank form of {@code name}; a name with nothing usable is passed on as given (the queue answers 404). */
    static String canonical(String name) {
        try {
            return Identifiers.normalizeVoiceName(name);
        } catch (InvalidRequestException e) {
            return name;
        }
    }
}
