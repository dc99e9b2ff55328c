package dev.ttsqueue.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Clips kept in memory (interim version, replaced by the audio work). */
public final class InMemoryAudioStore implements AudioStore {
    private record Stored(AudioEntry entry, AudioClip clip) {
    }

    private final Clock clock;
    private final Duration uploadTtl;
    private final Duration outputTtl;
    private final Map<String, Stored> clips = new ConcurrentHashMap<>();

    public InMemoryAudioStore(Clock clock, Duration uploadTtl, Duration outputTtl) {
        this.clock = clock;
        this.uploadTtl = uploadTtl;
        this.outputTtl = outputTtl;
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip) {
        Instant now = clock.instant();
        Duration ttl = kind == AudioKind.UPLOAD ? uploadTtl : outputTtl;
        AudioEntry e = new AudioEntry(Identifiers.newId(), kind, now, ttl == null ? null : now.plus(ttl),
                clip.durationSeconds(), 44L + 2L * clip.length(), null);
        clips.put(e.id(), new Stored(e, clip));
        return e;
    }

    @Override
    public Optional<AudioEntry> find(String id) {
        return Optional.ofNullable(id == null ? null : clips.get(id)).map(Stored::entry);
    }

    @Override
    public AudioClip load(String id) throws IOException {
        Stored s = id == null ? null : clips.get(id);
        if (s == null) {
            throw new FileNotFoundException("Audio file not found: " + id);
        }
        return s.clip();
    }

    @Override
    public InputStream open(String id) throws IOException {
        return new ByteArrayInputStream(WavCodec.encode(load(id), WavFormat.PCM_16));
    }

    @Override
    public boolean delete(String id) {
        return id != null && clips.remove(id) != null;
    }

    @Override
    public List<AudioEntry> list() {
        List<AudioEntry> out = new ArrayList<>();
        clips.values().forEach(s -> out.add(s.entry()));
        return out;
    }

    @Override
    public int purgeExpired(Instant now) {
        int n = 0;
        for (Stored s : List.copyOf(clips.values())) {
            if (s.entry().isExpired(now) && clips.remove(s.entry().id(), s)) {
                n++;
            }
        }
        return n;
    }
}
