package dev.ttsqueue.store.redis.internal;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Every key and channel the Redis stores use, under one configurable name wrapped in a hash tag
 * ({@code {ttsq}:...}), so that Redis Cluster keeps them in one slot and every script runs
 * unchanged there. Several queues share one Redis under different names.
 */
public final class Keys {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final String name;
    private final String prefix;

    /**
     * @param name the key prefix, without braces: letters, digits, {@code . _ : -}, 1 to 64 characters
     * @throws IllegalArgumentException for any other name
     */
    public Keys(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Redis key prefix must be 1 to 64 letters, digits, '.', '_', ':' or '-': " + name);
        }
        this.name = name;
        this.prefix = "{" + name + "}:";
    }

    public String name() {
        return name;
    }

    /** The keys every job script gets as {@code KEYS[1..11]}, in the order {@code lib.lua} reads them. */
    public List<String> fixed() {
        return List.of(prefix + "seq", prefix + "token", prefix + "queue", prefix + "jobs", prefix + "leases",
                prefix + "finished", status("QUEUED"), status("PROCESSING"), status("COMPLETED"), status("FAILED"),
                status("CANCELLED"));
    }

    /** Queued jobs in run order (a sorted set of run keys, all of score 0, read in byte order). */
    public String queue() {
        return prefix + "queue";
    }

    /** Jobs whose lease runs, by lease end. */
    public String leases() {
        return prefix + "leases";
    }

    private String status(String status) {
        return prefix + "status:" + status;
    }

    public String jobPrefix() {
        return prefix + "job:";
    }

    public String job(String id) {
        return jobPrefix() + id;
    }

    /** Remembers one claim call's answer for a while, so that a resent call gets the same job. */
    public String claimNonce(String nonce) {
        return prefix + "claim:" + nonce;
    }

    /** Where the stores announce changes to every node. */
    public String changes() {
        return prefix + "changes";
    }

    public String audioPrefix() {
        return prefix + "audio:";
    }

    public String audio(String id) {
        return audioPrefix() + id;
    }

    /** Clips by creation time. */
    public String audioByCreation() {
        return prefix + "audio-created";
    }

    /** Clips that expire, by expiry. */
    public String audioByExpiry() {
        return prefix + "audio-expiry";
    }

    public String voicePrefix() {
        return prefix + "voice:";
    }

    public String voice(String name) {
        return voicePrefix() + name;
    }

    /** Voice names, in byte order. */
    public String voices() {
        return prefix + "voices";
    }

    /** Prefix of the voice keys of {@code tenant} (a valid tenant name: it holds no {@code :}). */
    public String tenantVoicePrefix(String tenant) {
        return prefix + "tvoice:" + tenant + ":";
    }

    /** Voice names of {@code tenant}, in byte order. */
    public String tenantVoices(String tenant) {
        return prefix + "tvoices:" + tenant;
    }
}
