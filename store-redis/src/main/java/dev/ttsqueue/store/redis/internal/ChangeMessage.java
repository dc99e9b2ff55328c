package dev.ttsqueue.store.redis.internal;

import dev.ttsqueue.spi.JobChange;
import java.time.Instant;

/**
 * Reads the messages the job scripts publish ({@code announce} in {@code lib.lua}):
 * {@code origin|KIND|jobId|rest}, where rest is the fencing token for STARTED and
 * CANCEL_REQUESTED, and {@code token|done|total|percent|estimate} for PROGRESS.
 *
 * @param origin the store instance that made the change
 * @param change the change
 */
public record ChangeMessage(String origin, JobChange change) {

    /** The message, or null when it is not one these scripts write (a newer version's kind, say). */
    public static ChangeMessage parse(String message) {
        String[] p = message.split("\\|", -1);
        if (p.length < 4) {
            return null;
        }
        JobChange.Kind kind;
        try {
            kind = JobChange.Kind.valueOf(p[1]);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String id = p[2].isEmpty() ? null : p[2];
        if (id == null && kind != JobChange.Kind.WORK_AVAILABLE) {
            return null;
        }
        try {
            JobChange change = switch (kind) {
                case STARTED, CANCEL_REQUESTED -> JobChange.of(kind, id, Long.parseLong(p[3]));
                case PROGRESS -> p.length < 8 ? null : new JobChange(kind, id, Long.parseLong(p[3]), Integer.parseInt(p[4]),
                        Integer.parseInt(p[5]), Double.parseDouble(p[6]), p[7].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(p[7])));
                default -> JobChange.of(kind, id, 0);
            };
            return change == null ? null : new ChangeMessage(p[0], change);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
