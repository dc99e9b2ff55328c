package dev.ttsqueue.client.internal;

import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.Subscription;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The jobs this client follows, one {@link JobTracker} (and so one event stream) per job however
 * many handles and listeners ask for it. A job is followed from the first ask until its end; a
 * job followed only for {@link #subscribe subscriptions} stops being followed when the last one
 * closes. A result future, once asked for, keeps its job followed to the end.
 */
public final class JobTrackers {
    private final RemoteApi api;
    private final StreamSettings settings;
    private final Executor events;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A tracker and how many asks keep it: result futures count for good, subscriptions until closed. */
    private static final class Entry {
        final JobTracker tracker;
        boolean resultAsked;
        int subscriptions;

        Entry(JobTracker tracker) {
            this.tracker = tracker;
        }
    }

    public JobTrackers(RemoteApi api, StreamSettings settings, Executor events, ScheduledExecutorService scheduler) {
        this.api = api;
        this.settings = settings;
        this.events = events;
        this.scheduler = scheduler;
    }

    /**
     * The job's result future, following the job if it is not followed yet.
     *
     * @param request what was submitted (for snapshots), or null
     */
    public CompletableFuture<SynthesisResult> result(String jobId, JobRequest request) {
        if (closed) {
            return CompletableFuture.failedFuture(closedWhileFollowing(jobId));
        }
        Entry[] made = new Entry[1];
        Entry e = entries.compute(jobId, (id, old) -> {
            Entry now = live(old) ? old : (made[0] = new Entry(newTracker(id, request)));
            now.resultAsked = true;
            return now;
        });
        startIfNew(made[0]);
        return e.tracker.result();
    }

    /**
     * Adds {@code listener} to the job's listeners until the job ends (progress listeners of a
     * handle, which cannot be removed).
     */
    public void listenToEnd(String jobId, JobRequest request, JobListener listener) {
        if (closed) {
            return; // nothing will ever arrive, as for a job that has ended
        }
        Entry[] made = new Entry[1];
        entries.compute(jobId, (id, old) -> {
            Entry now = live(old) ? old : (made[0] = new Entry(newTracker(id, request)));
            now.resultAsked = true; // keeps the stream open to the end, as a result future would
            now.tracker.addListener(listener);
            return now;
        });
        startIfNew(made[0]);
    }

    /** Adds {@code listener} until the returned subscription closes or the job ends. */
    public Subscription subscribe(String jobId, JobListener listener) {
        Entry[] made = new Entry[1];
        Entry e = entries.compute(jobId, (id, old) -> {
            Entry now = live(old) ? old : (made[0] = new Entry(newTracker(id, null)));
            now.subscriptions++;
            now.tracker.addListener(listener);
            return now;
        });
        startIfNew(made[0]);
        JobTracker tracker = e.tracker;
        return new Subscription() {
            private boolean done;

            @Override
            public synchronized void close() {
                if (done) {
                    return;
                }
                done = true;
                tracker.removeListener(listener);
                entries.computeIfPresent(jobId, (id, current) -> {
                    if (current.tracker != tracker || --current.subscriptions > 0 || current.resultAsked) {
                        return current;
                    }
                    tracker.detach(); // nobody listens or waits any more
                    return null;
                });
            }
        };
    }

    /** A tracker whose job ended is on its way out of the map: a new ask gets a new one. */
    private static boolean live(Entry e) {
        return e != null && !e.tracker.isFinished();
    }

    private JobTracker newTracker(String jobId, JobRequest request) {
        if (closed) {
            throw new QueueClosedException("The client is closed");
        }
        JobTracker[] self = new JobTracker[1];
        JobTracker t = new JobTracker(jobId, request, api, events, () -> entries.computeIfPresent(jobId,
                (id, current) -> current.tracker == self[0] ? null : current));
        self[0] = t;
        t.attach(new JobStream(api, jobId, settings, scheduler, t));
        return t;
    }

    private void startIfNew(Entry made) {
        if (made != null) {
            made.tracker.start();
        }
    }

    /**
     * Stops following every job: their futures complete with {@link QueueClosedException} (on the
     * event thread) and their streams close. Later asks throw {@link QueueClosedException}.
     */
    public void close() {
        closed = true;
        for (Entry e : List.copyOf(entries.values())) {
            e.tracker.abandon(closedWhileFollowing(e.tracker.jobId()));
        }
        entries.clear();
    }

    private static QueueClosedException closedWhileFollowing(String jobId) {
        return new QueueClosedException("The client was closed; job " + jobId + " goes on on the server: a new client's handle(\""
                + jobId + "\") follows it");
    }
}
