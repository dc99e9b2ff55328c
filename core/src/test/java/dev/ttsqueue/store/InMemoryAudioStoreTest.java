package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryAudioStoreTest extends AudioStoreContract {

    @Override
    AudioStore create(Clock clock, Duration uploadTtl, Duration outputTtl) {
        return new InMemoryAudioStore(clock, uploadTtl, outputTtl);
    }

    @Test
    void hasNoFilesAndNoRoots() throws IOException {
        AudioStore store = store();
        AudioEntry e = store.save(AudioKind.UPLOAD, tone(8000, 10));
        assertNull(e.path());
        assertTrue(store.roots().isEmpty());
    }
}
