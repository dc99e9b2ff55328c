package dev.ttsqueue.client;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records a job's events and the threads they ran on; tests wait on it for what they expect. */
final class EventLog implements JobListener {
    private final List<JobEvent> events = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();

    @Override
    public synchronized void onEvent(JobEvent event) {
        events.add(event);
        threads.add(Thread.currentThread().getName());
        notifyAll();
    }

    synchronized List<JobEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<JobEvent.Kind> kinds() {
        return events.stream().map(JobEvent::kind).toList();
    }

    synchronized List<String> threads() {
        return List.copyOf(threads);
    }

    /**
     * Waits until {@code condition} holds for the events so far.
     *
     * @throws AssertionError with the events seen when it does not within the fixture's timeout
     */
    synchronized List<JobEvent> await(String what, Predicate<List<JobEvent>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(QueueFixture.TIMEOUT_S);
        while (!condition.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + what + " in " + kinds());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(events);
    }

    /** Waits for an event of {@code kind}. */
    JobEvent await(JobEvent.Kind kind) throws InterruptedException {
        List<JobEvent> seen = await(kind.name(), l -> l.stream().anyMatch(e -> e.kind() == kind));
        return seen.stream().filter(e -> e.kind() == kind).findFirst().orElseThrow();
    }
}
