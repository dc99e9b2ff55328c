package dev.ttsqueue;

/**
 * Completes a job's result future when the job was cancelled. Backends may also throw it from
 * {@link dev.ttsqueue.spi.SynthesisContext#throwIfCancelled()} to stop between steps.
 */
public class JobCancelledException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final String jobId;

    public JobCancelledException(String jobId) {
        super("Job " + jobId + " was cancelled");
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
