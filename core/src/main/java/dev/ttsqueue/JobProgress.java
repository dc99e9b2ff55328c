package dev.ttsqueue;

import java.time.Instant;

/**
 * A measured progress report of a running job.
 *
 * @param jobId the job
 * @param stepsDone backend steps finished so far
 * @param stepsTotal backend steps announced for the whole job
 * @param percent 0–100, never decreasing for a job; 100 only at completion
 * @param estimatedCompletion when the job should finish at the speed measured on this device;
 *     null until a speed has been measured
 */
public record JobProgress(String jobId, int stepsDone, int stepsTotal, double percent, Instant estimatedCompletion) {
}
