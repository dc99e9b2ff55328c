package dev.ttsqueue.spi;

/**
 * Where a queued job stands in run order.
 *
 * @param position 1-based place among queued jobs; 0 when the job is not queued
 * @param workAhead the work of the jobs ahead of it, in the unit of {@link JobRecord#work()}
 *     (characters of text); -1 when the store does not know it
 */
public record QueuePlace(int position, long workAhead) {

    /** The place of a job that is not queued (running, finished, unknown). */
    public static final QueuePlace NOT_QUEUED = new QueuePlace(0, 0);

    public QueuePlace {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative: " + position);
        }
    }

    public boolean isQueued() {
        return position > 0;
    }
}
