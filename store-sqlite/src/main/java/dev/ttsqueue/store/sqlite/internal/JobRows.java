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

    /** Rewrites every mutable column of the job whose id is the last parameter. */
    public static final String UPDATE = "UPDATE jobs SET " + String.join(" = ?, ", MUTABLE) + " = ? WHERE id = ?";

    private JobRows() {
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

    /** Reads the row under the cursor; the query must select {@link #COLUMNS}. */
    public static JobRecord read(ResultSet rs) throws SQLException {
        InferenceSettings settings = new InferenceSettings(
                rs.getInt("randomize_seed") != 0,
                rs.getLong("settings_seed"),
                rs.getInt("remove_silence") != 0,
                rs.getDouble("speed"),
                rs.getInt("nfe_step"),
                rs.getDouble("cross_fade_duration"));
        JobRequest request = new JobRequest(
                JobType.valueOf(rs.getString("job_type")),
                rs.getString("audio_file_id"),
                rs.getString("voice_name"),
                rs.getString("ref_text"),
                rs.getString("gen_text"),
                settings,
                rs.getInt("priority"),
                rs.getString("tenant"));
        SynthesisResult result = null;
        if (rs.getInt("has_result") != 0) {
            result = new SynthesisResult(
                    rs.getString("result_output_file_id"),
                    rs.getString("result_ref_text"),
                    rs.getString("result_gen_text"),
                    rs.getLong("result_seed"),
                    rs.getString("result_voice_name"),
                    rs.getDouble("result_duration_seconds"),
                    rs.getInt("result_sample_rate"),
                    rs.getString("result_backend"),
                    rs.getString("result_note"));
        }
        return new JobRecord(
                rs.getString("id"),
                request,
                rs.getLong("sequence"),
                rs.getLong("seed"),
                JobStatus.valueOf(rs.getString("status")),
                getInstant(rs, "created_at"),
                getInstant(rs, "started_at"),
                getInstant(rs, "completed_at"),
                rs.getInt("steps_done"),
                rs.getInt("steps_total"),
                rs.getDouble("progress"),
                getInstant(rs, "estimated_completion"),
                rs.getString("error"),
                result,
                rs.getInt("attempts"),
                rs.getString("lease_owner"),
                getInstant(rs, "lease_expires_at"),
                rs.getLong("fencing_token"),
                rs.getInt("cancel_requested") != 0,
                rs.getLong("virtual_start"),
                rs.getInt("share_weight"));
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

    private static Instant getInstant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
