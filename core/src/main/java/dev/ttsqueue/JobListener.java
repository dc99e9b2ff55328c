package dev.ttsqueue;

/**
 * Receives job events. Listeners run on the queue's event thread ({@code ttsq-events}), never on
 * a worker: a slow listener delays other listeners but never the model. Events of one job arrive
 * in order. A listener that throws is logged and skipped; the job and the other listeners go on.
 *
 * <p>A listener too slow to keep up sees fewer progress events, never fewer of the others: while a
 * job's progress event waits for the event thread, a newer report of that job takes its place, so
 * the backlog holds at most one progress event per running job and memory stays bounded. Each
 * progress event carries the whole progress (steps, percent, ETA), so the newest says everything
 * the replaced ones did. Queued, started and terminal events are never dropped or merged.
 */
@FunctionalInterface
public interface JobListener {
    void onEvent(JobEvent event);
}
