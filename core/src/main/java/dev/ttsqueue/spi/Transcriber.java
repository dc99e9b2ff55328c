package dev.ttsqueue.spi;

import dev.ttsqueue.audio.AudioClip;

/**
 * Fills an empty reference transcript (upstream F5-TTS uses Whisper). Optional: without one, a
 * backend that needs reference text refuses jobs that have none.
 */
@FunctionalInterface
public interface Transcriber {
    String transcribe(AudioClip reference) throws Exception;
}
