package dev.ttsqueue.internal;

import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.JobRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Jobs' audio while they are made ({@link dev.ttsqueue.JobHandle#audio()}): one {@link AudioFeed}
 * per job that a worker here runs or that somebody follows. A run's feed is made when it starts,
 * so that a late subscriber still gets every piece; it ends with the job and is dropped then.
 * Jobs that end elsewhere (another node, lease recovery) are heard of through a job listener,
 * registered only for jobs somebody follows. Subscribers are served on {@code ttsq-audio} threads.
 */
final class JobAudio implements AutoCloseable {
    private final Map<String, AudioFeed> feeds = new ConcurrentHashMap<>();
    private final AudioStore audioStore;
    private final BiFunction<String, JobListener, Subscription> listen;
    private final ExecutorService executor;

    /** @param listen registers a listener for one job (the engine's {@code addListener}) */
    JobAudio(AudioStore audioStore, BiFunction<String, JobListener, Subscription> listen) {
        this.audioStore = audioStore;
        this.listen = listen;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "ttsq-audio-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** The feed a run of {@code jobId} here hands its pieces to. */
    AudioFeed forRun(String jobId) {
        return feeds.computeIfAbsent(jobId, id -> new AudioFeed(executor));
    }

    /** A run here completed with {@code output}: its feed hands over the whole output unless it handed over pieces. */
    void runCompleted(String jobId, AudioClip output) {
        AudioFeed feed = feeds.remove(jobId);
        if (feed != null) {
            if (!feed.hasPieces()) {
                feed.piece(output);
            }
            feed.complete();
        }
    }

    /**
     * A run here ended without its output: a lost lease (the job runs again, its pieces so far are
     * not part of it), or the queue closing.
     */
    void runStopped(String jobId, Throwable why) {
        AudioFeed feed = feeds.remove(jobId);
        if (feed != null) {
            feed.fail(why);
        }
    }

    /** A job reached a terminal state, here or elsewhere; a completion not run here hands over the stored output. */
    void jobEnded(JobRecord record) {
        AudioFeed feed = feeds.remove(record.id());
        if (feed != null) {
            end(feed, record);
        }
    }

    private void end(AudioFeed feed, JobRecord record) {
        end(feed, record.id(), record.status(), record.result(), record.error());
    }

    private void end(AudioFeed feed, String jobId, JobStatus status, SynthesisResult result, String error) {
        if (feed.ended()) {
            return;
        }
        if (status == JobStatus.COMPLETED) {
            try {
                feed.piece(audioStore.load(result.outputFileId()));
                feed.complete();
            } catch (Exception e) {
                feed.fail(e);
            }
        } else {
            feed.fail(Notifier.failureOf(jobId, status, error));
        }
    }

    /**
     * The audio of {@code record}'s job for a new subscriber: from the running job's feed, or the
     * stored output of a completed one, or the failure of a failed or cancelled one.
     */
    Flow.Publisher<AudioClip> follow(JobRecord record) {
        if (record.status().isTerminal()) {
            AudioFeed once = new AudioFeed(executor);
            end(once, record);
            return once;
        }
        boolean[] made = {false};
        AudioFeed feed = feeds.computeIfAbsent(record.id(), id -> {
            made[0] = true;
            return new AudioFeed(executor);
        });
        if (made[0]) {
            // The job may end in another process, or between the read and now: its terminal event
            // (delivered at once when it has already ended) ends the feed.
            listen.apply(record.id(), e -> {
                if (e.kind().isTerminal()) {
                    feeds.remove(record.id(), feed);
                    JobSnapshot s = e.snapshot();
                    end(feed, s.id(), s.status(), s.result(), s.error());
                }
            });
        }
        return feed;
    }

    /** The queue closed: every feed still open fails, and the delivery threads go. */
    @Override
    public void close() {
        for (String id : feeds.keySet()) {
            AudioFeed feed = feeds.remove(id);
            if (feed != null) {
                feed.fail(new QueueClosedException("The queue was closed before job " + id + " finished"));
            }
        }
        executor.shutdown();
    }
}
