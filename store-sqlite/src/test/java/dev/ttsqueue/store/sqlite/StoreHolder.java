package dev.ttsqueue.store.sqlite;

import java.nio.file.Path;

/** The other process of {@link SqliteAccessIT}: opens the store as told, says so, and holds it until killed. */
public final class StoreHolder {
    private StoreHolder() {
    }

    public static void main(String[] args) throws Exception {
        SqliteJobStore store = SqliteJobStore.builder(Path.of(args[0])).access(SqliteJobStore.Access.valueOf(args[1])).open();
        System.out.println("OPEN " + store.access());
        System.out.flush();
        // Holds the store until the parent kills this process or closes our stdin.
        while (System.in.read() >= 0) {
            // keep reading
        }
        store.close();
    }
}
