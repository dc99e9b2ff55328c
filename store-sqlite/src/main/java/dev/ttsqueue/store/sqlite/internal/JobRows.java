package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.JobRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * Maps a {@link JobRecord} to the columns of the {@code jobs} table and back. Instants are kept
 * as epoch milliseconds; {@link #truncate} brings a record to that precision so what a store
 * method returns equals what a later read gives.
 */
public final class JobRows {

    /** Columns fixed at submission. */
    private static final String IMMUTABLE = "id, sequence, job_type, priority, audio_file_id, voice_name, ref_text, gen_text, "
            + "randomize_seed, settings_seed, remove_silence, speed, nfe_step, cross_fade_duration, seed, created_at, "
            + "tenant, share_weight, virtual_start";

    /** Columns that change over the job's life, in the order {@link #bindMutable} binds them. */
    private static final String[] MUTABLE = {"status", "started_at", "completed_at", "steps_done", "steps_total",
            "progress", "estimated_completion", "error", "has_result", "result_output_file_id", "result_ref_text",
            "result_gen_text", "result_seed", "result_voice_name", "result_duration_seconds", "result_sample_rate",
            "result_backend", "result_note", "attempts", "lease_owner", "lease_expires_at", "fencing_token",
            "cancel_requested"};

    public static final String COLUMNS = IMMUTABLE + ", " + String.join(", ", MUTABLE);

    public static final String INSERT = "INSERT INTO jobs (" + COLUMNS + ") VALUES ("
            + "?, ".repeat(COLUMNS.split(",").length - 1) + "?)";

    /** Positions (from 1) of the columns in {@link #COLUMNS}, for {@link #read}. */
    private static final int C_ATTEMPTS = position("attempts");
    private static final int C_AUDIO_FILE_ID = position("audio_file_id");
    private static final int C_CANCEL_REQUESTED = position("cancel_requested");
    private static final int C_COMPLETED_AT = position("completed_at");
    private static final int C_CREATED_AT = position("created_at");
    private static final int C_CROSS_FADE_DURATION = position("cross_fade_duration");
    private static final int C_ERROR = position("error");
    private static final int C_ESTIMATED_COMPLETION = position("estimated_completion");
    private static final int C_FENCING_TOKEN = position("fencing_token");
    private static final int C_GEN_TEXT = position("gen_text");
    private static final int C_HAS_RESULT = position("has_result");
    private static final int C_ID = position("id");
    private static final int C_JOB_TYPE = position("job_type");
    private static final int C_LEASE_EXPIRES_AT = position("lease_expires_at");
    private static final int C_LEASE_OWNER = position("lease_owner");
    private static final int C_NFE_STEP = position("nfe_step");
    private static final int C_PRIORITY = position("priority");
    private static final int C_PROGRESS = position("progress");
    private static final int C_RANDOMIZE_SEED = position("randomize_seed");
    private static final int C_REF_TEXT = position("ref_text");
    private static final int C_REMOVE_SILENCE = position("remove_silence");
    private static final int C_RESULT_BACKEND = position("result_backend");
    private static final int C_RESULT_DURATION_SECONDS = position("result_duration_seconds");
    private static final int C_RESULT_GEN_TEXT = position("result_gen_text");
    private static final int C_RESULT_NOTE = position("result_note");
    private static final int C_RESULT_OUTPUT_FILE_ID = position("result_output_file_id");
    private static final int C_RESULT_REF_TEXT = position("result_ref_text");
    private static final int C_RESULT_SAMPLE_RATE = position("result_sample_rate");
    private static final int C_RESULT_SEED = position("result_seed");
    private static final int C_RESULT_VOICE_NAME = position("result_voice_name");
    private static final int C_SEED = position("seed");
    private static final int C_SEQUENCE = position("sequence");
    private static final int C_SETTINGS_SEED = position("settings_seed");
    private static final int C_SHARE_WEIGHT = position("share_weight");
    private static final int C_SPEED = position("speed");
    private static final int C_STARTED_AT = position("started_at");
    private static final int C_STATUS = position("status");
    private static final int C_STEPS_DONE = position("steps_done");
    private static final int C_STEPS_TOTAL = position("steps_total");
    private static final int C_TENANT = position("tenant");
    private static final int C_VIRTUAL_START = position("virtual_start");
    private static final int C_VOICE_NAME = position("voice_name");

    /** Rewrites every mutable column of the job whose id is the last parameter. */
    public static final String UPDATE = "UPDATE jobs SET " + String.join(" = ?, ", MUTABLE) + " = ? WHERE id = ?";

    private JobRows() {
    }

    private static int position(String column) {
        int at = List.of(COLUMNS.split(", ")).indexOf(column);
        if (at < 0) {
            throw new IllegalStateException("no column " + column + " in " + COLUMNS);
        }
        return at + 1;
    }

    /** Binds every column for {@link #INSERT}. */
    public static void bindInsert(PreparedStatement ps, JobRecord r) throws SQLException {
        JobRequest q = r.request();
        InferenceSettings s = q.settings();
        int i = 1;
        ps.setString(i++, r.id());
        ps.setLong(i++, r.sequence());
        ps.setString(i++, q.type().name());
        ps.setInt(i++, q.priority());
        setText(ps, i++, q.audioFileId());
        setText(ps, i++, q.voiceName());
        ps.setString(i++, q.refText());
        ps.setString(i++, q.text());
        ps.setInt(i++, s.randomizeSeed() ? 1 : 0);
        ps.setLong(i++, s.seed());
        ps.setInt(i++, s.removeSilence() ? 1 : 0);
        ps.setDouble(i++, s.speed());
        ps.setInt(i++, s.nfeStep());
        ps.setDouble(i++, s.crossFadeDuration());
        ps.setLong(i++, r.seed());
        ps.setLong(i++, r.createdAt().toEpochMilli());
        ps.setString(i++, q.tenant());
        ps.setInt(i++, r.shareWeight());
        ps.setLong(i++, r.virtualStart());
        bindMutable(ps, i, r);
    }

    /** Binds the mutable columns for {@link #UPDATE}, then the id. */
    public static void bindUpdate(PreparedStatement ps, JobRecord r) throws SQLException {
        int next = bindMutable(ps, 1, r);
        ps.setString(next, r.id());
    }

    private static int bindMutable(PreparedStatement ps, int first, JobRecord r) throws SQLException {
        int i = first;
        ps.setString(i++, r.status().name());
        setInstant(ps, i++, r.startedAt());
        setInstant(ps, i++, r.completedAt());
        ps.setInt(i++, r.stepsDone());
        ps.setInt(i++, r.stepsTotal());
        ps.setDouble(i++, r.progress());
        setInstant(ps, i++, r.estimatedCompletion());
        setText(ps, i++, r.error());
        SynthesisResult res = r.result();
        ps.setInt(i++, res == null ? 0 : 1);
        setText(ps, i++, res == null ? null : res.outputFileId());
        setText(ps, i++, res == null ? null : res.refText());
        setText(ps, i++, res == null ? null : res.genText());
        if (res == null) {
            ps.setNull(i++, Types.BIGINT);
            ps.setNull(i++, Types.VARCHAR);
            ps.setNull(i++, Types.DOUBLE);
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setLong(i++, res.seed());
            setText(ps, i++, res.voiceName());
            ps.setDouble(i++, res.durationSeconds());
            ps.setInt(i++, res.sampleRate());
        }
        setText(ps, i++, res == null ? null : res.backend());
        setText(ps, i++, res == null ? null : res.note());
        ps.setInt(i++, r.attempts());
        setText(ps, i++, r.leaseOwner());
        setInstant(ps, i++, r.leaseExpiresAt());
        ps.setLong(i++, r.fencingToken());
        ps.setInt(i++, r.cancelRequested() ? 1 : 0);
        return i;
    }

    /**
     * Reads the row under the cursor; the query must select {@link #COLUMNS}, in their order.
     * Columns are read by position: the driver maps names to positions anew for every result set.
     */
    public static JobRecord read(ResultSet rs) throws SQLException {
        InferenceSettings settings = new InferenceSettings(
                rs.getInt(C_RANDOMIZE_SEED) != 0,
                rs.getLong(C_SETTINGS_SEED),
                rs.getInt(C_REMOVE_SILENCE) != 0,
                rs.getDouble(C_SPEED),
                rs.getInt(C_NFE_STEP),
                rs.getDouble(C_CROSS_FADE_DURATION));
        JobRequest request = new JobRequest(
                JobType.valueOf(rs.getString(C_JOB_TYPE)),
                rs.getString(C_AUDIO_FILE_ID),
                rs.getString(C_VOICE_NAME),
                rs.getString(C_REF_TEXT),
                rs.getString(C_GEN_TEXT),
                settings,
                rs.getInt(C_PRIORITY),
                rs.getString(C_TENANT));
        SynthesisResult result = null;
        if (rs.getInt(C_HAS_RESULT) != 0) {
            result = new SynthesisResult(
                    rs.getString(C_RESULT_OUTPUT_FILE_ID),
                    rs.getString(C_RESULT_REF_TEXT),
                    rs.getString(C_RESULT_GEN_TEXT),
                    rs.getLong(C_RESULT_SEED),
                    rs.getString(C_RESULT_VOICE_NAME),
                    rs.getDouble(C_RESULT_DURATION_SECONDS),
                    rs.getInt(C_RESULT_SAMPLE_RATE),
                    rs.getString(C_RESULT_BACKEND),
                    rs.getString(C_RESULT_NOTE));
        }
        return new JobRecord(
                rs.getString(C_ID),
                request,
                rs.getLong(C_SEQUENCE),
                rs.getLong(C_SEED),
                JobStatus.valueOf(rs.getString(C_STATUS)),
                getInstant(rs, C_CREATED_AT),
                getInstant(rs, C_STARTED_AT),
                getInstant(rs, C_COMPLETED_AT),
                rs.getInt(C_STEPS_DONE),
                rs.getInt(C_STEPS_TOTAL),
                rs.getDouble(C_PROGRESS),
                getInstant(rs, C_ESTIMATED_COMPLETION),
                rs.getString(C_ERROR),
                result,
                rs.getInt(C_ATTEMPTS),
                rs.getString(C_LEASE_OWNER),
                getInstant(rs, C_LEASE_EXPIRES_AT),
                rs.getLong(C_FENCING_TOKEN),
                rs.getInt(C_CANCEL_REQUESTED) != 0,
                rs.getLong(C_VIRTUAL_START),
                rs.getInt(C_SHARE_WEIGHT));
    }

    /** The record with every instant cut to whole milliseconds, as the table keeps them. */
    public static JobRecord truncate(JobRecord r) {
        return new JobRecord(r.id(), r.request(), r.sequence(), r.seed(), r.status(), millis(r.createdAt()),
                millis(r.startedAt()), millis(r.completedAt()), r.stepsDone(), r.stepsTotal(), r.progress(),
                millis(r.estimatedCompletion()), r.error(), r.result(), r.attempts(), r.leaseOwner(),
                millis(r.leaseExpiresAt()), r.fencingToken(), r.cancelRequested(), r.virtualStart(), r.shareWeight());
    }

    /** {@code t} cut to whole milliseconds; null stays null. */
    public static Instant millis(Instant t) {
        return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
    }

    private static void setText(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    private static Instant getInstant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
