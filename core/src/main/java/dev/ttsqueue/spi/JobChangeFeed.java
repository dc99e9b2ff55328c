package dev.ttsqueue.spi;

/**
 * Optional part of a {@link JobStore} that several processes share (see {@link JobStore#changeFeed()}):
 * tells this process of the changes other processes make to jobs. With it, a queue follows jobs
 * that run elsewhere: listeners and result futures here see jobs end that another process ran,
 * a cancel asked elsewhere stops a job running here at its next step, and idle workers wake
 * when another process queues work. Without it each process sees only its own changes, and
 * polls the store for work.
 *
 * <p>Delivery is best effort, as a publish/subscribe channel gives it: changes made while the
 * connection was down are lost, and {@link Listener#onGap()} says so once it is back. Changes
 * this very store instance made are not delivered (its queue already knows them).
 */
public interface JobChangeFeed {

    /**
     * Starts delivering changes to {@code listener}, one at a time and in the order the store saw
     * them, on a thread of the store's own; the listener may read the store.
     *
     * @return closes the subscription; after it returns no further call is made
     */
    AutoCloseable subscribe(Listener listener);

    /** Receives a {@link JobChangeFeed}'s changes. */
    interface Listener {

        /** A change another process made. */
        void onChange(JobChange change);

        /**
         * Changes may have been missed (the feed's connection was lost and is back): re-read from
         * the store whatever this process waits for.
         */
        void onGap();
    }
}
