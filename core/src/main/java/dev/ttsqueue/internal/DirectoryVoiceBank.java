package dev.ttsqueue.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** PENDING: replaced by the audio work. */
public final class DirectoryVoiceBank implements VoiceBank {
    public DirectoryVoiceBank(Path dir) {
    }

    @Override
    public Voice save(String name, AudioClip audio, String refText) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public Optional<Voice> find(String name) {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public AudioClip load(String name) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public List<Voice> list() {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public boolean delete(String name) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public Path directory() {
        throw new UnsupportedOperationException("pending");
    }
}
