package dev.ttsqueue;

/**
 * Receives job events. Listeners run on the queue's event thread ({@code ttsq-events}), never on
 * a worker: a slow listener delays other listeners but never the model. Events of one job arrive
 * in order. A listener that throws is logged and skipped; the job and the other listeners go on.
 */
@FunctionalInterface
public interface JobListener {
    void onEvent(JobEvent event);
}
