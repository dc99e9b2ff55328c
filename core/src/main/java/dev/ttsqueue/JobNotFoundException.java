package dev.ttsqueue;

/** No job has this id (it never existed, or was cleaned up). */
public class JobNotFoundException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final String jobId;

    public JobNotFoundException(String jobId) {
        super("Job not found");
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
