package dev.ttsqueue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.JobRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InMemoryJobStorePositionTest {

    @Test
    void positionMatchesRunOrderFromEitherEnd() {
        InMemoryJobStore store = new InMemoryJobStore();
        Random random = new Random(42);
        List<JobRecord> all = new ArrayList<>();
        for (int i = 0; i < 301; i++) {
            JobRequest req = JobRequest.ttsGenerate("ref", "text " + i).priority(random.nextInt(4));
            all.add(store.enqueue(JobRecord.newQueued("job-" + i, req, 1, Instant.EPOCH), 0).orElseThrow());
        }
        List<JobRecord> runOrder = new ArrayList<>(all);
        runOrder.sort(Comparator.comparingInt((JobRecord j) -> -j.priority()).thenComparingLong(JobRecord::sequence));
        for (int i = 0; i < runOrder.size(); i++) {
            assertEquals(i + 1, store.queuePosition(runOrder.get(i).id()), runOrder.get(i).id());
        }
        assertEquals(0, store.queuePosition("unknown"));
    }
}
