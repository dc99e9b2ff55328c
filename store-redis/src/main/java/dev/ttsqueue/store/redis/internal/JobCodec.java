package dev.ttsqueue.store.redis.internal;

import dev.ttsqueue.FairShare;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.JobRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link JobRecord} as the fields of its Redis hash. What never changes after enqueue (the
 * request, seed and creation time) is packed into {@code req}; the result into {@code res}; the
 * rest are one field each, so that a progress write or a lease renewal touches only its own. An
 * absent field is null, zero or false. Times are epoch milliseconds (records come back cut to
 * milliseconds), numbers in Java's own decimal form, which reads back exactly.
 */
public final class JobCodec {
    public static final String REQUEST = "req";
    public static final String SEQUENCE = "seq";
    public static final String STATUS = "st";
    public static final String STARTED = "started";
    public static final String COMPLETED = "completed";
    public static final String STEPS_DONE = "done";
    public static final String STEPS_TOTAL = "total";
    public static final String PROGRESS = "pct";
    public static final String ESTIMATE = "eta";
    public static final String ERROR = "err";
    public static final String RESULT = "res";
    public static final String ATTEMPTS = "att";
    public static final String OWNER = "owner";
    public static final String LEASE = "lease";
    public static final String TOKEN = "tok";
    public static final String CANCEL = "cxl";
    /** Fair share, written once at enqueue; absent in jobs stored before tenants (anonymous, weight 1, start 0). */
    public static final String TENANT = "tn";
    public static final String WEIGHT = "w";
    public static final String VIRTUAL_START = "vs";

    private JobCodec() {
    }

    /** The immutable part of a job: request, seed and creation time. */
    public static String packRequest(JobRecord job) {
        JobRequest r = job.request();
        InferenceSettings s = r.settings();
        return Packing.pack(r.type().name(), r.audioFileId(), r.voiceName(), r.refText(), r.text(),
                bool(s.randomizeSeed()), Long.toString(s.seed()), bool(s.removeSilence()), Double.toString(s.speed()),
                Integer.toString(s.nfeStep()), Double.toString(s.crossFadeDuration()), Integer.toString(r.priority()),
                Long.toString(job.seed()), Long.toString(job.createdAt().toEpochMilli()));
    }

    public static String packResult(SynthesisResult r) {
        return Packing.pack(r.outputFileId(), r.refText(), r.genText(), Long.toString(r.seed()), r.voiceName(),
                Double.toString(r.durationSeconds()), Integer.toString(r.sampleRate()), r.backend(), r.note());
    }

    /**
     * The changing fields of {@code job} as field, value pairs, leaving out those at their default
     * (null, 0, false), as {@code recover.lua} writes them after deleting the old ones.
     */
    public static List<String> stateFields(JobRecord job) {
        List<String> out = new ArrayList<>(28);
        out.add(STATUS);
        out.add(job.status().name());
        put(out, STARTED, millis(job.startedAt()));
        put(out, COMPLETED, millis(job.completedAt()));
        put(out, STEPS_DONE, job.stepsDone() == 0 ? null : Integer.toString(job.stepsDone()));
        put(out, STEPS_TOTAL, job.stepsTotal() == 0 ? null : Integer.toString(job.stepsTotal()));
        put(out, PROGRESS, job.progress() == 0.0 ? null : Double.toString(job.progress()));
        put(out, ESTIMATE, millis(job.estimatedCompletion()));
        put(out, ERROR, job.error());
        put(out, RESULT, job.result() == null ? null : packResult(job.result()));
        put(out, ATTEMPTS, job.attempts() == 0 ? null : Integer.toString(job.attempts()));
        put(out, OWNER, job.leaseOwner());
        put(out, LEASE, millis(job.leaseExpiresAt()));
        put(out, TOKEN, job.fencingToken() == 0 ? null : Long.toString(job.fencingToken()));
        put(out, CANCEL, job.cancelRequested() ? "1" : null);
        return out;
    }

    /**
     * The job stored under {@code id}.
     *
     * @throws IllegalStateException when the fields are not a job this codec wrote
     */
    public static JobRecord decode(String id, Map<String, String> f) {
        String packed = f.get(REQUEST);
        if (packed == null || f.get(STATUS) == null) {
            throw new IllegalStateException("Redis hash of job " + id + " is not a job: fields " + f.keySet());
        }
        List<String> q = Packing.unpack(packed);
        if (q.size() != 14) {
            throw new IllegalStateException("Redis hash of job " + id + " holds a request of " + q.size() + " parts, not 14");
        }
        InferenceSettings settings = new InferenceSettings(q.get(5).equals("1"), Long.parseLong(q.get(6)), q.get(7).equals("1"),
                Double.parseDouble(q.get(8)), Integer.parseInt(q.get(9)), Double.parseDouble(q.get(10)));
        JobRequest request = new JobRequest(JobType.valueOf(q.get(0)), q.get(1), q.get(2), q.get(3), q.get(4), settings,
                Integer.parseInt(q.get(11)), f.get(TENANT));
        String result = f.get(RESULT);
        return new JobRecord(id, request, Long.parseLong(f.get(SEQUENCE)), Long.parseLong(q.get(12)),
                JobStatus.valueOf(f.get(STATUS)), Instant.ofEpochMilli(Long.parseLong(q.get(13))), instant(f.get(STARTED)),
                instant(f.get(COMPLETED)), integer(f.get(STEPS_DONE)), integer(f.get(STEPS_TOTAL)), number(f.get(PROGRESS)),
                instant(f.get(ESTIMATE)), f.get(ERROR), result == null ? null : unpackResult(result), integer(f.get(ATTEMPTS)),
                f.get(OWNER), instant(f.get(LEASE)), f.get(TOKEN) == null ? 0 : Long.parseLong(f.get(TOKEN)),
                "1".equals(f.get(CANCEL)), f.get(VIRTUAL_START) == null ? 0 : Long.parseLong(f.get(VIRTUAL_START)),
                f.get(WEIGHT) == null ? FairShare.DEFAULT_WEIGHT : Integer.parseInt(f.get(WEIGHT)));
    }

    private static SynthesisResult unpackResult(String packed) {
        List<String> r = Packing.unpack(packed);
        if (r.size() != 9) {
            throw new IllegalStateException("a stored result has " + r.size() + " parts, not 9");
        }
        return new SynthesisResult(r.get(0), r.get(1), r.get(2), Long.parseLong(r.get(3)), r.get(4), Double.parseDouble(r.get(5)),
                Integer.parseInt(r.get(6)), r.get(7), r.get(8));
    }

    /** Epoch milliseconds, or null. */
    public static String millis(Instant t) {
        return t == null ? null : Long.toString(t.toEpochMilli());
    }

    /** Epoch milliseconds of a bound in a query, clamped to what a long holds ({@code Instant.MAX} means "all"). */
    public static long bound(Instant t) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static void put(List<String> out, String field, String value) {
        if (value != null) {
            out.add(field);
            out.add(value);
        }
    }

    private static String bool(boolean b) {
        return b ? "1" : "0";
    }

    private static Instant instant(String millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }

    private static int integer(String s) {
        return s == null ? 0 : Integer.parseInt(s);
    }

    private static double number(String s) {
        return s == null ? 0.0 : Double.parseDouble(s);
    }
}
