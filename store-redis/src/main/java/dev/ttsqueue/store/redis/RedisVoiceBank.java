package dev.ttsqueue.store.redis;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.redis.internal.Keys;
import dev.ttsqueue.store.redis.internal.RedisLink;
import dev.ttsqueue.store.redis.internal.Script;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Named permanent voices in Redis, the same for every node: a voice uploaded to one node speaks
 * on all of them. Each voice is one hash (16-bit WAV bytes, transcript, duration, and a SHA-256
 * of the bytes, which guards {@link #storeTranscript}); a sorted set lists the names. Names are
 * normalised as {@link Identifiers#normalizeVoiceName} says, as in the directory bank. There is
 * no folder ({@link #directory()} is null), so a {@code ref_audio_path} never names a voice here.
 * Voices last until deleted. A tenant's own voices ({@link #forTenant}) are hashes and a name
 * set of their own ({@code tvoice:{tenant}:{name}}, {@code tvoices:{tenant}}) under the same
 * prefix; the shared voices keep the keys they always had. Thread-safe.
 *
 * <p>Every submit of a permanent voice looks its voice up (the server resolving the name, then the
 * queue checking it), each lookup a round trip to Redis. So a voice found is taken as it was for
 * {@link #RECHECK_AFTER} (a second) before Redis is asked again, as {@code DirectoryVoiceBank}
 * does with its files. A name not found is asked about every time, so a voice saved on any node
 * is usable at once everywhere; saves, transcripts and deletes through this bank (any of its
 * tenants' banks) are seen at once on this node. A voice replaced or deleted on another node is
 * seen here within a second; a job submitted here in that second runs with the voice as it is
 * when the job starts, or fails then with "voice not found".
 */
public final class RedisVoiceBank implements VoiceBank {
    private static final Script SAVE = Script.plain("voice-save");
    private static final Script TRANSCRIPT = Script.plain("voice-transcript");
    private static final Script DELETE = Script.plain("voice-delete");
    private static final Script LIST = Script.plain("voice-list");

    /** How long a voice found is taken as it was before Redis is asked again. */
    public static final Duration RECHECK_AFTER = Duration.ofSeconds(1);
    private static final long RECHECK_NANOS = RECHECK_AFTER.toNanos();
    /** Voices remembered at most; past it the memory starts again (only voices that exist are kept). */
    private static final int MAX_REMEMBERED = 10_000;

    private final RedisLink link;
    private final Keys keys;
    /** The tenant whose voices these are; empty for the shared voices. */
    private final String tenant;
    private final Found found;

    /**
     * Voices found lately, by key, shared by a bank and its tenants' banks. A lookup remembers what
     * it read only when no change went through any of these banks while it read: otherwise a read
     * that began before a save could put back the voice the save replaced.
     */
    private static final class Found {
        final ConcurrentHashMap<String, Seen> byKey = new ConcurrentHashMap<>();
        final AtomicLong changes = new AtomicLong();
        final LongSupplier ticker;

        Found(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
        }

        void changed(String key) {
            changes.incrementAndGet();
            byKey.remove(key);
        }
    }

    private record Seen(Voice voice, long readAt) {
    }

    private RedisVoiceBank(RedisLink link, Keys keys, String tenant, Found found) {
        this.link = link;
        this.keys = keys;
        this.tenant = tenant;
        this.found = found;
    }

    /**
     * The voices of {@code tenant}, under keys of their own beside the shared voices' (same hash
     * tag, so a cluster keeps them on one slot); this bank for the anonymous tenant.
     *
     * @throws dev.ttsqueue.InvalidRequestException for an invalid tenant name
     * @throws UnsupportedOperationException on a tenant's own bank (tenants do not nest)
     */
    @Override
    public VoiceBank forTenant(String tenant) {
        String name = JobRequest.checkTenant(tenant);
        if (name.isEmpty()) {
            return this;
        }
        if (!this.tenant.isEmpty()) {
            throw new UnsupportedOperationException("a tenant's voice bank holds no other tenants");
        }
        return new RedisVoiceBank(link, keys, name, found);
    }

    /**
     * Runs {@code write}, a change to voice {@code name}, then forgets what was found of it: after
     * the write, or its failure, so that no read from before it stays remembered.
     */
    private <T> T changing(String name, Supplier<T> write) {
        try {
            return write.get();
        } finally {
            found.changed(voiceKey(name));
        }
    }

    private String voiceKey(String name) {
        return keyPrefix() + name;
    }

    private String keyPrefix() {
        return tenant.isEmpty() ? keys.voicePrefix() : keys.tenantVoicePrefix(tenant);
    }

    private String namesKey() {
        return tenant.isEmpty() ? keys.voices() : keys.tenantVoices(tenant);
    }

    /** A voice bank on the Redis connection of {@code jobs}, under its key prefix. */
    public static RedisVoiceBank sharing(RedisJobStore jobs) {
        return sharing(jobs, System::nanoTime);
    }

    /** With the ticker that times {@link #RECHECK_AFTER} (tests). */
    static RedisVoiceBank sharing(RedisJobStore jobs, LongSupplier ticker) {
        return new RedisVoiceBank(jobs.link(), jobs.keys(), JobRequest.ANONYMOUS_TENANT, new Found(ticker));
    }

    /**
     * Stores a voice, replacing one of the same normalised name, transcript included (a blank
     * {@code refText} leaves it without one).
     *
     * @throws dev.ttsqueue.InvalidRequestException when nothing is left of the name after normalising
     */
    @Override
    public Voice save(String name, AudioClip audio, String refText) {
        Objects.requireNonNull(audio, "audio");
        String normalized = Identifiers.normalizeVoiceName(name);
        String text = refText == null ? "" : refText.strip();
        byte[] wav = WavCodec.encode(audio, WavFormat.PCM_16);
        changing(normalized, () -> link.evalBinary(SAVE, ScriptOutputType.INTEGER, new String[] {voiceKey(normalized), namesKey()},
                bytes(normalized), wav, bytes(text), bytes(Double.toString(audio.durationSeconds())), bytes(sha256(wav))));
        return new Voice(normalized, normalized + ".wav", audio.durationSeconds(), text, null);
    }

    /**
     * Stores the transcript when the voice has none and still holds exactly the audio that was
     * transcribed: the stored bytes are read and compared here, and the script writes only while
     * they are unchanged (by their SHA-256), so a voice replaced meanwhile keeps its own words.
     */
    @Override
    public boolean storeTranscript(String name, AudioClip transcribed, String refText) {
        String text = refText == null ? "" : refText.strip();
        if (!Identifiers.isVoiceName(name) || text.isEmpty()) {
            return false;
        }
        byte[] wav = link.call("read voice " + name, () -> link.binary().hget(voiceKey(name), "wav"));
        if (wav == null || !WavCodec.decode(wav).equals(transcribed)) {
            return false;
        }
        Long stored = changing(name, () -> link.evalBinary(TRANSCRIPT, ScriptOutputType.INTEGER, new String[] {voiceKey(name)},
                bytes(sha256(wav)), bytes(text)));
        return stored == 1;
    }

    @Override
    public Optional<Voice> find(String name) {
        if (!Identifiers.isVoiceName(name)) {
            return Optional.empty();
        }
        String key = voiceKey(name);
        long now = found.ticker.getAsLong();
        Seen seen = found.byKey.get(key);
        if (seen != null && now - seen.readAt() < RECHECK_NANOS) {
            return Optional.of(seen.voice());
        }
        long changesBefore = found.changes.get();
        List<KeyValue<String, byte[]>> m = link.call("read voice " + name, () -> link.binary().hmget(key, "text", "duration"));
        if (!m.get(1).hasValue()) {
            found.byKey.remove(key);
            return Optional.empty();
        }
        Voice voice = voice(name, m.get(0).hasValue() ? text(m.get(0).getValue()) : "", text(m.get(1).getValue()));
        if (found.byKey.size() >= MAX_REMEMBERED) {
            found.byKey.clear();
        }
        found.byKey.put(key, new Seen(voice, now));
        if (found.changes.get() != changesBefore) {
            found.byKey.remove(key); // a change went through meanwhile: what was read may be older than it
        }
        return Optional.of(voice);
    }

    /** @throws ReferenceNotFoundException when there is no such voice */
    @Override
    public AudioClip load(String name) {
        byte[] wav = Identifiers.isVoiceName(name) ? link.call("read voice " + name, () -> link.binary().hget(voiceKey(name), "wav"))
                : null;
        if (wav == null) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, "Voice '" + name + "' not found");
        }
        return WavCodec.decode(wav);
    }

    /** Voices sorted by name. */
    @Override
    public List<Voice> list() {
        List<Object> reply = link.evalBinary(LIST, ScriptOutputType.MULTI, new String[] {namesKey()}, bytes(keyPrefix()));
        List<Voice> out = new ArrayList<>(reply.size() / 3);
        for (int i = 0; i + 2 < reply.size(); i += 3) {
            out.add(voice(text(reply.get(i)), text(reply.get(i + 1)), text(reply.get(i + 2))));
        }
        return out;
    }

    @Override
    public boolean delete(String name) {
        if (!Identifiers.isVoiceName(name)) {
            return false;
        }
        Long existed = changing(name, () -> link.evalBinary(DELETE, ScriptOutputType.INTEGER, new String[] {voiceKey(name), namesKey()},
                bytes(name)));
        return existed == 1;
    }

    /** Null: voices live in Redis, not in a folder. */
    @Override
    public Path directory() {
        return null;
    }

    private static Voice voice(String name, String text, String duration) {
        return new Voice(name, name + ".wav", Double.parseDouble(duration), text, null);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }
}
