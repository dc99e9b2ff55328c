package dev.ttsqueue;

import java.util.List;

/**
 * One worker of this process and what it runs, as of one moment.
 *
 * @param name the worker's name, which is also its thread's ({@code ttsq-worker-N})
 * @param runningJobs ids of the jobs it runs now: none when idle, one, or several for a batch
 */
public record WorkerActivity(String name, List<String> runningJobs) {
    public WorkerActivity {
        runningJobs = List.copyOf(runningJobs);
    }

    public boolean isIdle() {
        return runningJobs.isEmpty();
    }
}
