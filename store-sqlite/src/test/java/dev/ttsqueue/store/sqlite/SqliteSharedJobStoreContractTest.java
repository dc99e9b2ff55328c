package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.store.sqlite.internal.GroupCommit;
import dev.ttsqueue.spi.JobStoreContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The contract on a store opened {@link SqliteJobStore.Access#SHARED}, whose queue index checks the file for other writers. */
class SqliteSharedJobStoreContractTest extends JobStoreContract {

    @TempDir
    Path dir;

    @Override
    protected JobStore newStore() {
        return SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.SHARED).open();
    }

    /** Closes the file and opens it again, as a restarted process does. */
    @Override
    protected JobStore reopen() {
        store.close();
        return newStore();
    }

    /** In groups of a thousand, as concurrent submitters are committed, not one fsync per job. */
    @Override
    protected List<JobRecord> enqueueAll(List<JobRecord> jobs) {
        List<JobRecord> out = new ArrayList<>(jobs.size());
        for (int from = 0; from < jobs.size(); from += 1_000) {
            for (GroupCommit.Pending p : ((SqliteJobStore) store).enqueueAsGroup(jobs.subList(from,
                    Math.min(jobs.size(), from + 1_000)), 0)) {
                out.add(p.result().orElseThrow());
            }
        }
        return out;
    }
}
