package dev.ttsqueue.internal;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.WorkerActivity;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.TenantCounts;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue-wide questions (counts, status, workers, a tenant's counts), answered from the
 * store's counters and this process's running jobs: none lists the queue, so each costs the same
 * at any queue length.
 */
final class QueueReports {
    private final JobStore store;
    private final Clock clock;
    private final RunningJobs running;
    private final int workerCount;

    QueueReports(JobStore store, Clock clock, RunningJobs running, int workerCount) {
        this.store = store;
        this.clock = clock;
        this.running = running;
        this.workerCount = workerCount;
    }

    TenantCounts tenantCounts(String tenant) {
        return store.tenantCounts(JobRequest.checkTenant(tenant));
    }

    QueueStatus queueStatus() {
        Map<JobStatus, Long> counts = jobCounts();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        List<String> runningIds = store.list(JobStatus.PROCESSING, 100).stream().map(JobRecord::id).toList();
        return new QueueStatus(counts.get(JobStatus.QUEUED), total, counts, runningIds, workerCount, stuckWorkers());
    }

    /** Jobs per state, every state present: the store's counters, nothing listed. */
    Map<JobStatus, Long> jobCounts() {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus s : JobStatus.values()) {
            counts.put(s, 0L);
        }
        counts.putAll(store.counts());
        return Collections.unmodifiableMap(counts);
    }

    /** Workers whose backend call has not returned {@link QueueEngine#STUCK_AFTER} after their job was told to stop. */
    int stuckWorkers() {
        return running.stuckWorkers(clock.instant(), QueueEngine.STUCK_AFTER);
    }

    /** {@code workers}, in order, each with the jobs it runs now: O(workers + running jobs). */
    List<WorkerActivity> workerActivity(List<Worker> workers) {
        Map<String, List<String>> byWorker = new HashMap<>();
        for (RunningJob rj : running.all()) {
            byWorker.computeIfAbsent(rj.worker(), k -> new ArrayList<>()).add(rj.id);
        }
        List<WorkerActivity> all = new ArrayList<>(workers.size());
        for (Worker w : workers) {
            List<String> ids = byWorker.getOrDefault(w.getName(), new ArrayList<>());
            Collections.sort(ids);
            all.add(new WorkerActivity(w.getName(), ids));
        }
        return all;
    }
}
