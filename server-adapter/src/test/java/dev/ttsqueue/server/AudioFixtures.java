package dev.ttsqueue.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The audio files the audio-codecs module's tests committed (made by lame, flac and oggenc; see their README). */
final class AudioFixtures {
    private AudioFixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = AudioFixtures.class.getResourceAsStream("/dev/ttsqueue/audio/codecs/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no audio fixture " + name + " (from the ttsqueue-audio-codecs test jar)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
