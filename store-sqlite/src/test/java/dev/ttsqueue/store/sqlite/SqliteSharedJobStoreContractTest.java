package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.JobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract on a store opened {@link SqliteJobStore.Access#SHARED}, whose queue index checks the file for other writers. */
class SqliteSharedJobStoreContractTest extends JobStoreContract {

    @TempDir
    Path dir;

    @Override
    protected JobStore newStore() {
        return SqliteJobStore.open(dir.resolve("jobs.db"), SqliteJobStore.Access.SHARED);
    }
}
