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
        return SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.SHARED).open();
    }
}
