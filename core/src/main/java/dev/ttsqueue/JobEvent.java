package dev.ttsqueue;

/**
 * Something that happened to a job.
 *
 * @param kind what happened
 * @param snapshot the job right after it happened
 * @param progress the progress report, for {@link Kind#PROGRESS} events; otherwise null
 */
public record JobEvent(Kind kind, JobSnapshot snapshot, JobProgress progress) {

    /** Event kinds; the last three are terminal and end a job's event stream. */
    public enum Kind {
        QUEUED, STARTED, PROGRESS, COMPLETED, FAILED, CANCELLED;

        public boolean isTerminal() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }

    public String jobId() {
        return snapshot.id();
    }
}
