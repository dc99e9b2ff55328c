package dev.ttsqueue.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Job listings, a page at a time, newest first: O(log n + limit) in the store, and O(log n) more
 * for each queued job's place. The cursor is the sequence of the last job of a page (base 36).
 */
final class JobPages {
    /** Longest page a listing returns. */
    static final int MAX_PAGE = 1_000;

    private final JobStore store;
    private final Clock clock;
    private final Snapshots snapshots;

    JobPages(JobStore store, Clock clock, Snapshots snapshots) {
        this.store = store;
        this.clock = clock;
        this.snapshots = snapshots;
    }

    /**
     * @throws InvalidRequestException for a limit outside 1..{@value #MAX_PAGE} or a cursor no listing gave
     */
    JobPage page(JobStatus status, int limit, String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new InvalidRequestException("limit must be between 1 and " + MAX_PAGE);
        }
        long before = sequenceOf(cursor);
        // One more than asked, to know whether another page follows without a second query.
        List<JobRecord> records = store.list(status, before, limit + 1);
        boolean more = records.size() > limit;
        if (more) {
            records = records.subList(0, limit);
        }
        Instant now = clock.instant();
        List<JobSnapshot> page = new ArrayList<>(records.size());
        for (JobRecord r : records) {
            page.add(snapshots.of(r, now));
        }
        String next = more ? Long.toString(records.get(records.size() - 1).sequence(), 36) : null;
        return new JobPage(page, next);
    }

    /** The sequence a cursor stands for: jobs below it come next. */
    private static long sequenceOf(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            long sequence = Long.parseLong(cursor, 36);
            if (sequence > 0 && cursor.length() <= 13) {
                return sequence;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidRequestException("cursor is not one that a job listing gave");
    }
}
