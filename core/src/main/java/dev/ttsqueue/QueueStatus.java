package dev.ttsqueue;

import java.util.List;
import java.util.Map;

/**
 * Counts and the running jobs, as of one moment.
 *
 * @param queueSize jobs waiting to run
 * @param totalJobs jobs the store knows in any state
 * @param counts jobs per state (every state present, zero included)
 * @param runningJobs ids of the jobs being processed now
 * @param workers number of workers (devices) of this queue
 */
public record QueueStatus(long queueSize, long totalJobs, Map<JobStatus, Long> counts, List<String> runningJobs, int workers) {

    /** One running job id (the old API's {@code current_job}), or null when idle. */
    public String currentJob() {
        return runningJobs.isEmpty() ? null : runningJobs.get(0);
    }

    public long count(JobStatus status) {
        return counts.getOrDefault(status, 0L);
    }
}
