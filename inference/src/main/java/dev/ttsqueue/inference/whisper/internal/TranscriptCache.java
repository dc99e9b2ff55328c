package dev.ttsqueue.inference.whisper.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.whisper.Transcript;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Transcripts by the SHA-256 of the clip's content (sample rate and sample bits), least recently
 * used first out, so a reference used by many jobs is transcribed once (upstream F5-TTS caches by
 * the audio file's hash too). Thread-safe.
 */
public final class TranscriptCache {
    private final int capacity;
    private final Map<String, Transcript> entries;

    public TranscriptCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Transcript> eldest) {
                return size() > TranscriptCache.this.capacity;
            }
        };
    }

    /** The content hash used as key. */
    public static String key(AudioClip clip) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(4 * 4096);
        buf.putInt(clip.sampleRate());
        for (float s : clip.samples()) {
            if (!buf.hasRemaining()) {
                sha.update(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putInt(Float.floatToIntBits(s));
        }
        sha.update(buf.array(), 0, buf.position());
        return HexFormat.of().formatHex(sha.digest());
    }

    public synchronized Transcript get(String key) {
        return capacity == 0 ? null : entries.get(key);
    }

    public synchronized void put(String key, Transcript transcript) {
        if (capacity > 0) {
            entries.put(key, transcript);
        }
    }

    public synchronized int size() {
        return entries.size();
    }
}
