package dev.ttsqueue.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.JobRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared and exclusive opens of one file within one process (across processes: {@link SqliteAccessIT}). */
class SqliteAccessTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("jobs.db");
    }

    @Test
    void sharedStoresCoexistAndAreNotExclusive() {
        try (SqliteJobStore a = SqliteJobStore.open(file()); SqliteJobStore b = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.SHARED).open()) {
            assertFalse(a.exclusive());
            assertEquals(SqliteJobStore.Access.SHARED, b.access());
            a.enqueue(JobRecord.newQueued("j1", JobRequest.ttsPermanent("v", "t"), 1, Instant.EPOCH), 0).orElseThrow();
            assertTrue(b.get("j1").isPresent(), "both see the same jobs");
        }
    }

    @Test
    void aSharedStoreRefusesToRecoverHeldJobsRegardlessOfTheirLease() {
        try (SqliteJobStore shared = SqliteJobStore.open(file())) {
            shared.enqueue(JobRecord.newQueued("j1", JobRequest.ttsPermanent("v", "t"), 1, Instant.EPOCH), 0).orElseThrow();
            shared.claimNext("w", Instant.EPOCH, java.time.Duration.ofMinutes(1)).orElseThrow();
            assertThrows(UnsupportedOperationException.class, () -> shared.recoverAllHeld(Instant.EPOCH.plusSeconds(1), 3));
            assertEquals(dev.ttsqueue.JobStatus.PROCESSING, shared.get("j1").orElseThrow().status());
        }
    }

    @Test
    void aSymbolicLinkToTheDatabaseLeadsToTheSameLock() throws Exception {
        try (SqliteJobStore owner = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            Path link = Files.createSymbolicLink(dir.resolve("other-name.db"), file());
            StoreInUseException e = assertThrows(StoreInUseException.class, () -> SqliteJobStore.builder(link).access(SqliteJobStore.Access.EXCLUSIVE).open());
            assertTrue(e.getMessage().contains(file().toRealPath().toString()), e.getMessage());
            assertTrue(owner.exclusive());
        }
    }

    @Test
    void anExclusiveStoreShutsOutEveryOtherOpenUntilItCloses() {
        SqliteJobStore owner = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open();
        try {
            assertTrue(owner.exclusive());
            StoreInUseException shared = assertThrows(StoreInUseException.class, () -> SqliteJobStore.open(file()));
            assertTrue(shared.getMessage().contains(file().toString()), shared.getMessage());
            assertTrue(shared.getMessage().contains("exclusive"), shared.getMessage());
            assertThrows(StoreInUseException.class, () -> SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open());
            owner.enqueue(JobRecord.newQueued("j1", JobRequest.ttsPermanent("v", "t"), 1, Instant.EPOCH), 0).orElseThrow();
        } finally {
            owner.close();
        }
        try (SqliteJobStore next = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertTrue(next.get("j1").isPresent(), "refused opens changed nothing");
        }
        try (SqliteJobStore next = SqliteJobStore.open(file())) {
            assertTrue(next.get("j1").isPresent());
        }
    }

    @Test
    void anExclusiveOpenIsRefusedWhileASharedStoreIsOpen() {
        try (SqliteJobStore shared = SqliteJobStore.open(file())) {
            StoreInUseException e = assertThrows(StoreInUseException.class,
                    () -> SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open());
            assertTrue(e.getMessage().contains("cannot be opened for exclusive use"), e.getMessage());
            shared.enqueue(JobRecord.newQueued("j1", JobRequest.ttsPermanent("v", "t"), 1, Instant.EPOCH), 0).orElseThrow();
        }
        // Each shared user counts: the lock is dropped only when the last one closes.
        SqliteJobStore a = SqliteJobStore.open(file());
        SqliteJobStore b = SqliteJobStore.open(file());
        a.close();
        assertThrows(StoreInUseException.class, () -> SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open());
        b.close();
        b.close(); // idempotent: must not release someone else's hold
        try (SqliteJobStore owner = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertTrue(owner.exclusive());
        }
    }

    @Test
    void aFailedOpenLeavesNoLockBehind() throws Exception {
        Files.writeString(file(), "not a database at all, and long enough to look like a header........");
        assertThrows(UnusableDatabaseException.class, () -> SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open());
        Files.delete(file());
        try (SqliteJobStore owner = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertTrue(owner.exclusive());
        }
    }

    @Test
    void theLockLivesInItsOwnFileBesideTheDatabase() {
        try (SqliteJobStore owner = SqliteJobStore.builder(file()).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertTrue(Files.exists(dir.resolve("jobs.db.lock")));
        }
    }
}
