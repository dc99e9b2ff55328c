package dev.ttsqueue;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How tenants share the workers when their jobs wait at the same priority: each tenant gets
 * workers in proportion to its weight, whatever the number of jobs it queued; within a tenant,
 * jobs run in submission order. Priorities still come first: a higher-priority job runs before
 * any lower one, whichever tenant it belongs to.
 *
 * <pre>{@code
 * TtsJobQueue.builder().backend(backend)
 *         .fairShare(FairShare.weights(Map.of("premium", 3, "free", 1)))
 *         .build();
 * }</pre>
 *
 * <p>A tenant missing from the map, the {@linkplain JobRequest#ANONYMOUS_TENANT anonymous tenant}
 * included, weighs {@link #DEFAULT_WEIGHT}. A job is charged at the weight its tenant had when
 * it was submitted. With a single tenant the order is exactly priority, then submission order.
 * Immutable.
 *
 * @param weights weight per tenant name, each from 1 to {@link #MAX_WEIGHT}
 */
public record FairShare(Map<String, Integer> weights) {

    /** Weight of a tenant the map does not name. */
    public static final int DEFAULT_WEIGHT = 1;

    /** Largest weight: a tenant of this weight gets at most this many jobs per job of a weight-1 tenant. */
    public static final int MAX_WEIGHT = 1000;

    /** Every tenant weighs {@link #DEFAULT_WEIGHT}: the default of a queue. */
    public static final FairShare EQUAL = new FairShare(Map.of());

    /**
     * @throws NullPointerException when {@code weights} or one of its keys or values is null
     * @throws IllegalArgumentException when a weight is outside 1..{@value #MAX_WEIGHT} or a name is
     *     not a valid tenant name ({@link JobRequest#checkTenant})
     */
    public FairShare {
        Objects.requireNonNull(weights, "weights");
        TreeMap<String, Integer> copy = new TreeMap<>();
        weights.forEach((tenant, weight) -> {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(weight, "weight of tenant " + tenant);
            String name;
            try {
                name = JobRequest.checkTenant(tenant);
            } catch (InvalidRequestException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight of tenant '" + tenant + "' must be from 1 to " + MAX_WEIGHT
                        + ", got " + weight);
            }
            copy.put(name, weight);
        });
        weights = Map.copyOf(copy);
    }

    /** Same as {@code new FairShare(weights)}. */
    public static FairShare weights(Map<String, Integer> weights) {
        return new FairShare(weights);
    }

    /** The weight of {@code tenant}: its own, or {@link #DEFAULT_WEIGHT}. Null is the anonymous tenant. */
    public int weightOf(String tenant) {
        return weights.getOrDefault(tenant == null ? JobRequest.ANONYMOUS_TENANT : tenant, DEFAULT_WEIGHT);
    }
}
