package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.VirtualTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FairShareTagsTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final long U = VirtualTime.UNIT;

    private final FairShareTags tags = new FairShareTags();
    private long sequence;

    /** Stamps and queues a job, as a store does on enqueue. */
    private JobRecord enqueue(String tenant, int priority, int weight) {
        JobRecord r = JobRecord.newQueued("j" + sequence, JobRequest.ttsPermanent("v", "t").withPriority(priority)
                .withTenant(tenant), 1, T0, weight).withSequence(++sequence)
                .withVirtualStart(tags.startFor(priority, tenant));
        tags.queued(r);
        return r;
    }

    @Test
    void aTenantsJobsAreSpacedByTheirCostAndANewcomerStartsAtTheVirtualTime() {
        assertEquals(0, enqueue("a", 0, 1).virtualStart());
        JobRecord a2 = enqueue("a", 0, 1);
        assertEquals(U, a2.virtualStart());
        assertEquals(0, enqueue("b", 0, 4).virtualStart());
        assertEquals(U / 4, enqueue("b", 0, 4).virtualStart());
        assertEquals(0, enqueue("a", 1, 1).virtualStart(), "each priority has its own clock");
        tags.claimed(a2);
        assertEquals(U, tags.virtualTime(0));
        assertEquals(U, enqueue("d", 0, 1).virtualStart(), "no credit for having been idle");
        assertEquals(2 * U, enqueue("a", 0, 1).virtualStart(), "after its queued and its claimed jobs");
        assertEquals(0, tags.virtualTime(1));
    }

    @Test
    void idleTenantsAreForgottenOnceTheVirtualTimePassedThem() {
        for (int t = 0; t < 1_000; t++) {
            tags.claimed(enqueue("t" + t, 0, 1));
        }
        // Every tenant's claimed finish (U) is above the virtual time (0): each still matters.
        assertEquals(1_000, tags.lanes());
        JobRecord late = enqueue("late", 0, 1);
        JobRecord later = enqueue("late", 0, 1);
        tags.claimed(late);
        tags.claimed(later);
        assertEquals(U, tags.virtualTime(0));
        // Each lane is checked when it is next touched: a claimed finish at or below the virtual
        // time says nothing more than the virtual time does.
        for (int t = 0; t < 1_000; t++) {
            JobRecord again = enqueue("t" + t, 0, 1);
            assertEquals(U, again.virtualStart());
            tags.leftQueue(again);
        }
        assertEquals(1, tags.lanes(), "only the tenant whose claimed finish is ahead of the virtual time");
    }
}
