package dev.ttsqueue.audio.codecs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The committed audio files under {@code fixtures/} (see the README there for how each was made). */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
