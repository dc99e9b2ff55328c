package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored audio found unreadable at start is kept, still found and served, and reported as damaged. */
class DirectoryAudioStoreDamageTest {
    @TempDir
    Path dir;

    @Test
    void anUnreadableFileFoundAtStartIsKeptAndReported() throws Exception {
        DirectoryAudioStore first = new DirectoryAudioStore(dir, Clock.systemUTC(), null, null);
        AudioEntry good = first.save(AudioKind.OUTPUT, new AudioClip(new float[2400], 24_000));
        AudioEntry bad = first.save(AudioKind.OUTPUT, new AudioClip(new float[2400], 24_000));
        byte[] garbage = "not a WAV any more".getBytes(StandardCharsets.US_ASCII);
        Files.write(bad.path(), garbage);

        DirectoryAudioStore again = new DirectoryAudioStore(dir, Clock.systemUTC(), null, null);

        assertTrue(Files.exists(bad.path()), "the file is kept");
        assertTrue(again.find(bad.id()).isPresent(), "the output is still found, not a 404");
        assertTrue(again.damage(bad.id()).orElseThrow().startsWith("stored audio cannot be read: "), again.damage(bad.id())::toString);
        try (InputStream in = again.open(bad.id())) {
            assertArrayEquals(garbage, in.readAllBytes(), "served as the bytes it is");
        }
        assertEquals(Optional.empty(), again.damage(good.id()));
        assertEquals(0.1, again.find(good.id()).orElseThrow().durationSeconds(), 1e-9);
        assertTrue(again.delete(bad.id()));
        assertEquals(Optional.empty(), again.damage(bad.id()), "a deleted clip is no longer reported");
    }
}
