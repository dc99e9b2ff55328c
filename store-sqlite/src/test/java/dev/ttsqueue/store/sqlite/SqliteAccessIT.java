package dev.ttsqueue.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared and exclusive opens across two processes, and a killed owner's lock going with it. */
class SqliteAccessIT {
    @TempDir
    Path dir;

    private Process other;

    @AfterEach
    void killOther() throws Exception {
        if (other != null && other.isAlive()) {
            other.toHandle().destroyForcibly();
            other.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Starts a process holding the store in {@code access}; returns once it has it open. */
    private void otherProcessOpens(SqliteJobStore.Access access) throws Exception {
        other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                StoreHolder.class.getName(), dir.resolve("jobs.db").toString(), access.name())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader in = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("OPEN " + access, in.readLine(), "the other process did not open the store");
    }

    @Test
    void anotherProcessHoldingTheStoreExclusivelyShutsThisOneOutUntilItDies() throws Exception {
        otherProcessOpens(SqliteJobStore.Access.EXCLUSIVE);
        StoreInUseException shared = assertThrows(StoreInUseException.class, () -> SqliteJobStore.open(dir.resolve("jobs.db")));
        assertTrue(shared.getMessage().contains("another process"), shared.getMessage());
        assertThrows(StoreInUseException.class,
                () -> SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open());

        // kill -9: no close(); the OS drops the lock with the process.
        other.toHandle().destroyForcibly();
        assertTrue(other.waitFor(60, TimeUnit.SECONDS));
        try (SqliteJobStore mine = SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertTrue(mine.exclusive());
        }
    }

    @Test
    void aRefusedOpenThroughAnotherPathLeavesTheOwnersLockInPlace() throws Exception {
        Path real = dir.resolve("data");
        java.nio.file.Files.createDirectories(real);
        Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link"), real);
        try (SqliteJobStore owner = SqliteJobStore.builder(real.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open()) {
            assertThrows(StoreInUseException.class, () -> SqliteJobStore.open(link.resolve("jobs.db")));
            assertThrows(StoreInUseException.class, () -> SqliteJobStore.builder(link.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open());
            // Had the refused opens closed a descriptor of the lock file, the OS would have dropped
            // the owner's lock with it, and another process could now take the store.
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=off",
                    StoreHolder.class.getName(), real.resolve("jobs.db").toString(), "EXCLUSIVE")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            other = p;
            p.getOutputStream().close();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("", said, "the other process must not get the store");
            assertTrue(p.exitValue() != 0, "the other process must fail to open it");
            assertTrue(owner.exclusive());
        }
    }

    @Test
    void sharedStoresInTwoProcessesCoexistButExcludeAnExclusiveOne() throws Exception {
        otherProcessOpens(SqliteJobStore.Access.SHARED);
        try (SqliteJobStore mine = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            StoreInUseException e = assertThrows(StoreInUseException.class,
                    () -> SqliteJobStore.builder(dir.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open());
            assertTrue(e.getMessage().contains("cannot be opened for exclusive use"), e.getMessage());
            assertTrue(mine.list(null, 10).isEmpty());
        }
    }
}
