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
 * @param stuckWorkers workers of this process whose backend call has not returned a minute after
 *     its job was told to stop (cancelled, timed out); such a worker takes no other job until the
 *     call returns, and when all are stuck the queue runs nothing (a reason to restart the process)
 */
public record QueueStatus(long queueSize, long totalJobs, Map<JobStatus, Long> counts, List<String> runningJobs, int workers,
        int stuckWorkers) {

    /** One running job id (the old API's {@code current_job}), or null when idle. */
    public String currentJob() {
        return runningJobs.isEmpty() ? null : runningJobs.get(0);
    }

    public long count(JobStatus status) {
        return counts.getOrDefault(status, 0L);
    }
}
