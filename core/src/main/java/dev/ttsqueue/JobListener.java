package dev.ttsqueue;

/**
 * Receives job events. Listeners run on the queue's event thread ({@code ttsq-events}), never on
 * a worker: a slow listener delays other listeners but never the model. Events of one job arrive
 * in order. A listener that throws is logged and skipped; the job and the other listeners go on.
 *
 * <p>Listeners too slow to keep up lose progress events, never others: once 10,000 progress
 * events wait for the event thread, new ones are dropped (with a warning in the log) until the
 * backlog shrinks, so memory stays bounded. A later progress event or the job's terminal event
 * always carries what a dropped one said. Queued, started and terminal events are never dropped.
 */
@FunctionalInterface
public interface JobListener {
    void onEvent(JobEvent event);
}
