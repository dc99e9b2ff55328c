package dev.ttsqueue.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The jobs running in this process, by id: what their workers, estimates and maintenance share. */
final class RunningJobs {
    private final Map<String, RunningJob> byId = new ConcurrentHashMap<>();
    /** Workers still warming their backend up, and when their warm-up time ends. */
    private final Map<String, Instant> warmingUp = new ConcurrentHashMap<>();

    void add(RunningJob job) {
        byId.put(job.id, job);
    }

    /**
     * Removes this very run. Naming the run, not just the id: if another node recovered the job and
     * a second worker here claimed it again, the stale run ending must not unregister the current
     * one, or nobody would renew its lease or enforce its timeout.
     */
    void remove(RunningJob job) {
        byId.remove(job.id, job);
    }

    /** The run of this job here, or null. */
    RunningJob get(String jobId) {
        return byId.get(jobId);
    }

    /** The run here of the claim with this token, or null (a job recovered and claimed again is another run). */
    RunningJob get(String jobId, long fencingToken) {
        RunningJob rj = byId.get(jobId);
        return rj != null && rj.token == fencingToken ? rj : null;
    }

    Collection<RunningJob> all() {
        return byId.values();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    /** Marks {@code worker} as warming up until {@code end}: its warm-up time left counts as work ahead. */
    void warmingUp(String worker, Instant end) {
        warmingUp.put(worker, end);
    }

    /** Marks {@code worker} as done with its warm-up. */
    void warmedUp(String worker) {
        warmingUp.remove(worker);
    }

    /**
     * Seconds the running jobs still need, added up, with the warm-up time workers have left; the
     * jobs nothing is known of count nothing.
     */
    double secondsLeft(Instant now) {
        double sum = 0;
        for (Instant end : warmingUp.values()) {
            sum += Math.max(0, Duration.between(now, end).toNanos() / 1e9);
        }
        for (RunningJob rj : byId.values()) {
            double left = rj.secondsLeft(now);
            if (!Double.isNaN(left)) {
                sum += left;
            }
        }
        return sum;
    }

    /** Seconds until the running job nearest its end is done; NaN when nothing is known. */
    double soonestEnd(Instant now) {
        double soonest = Double.NaN;
        for (RunningJob rj : byId.values()) {
            double left = rj.secondsLeft(now);
            if (!Double.isNaN(left) && (Double.isNaN(soonest) || left < soonest)) {
                soonest = left;
            }
        }
        return soonest;
    }

    /** Workers whose backend call outlived its job by {@code grace}. */
    int stuckWorkers(Instant now, Duration grace) {
        Set<String> stuck = new HashSet<>();
        for (RunningJob rj : byId.values()) {
            if (rj.stuck(now, grace)) {
                stuck.add(rj.worker());
            }
        }
        return stuck.size();
    }
}
