package dev.ttsqueue;

/** A result was asked for a job that has not completed. */
public class JobNotCompletedException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final JobStatus status;

    public JobNotCompletedException(JobStatus status) {
        super("Job not completed. Current status: " + status.wireName());
        this.status = status;
    }

    public JobStatus status() {
        return status;
    }
}
