package dev.ttsqueue.server.internal;

import dev.ttsqueue.spi.TenantCounts;
import dev.ttsqueue.TtsJobQueue;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Each tenant's limits from its key ({@link TenantKeys.Grant}): how many of its jobs may wait, and
 * how fast it may submit. A tenant past either gets 429 with its own {@code Retry-After}; other
 * tenants are not affected.
 *
 * <p>The rate is a token bucket per tenant holding at most one second of submissions (at least one):
 * {@code Retry-After} is the whole seconds until the next token. The queued limit is read from the
 * queue's per-tenant counters ({@link TtsJobQueue#tenantCounts}, O(1) or O(log n)); a tenant at its
 * limit waits for one of its jobs to start, which the server cannot foresee, so it answers
 * {@value #QUEUED_RETRY_SECONDS} s. Running jobs do not count: they hold a worker, not a place in the
 * queue. A check and the submit that follows are not atomic, so concurrent submits of one tenant
 * may pass the queued limit by a few; the token bucket itself is exact.
 */
public final class TenantQuotas {
    /** {@code Retry-After} of a tenant whose queued jobs are at its limit. */
    public static final int QUEUED_RETRY_SECONDS = 5;

    private final TtsJobQueue queue;
    private final Clock clock;
    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public TenantQuotas(TtsJobQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Lets one submission of {@code grant}'s tenant through, or refuses it.
     *
     * @throws ApiException 429 with {@code Retry-After} when the tenant is past a limit
     */
    public void admit(TenantKeys.Grant grant) {
        if (grant.maxQueued() > 0) {
            TenantCounts counts = queue.tenantCounts(grant.tenant());
            if (counts.queued() >= grant.maxQueued()) {
                throw new ApiException(429, "Tenant '" + grant.tenant() + "' already has " + counts.queued()
                        + " queued jobs, its limit is " + grant.maxQueued() + "; try again when some have started", QUEUED_RETRY_SECONDS);
            }
        }
        if (grant.ratePerSecond() > 0) {
            TokenBucket bucket = buckets.computeIfAbsent(grant.tenant(), t -> new TokenBucket(grant.ratePerSecond(), clock.millis()));
            long waitMillis = bucket.take(clock.millis());
            if (waitMillis > 0) {
                throw new ApiException(429, "Tenant '" + grant.tenant() + "' submits faster than its limit of " + rate(grant.ratePerSecond())
                        + " jobs a second; try again in " + seconds(waitMillis) + " s", seconds(waitMillis));
            }
        }
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    private static String rate(double r) {
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    /** Tokens refilled at {@code rate} a second up to {@code max(1, rate)}; starts full. */
    static final class TokenBucket {
        private final double ratePerMilli;
        private final double capacity;
        private double tokens;
        private long lastMillis;

        TokenBucket(double ratePerSecond, long nowMillis) {
            this.ratePerMilli = ratePerSecond / 1000;
            this.capacity = Math.max(1, ratePerSecond);
            this.tokens = capacity;
            this.lastMillis = nowMillis;
        }

        /** Takes a token: 0 when there was one, else the milliseconds until there is (nothing taken). */
        synchronized long take(long nowMillis) {
            if (nowMillis > lastMillis) {
                tokens = Math.min(capacity, tokens + (nowMillis - lastMillis) * ratePerMilli);
                lastMillis = nowMillis;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / ratePerMilli);
        }
    }
}
