package dev.ttsqueue.server.internal;

import dev.ttsqueue.FinishedJob;
import dev.ttsqueue.QueueMetricsListener;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per finished job, on the logger {@value #LOGGER}, from the node that ran it (or
 * cancelled it): {@code job 4f1c... voice_cloning completed wait=0.012s run=1.840s audio=3.200s
 * rtf=1.74 worker=ttsq-worker-0 node=gpu-3}. The real-time factor is seconds of audio per second
 * of run time. Called on the thread where the job ended; it only formats one line.
 */
final class JobLog implements QueueMetricsListener {
    /** The logger's name, so that a logging configuration can route or silence these lines. */
    static final String LOGGER = "dev.ttsqueue.server.jobs";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final String node;

    /** @param node this node's name among several on one store, or null when it has none */
    JobLog(String node) {
        this.node = node;
    }

    @Override
    public void jobFinished(FinishedJob job) {
        if (!log.isInfoEnabled()) {
            return;
        }
        log.info("job {} {} {} wait={} run={} audio={} rtf={} worker={}{}", job.id(), job.type().wireName(), job.status().wireName(),
                seconds(job.queueWait()), seconds(job.runTime()), String.format(Locale.ROOT, "%.3fs", job.audioSeconds()),
                String.format(Locale.ROOT, "%.2f", job.realTimeFactor()), job.worker() == null ? "-" : job.worker(),
                node == null ? "" : " node=" + node);
    }

    private static String seconds(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
    }
}
