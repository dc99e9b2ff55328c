package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.JobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared contract on an exclusive store (a shared one differs only in refusing recoverAllHeld: SqliteAccessTest). */
class SqliteJobStoreContractTest extends JobStoreContract {

    @TempDir
    Path dir;

    @Override
    protected JobStore newStore() {
        return SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open();
    }
}
