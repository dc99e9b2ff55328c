package dev.ttsqueue;

/** Completes a job's result future when the job failed; the message is the job's error. */
public class JobFailedException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final String jobId;

    public JobFailedException(String jobId, String error) {
        super(error);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
