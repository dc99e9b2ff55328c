package dev.ttsqueue.store.redis;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.store.redis.internal.JobCodec;
import dev.ttsqueue.store.redis.internal.Keys;
import dev.ttsqueue.store.redis.internal.RedisLink;
import dev.ttsqueue.store.redis.internal.Script;
import io.lettuce.core.ScriptOutputType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Uploads and outputs in Redis, readable by every node: an upload made on one node is the
 * reference of a job another node runs, and its output downloads from any node. Each clip is one
 * hash (metadata and the 16-bit WAV bytes), indexed by creation and by expiry in two sorted sets.
 * Expiry follows the queue's clock ({@link #purgeExpired}, run by the queue's retention); Redis
 * also expires each key an hour after its clip expired, so that clips never outlive a retention
 * that stopped running. A clip saved for a tenant keeps it in the hash field {@code owner}
 * (absent for the anonymous tenant, as in clips stored before owners were kept). Sizes: 24 kHz mono 16-bit is 48 kB per second, so a 30 s output takes
 * about 1.4 MB of Redis memory (see the module README for sizing).
 *
 * <p>Saving an output retries through a Redis outage for {@link RedisConfig#outageWriteRetry()},
 * like the completion that follows it; every other call throws {@link StoreUnavailableException}
 * at once. The clips live as long as the {@link RedisJobStore} they share a connection with is
 * open. Thread-safe.
 */
public final class RedisAudioStore implements AudioStore {
    private static final Script SAVE = Script.plain("audio-save");
    private static final Script DELETE = Script.plain("audio-delete");
    private static final Script PURGE = Script.plain("audio-purge");
    private static final Script LIST = Script.plain("audio-list");
    /** How long after its expiry Redis deletes a clip by itself; until then it answers "expired". */
    static final Duration EXPIRED_KEPT = Duration.ofHours(1);
    private static final int BATCH = 200;

    private final RedisLink link;
    private final Keys keys;
    private final Clock clock;
    private final Duration uploadTtl;
    private final Duration outputTtl;

    private RedisAudioStore(RedisLink link, Keys keys, Clock clock, Duration uploadTtl, Duration outputTtl) {
        this.link = link;
        this.keys = keys;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.uploadTtl = checkTtl("uploadTtl", uploadTtl);
        this.outputTtl = checkTtl("outputTtl", outputTtl);
    }

    /**
     * An audio store on the Redis connection of {@code jobs}, under its key prefix.
     *
     * @param uploadTtl how long an upload is served; null = until deleted
     * @param outputTtl how long an output is served; null = until deleted (the queue's retention
     *     deletes the output of each job it purges)
     * @throws IllegalArgumentException when a TTL is negative
     */
    public static RedisAudioStore sharing(RedisJobStore jobs, Clock clock, Duration uploadTtl, Duration outputTtl) {
        return new RedisAudioStore(jobs.link(), jobs.keys(), clock, uploadTtl, outputTtl);
    }

    private static Duration checkTtl(String name, Duration ttl) {
        if (ttl != null && ttl.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + ttl);
        }
        return ttl;
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip) {
        return save(kind, clip, JobRequest.ANONYMOUS_TENANT);
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip, String owner) {
        String tenant = JobRequest.checkTenant(owner);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clip, "clip");
        byte[] wav = WavCodec.encode(clip, WavFormat.PCM_16);
        Instant now = Instant.ofEpochMilli(clock.instant().toEpochMilli());
        Duration ttl = kind == AudioKind.UPLOAD ? uploadTtl : outputTtl;
        Instant expires = ttl == null ? null : now.plus(ttl);
        AudioEntry entry = new AudioEntry(Identifiers.newId(), kind, now, expires, clip.durationSeconds(), wav.length, null, tenant);
        String id = entry.id();
        byte[][] args = {bytes(id), bytes(kind.name()), bytes(Long.toString(now.toEpochMilli())),
            bytes(expires == null ? "" : Long.toString(expires.toEpochMilli())), bytes(Double.toString(entry.durationSeconds())),
            bytes(Integer.toString(wav.length)), wav, bytes(ttl == null ? "" : Long.toString(ttl.plus(EXPIRED_KEPT).toMillis())), bytes(tenant)};
        String[] clipKeys = {keys.audio(id), keys.audioByCreation(), keys.audioByExpiry()};
        if (kind == AudioKind.OUTPUT) {
            // A finished job's audio: worth waiting for Redis rather than running the job again.
            link.callThroughOutage("save the output audio " + id, () -> link.evalBinary(SAVE, ScriptOutputType.INTEGER, clipKeys, args));
        } else {
            link.evalBinary(SAVE, ScriptOutputType.INTEGER, clipKeys, args);
        }
        return entry;
    }

    @Override
    public Optional<AudioEntry> find(String id) {
        if (!Identifiers.isSafe(id)) {
            return Optional.empty();
        }
        List<byte[]> m = link.call("read audio " + id, () -> link.binary().hmget(keys.audio(id), "kind", "created", "expires",
                "duration", "size", "owner")).stream().map(kv -> kv.getValueOrElse(null)).toList();
        if (m.get(0) == null || m.get(1) == null) {
            return Optional.empty();
        }
        return Optional.of(entry(id, text(m.get(0)), text(m.get(1)), m.get(2) == null ? "" : text(m.get(2)), text(m.get(3)),
                text(m.get(4)), text(m.get(5))));
    }

    /** @throws ReferenceNotFoundException when the id is unknown */
    @Override
    public AudioClip load(String id) {
        return WavCodec.decode(wav(id));
    }

    /** The WAV bytes, read whole (a clip is at most a few MB). @throws ReferenceNotFoundException when the id is unknown */
    @Override
    public InputStream open(String id) {
        return new ByteArrayInputStream(wav(id));
    }

    private byte[] wav(String id) {
        byte[] wav = Identifiers.isSafe(id) ? link.call("read audio " + id, () -> link.binary().hget(keys.audio(id), "wav")) : null;
        if (wav == null) {
            throw new ReferenceNotFoundException("Audio file not found");
        }
        return wav;
    }

    @Override
    public boolean delete(String id) {
        if (!Identifiers.isSafe(id)) {
            return false;
        }
        Long existed = link.evalBinary(DELETE, ScriptOutputType.INTEGER,
                new String[] {keys.audio(id), keys.audioByCreation(), keys.audioByExpiry()}, bytes(id));
        return existed == 1;
    }

    /** Every clip, oldest first; reads the metadata of all of them (the API asks for all). */
    @Override
    public List<AudioEntry> list() {
        List<Object> reply = link.evalBinary(LIST, ScriptOutputType.MULTI, new String[] {keys.audioByCreation()},
                bytes(keys.audioPrefix()));
        List<AudioEntry> out = new ArrayList<>(reply.size() / 7);
        for (int i = 0; i + 6 < reply.size(); i += 7) {
            out.add(entry(text(reply.get(i)), text(reply.get(i + 1)), text(reply.get(i + 2)), text(reply.get(i + 3)),
                    text(reply.get(i + 4)), text(reply.get(i + 5)), text(reply.get(i + 6))));
        }
        return out;
    }

    /** Deletes clips whose expiry is at or before {@code now}, by the expiry index: O(log n) per clip. */
    @Override
    public int purgeExpired(Instant now) {
        int deleted = 0;
        while (true) {
            List<Object> reply = link.evalBinary(PURGE, ScriptOutputType.MULTI, new String[] {keys.audioByCreation(), keys.audioByExpiry()},
                    bytes(keys.audioPrefix()), bytes(Long.toString(JobCodec.bound(now))), bytes(Integer.toString(BATCH)));
            deleted += ((Long) reply.get(0)).intValue();
            if ((Long) reply.get(1) < BATCH) {
                return deleted;
            }
        }
    }

    private static AudioEntry entry(String id, String kind, String created, String expires, String duration, String size,
            String owner) {
        return new AudioEntry(id, AudioKind.valueOf(kind), Instant.ofEpochMilli(Long.parseLong(created)),
                expires.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(expires)), Double.parseDouble(duration),
                Long.parseLong(size), null, owner);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object bytes) {
        return bytes == null ? "" : new String((byte[]) bytes, StandardCharsets.UTF_8);
    }
}
