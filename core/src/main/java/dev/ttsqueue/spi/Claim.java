package dev.ttsqueue.spi;

/**
 * A job handed to one worker. Every later write for this job must carry {@code fencingToken};
 * the store rejects it once another claim has superseded this one.
 *
 * @param job the job, already in {@code PROCESSING}
 * @param fencingToken strictly greater than the token of any earlier claim of the same job
 */
public record Claim(JobRecord job, long fencingToken) {
}
