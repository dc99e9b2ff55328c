package dev.ttsqueue.store;

import java.time.Duration;
import java.time.Instant;

/** The expiry rule both audio stores share: created + TTL, or never when the TTL is null. */
final class StoreExpiry {
    private StoreExpiry() {
    }

    static Duration checkTtl(String name, Duration ttl) {
        if (ttl != null && ttl.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + ttl);
        }
        return ttl;
    }

    static Instant expiry(Instant created, Duration ttl) {
        return ttl == null ? null : created.plus(ttl);
    }
}
