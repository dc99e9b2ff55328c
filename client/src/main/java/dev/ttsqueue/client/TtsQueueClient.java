package dev.ttsqueue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobQueue;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.client.internal.ErrorAnswers;
import dev.ttsqueue.client.internal.ErrorAnswers.Subject;
import dev.ttsqueue.client.internal.JobTrackers;
import dev.ttsqueue.client.internal.Multipart;
import dev.ttsqueue.client.internal.NamedThreads;
import dev.ttsqueue.client.internal.RemoteAudio;
import dev.ttsqueue.client.internal.PathSegments;
import dev.ttsqueue.client.internal.RemoteApi;
import dev.ttsqueue.client.internal.RemoteJobHandle;
import dev.ttsqueue.client.internal.StreamSettings;
import dev.ttsqueue.client.internal.WireJson;
import dev.ttsqueue.spi.Identifiers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The queue's operations on a remote TTS Job Queue server, over its REST API: the same
 * {@link JobQueue} as the embedded {@link dev.ttsqueue.TtsJobQueue}, so code written against one
 * runs against the other.
 *
 * <pre>{@code
 * try (TtsQueueClient queue = TtsQueueClient.create(URI.create("http://gpu-host:8000"))) {
 *     String ref = queue.uploadReference(Path.of("ref.mp3"));
 *     JobHandle job = queue.submit(JobRequest.voiceCloning(ref, "Hello there").refText("Transcript."));
 *     job.onProgress(p -> System.out.printf("%.0f%% eta %s%n", p.percent(), p.estimatedCompletion()));
 *     queue.downloadOutput(job.result().join().outputFileId(), Path.of("hello.wav"));
 * }
 * }</pre>
 *
 * <p><b>Progress and results</b> come from the server's event stream of each job
 * ({@code GET /jobs/{id}/events}), opened when a handle's {@link JobHandle#result()} or
 * {@link JobHandle#onProgress} is first called, or on {@link #subscribe}. When the connection
 * breaks (the server restarts, a proxy drops it, no keep-alive comes for
 * {@link Builder#silenceTimeout}) it is reopened with growing pauses, and the future still
 * completes when the job does. If the stream cannot be reopened for {@link Builder#reconnectFor}
 * the future completes with {@link ServerUnavailableException}; if the server no longer knows
 * the job (a restarted server without a durable store), with {@link JobNotFoundException}.
 *
 * <p><b>Threads.</b> Listeners and result futures run on one thread, {@code ttsq-client-events},
 * in the order the events of a job arrived; keep them short or move work elsewhere with the
 * futures' {@code ...Async} methods. The other methods block the calling thread until the server
 * answers (at most {@link Builder#requestTimeout}). All methods are thread-safe.
 *
 * <p><b>Errors</b> are the embedded queue's exceptions for the same fault, with the server's
 * message: {@link InvalidRequestException} (400, 413, 422), {@link JobNotFoundException},
 * {@link ReferenceNotFoundException}, {@link dev.ttsqueue.QueueFullException} (429, with the
 * server's {@code Retry-After}), {@link dev.ttsqueue.JobNotCompletedException},
 * {@link QueueClosedException} (the server is shutting down, or this client is closed). Faults only
 * a network has: {@link ServerUnavailableException} (no answer), {@link ServerResponseException}
 * (any other error status, e.g. 401 for a wrong API key). Requests are never retried behind the
 * caller's back: a submit that got no answer may or may not have queued its job.
 *
 * <p><b>Where it differs from the embedded queue.</b> Snapshots carry no {@code attempts} (always
 * 0) and no {@code request}, except those of a handle this client submitted; {@link QueueStatus}
 * has no {@code stuckWorkers} (always 0); {@link JobHandle#accepted()} has no creation time and
 * no estimate (the submit answer carries only the place in the queue). A job run again after a
 * server crash reports progress from 0 again, after a {@code QUEUED} or {@code STARTED} event.
 * Queue-wide listeners, the stores and the backend of {@code TtsJobQueue} have no remote
 * counterpart.
 */
public final class TtsQueueClient implements JobQueue {
    private final RemoteApi api;
    private final JobTrackers trackers;
    private final ExecutorService events;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService httpExecutor;
    /** Threads that read audio streams, one per subscriber of a job's audio; daemons. */
    private final NamedThreads audioThreads = new NamedThreads("ttsq-client-audio", true);
    private volatile boolean open = true;

    private TtsQueueClient(Builder b) {
        ObjectMapper mapper = new ObjectMapper();
        this.events = Executors.newSingleThreadExecutor(new NamedThreads("ttsq-client-events", false));
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, new NamedThreads("ttsq-client-streams", false));
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = s;
        HttpClient http = b.httpClient;
        if (http == null) {
            httpExecutor = Executors.newCachedThreadPool(new NamedThreads("ttsq-client-http", true));
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(b.connectTimeout)
                    .executor(httpExecutor).build();
        } else {
            httpExecutor = null;
        }
        this.api = new RemoteApi(http, b.baseUrl, b.apiKey, b.requestTimeout, mapper);
        this.trackers = new JobTrackers(api, new StreamSettings(b.firstRetryDelay, b.maxRetryDelay, b.reconnectFor,
                b.silenceTimeout), events, scheduler);
    }

    /**
     * A client with the defaults for the server at {@code baseUrl} (e.g. {@code http://127.0.0.1:8000}).
     * Nothing is sent until the first call.
     *
     * @throws IllegalArgumentException when {@code baseUrl} is not an absolute http(s) URL
     */
    public static TtsQueueClient create(URI baseUrl) {
        return builder(baseUrl).build();
    }

    /** @throws IllegalArgumentException when {@code baseUrl} is not an absolute http(s) URL without query or fragment */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /** The server's base URL, ending in {@code /}. */
    public URI baseUrl() {
        return api.base();
    }

    // ---- JobQueue ------------------------------------------------------------------------------

    /**
     * Queues a job with {@code POST /jobs/submit}. The server validates it; nothing is checked here
     * first, so that a server of another version decides by its own rules.
     *
     * @throws ServerUnavailableException with no answer: the job may or may not have been queued
     */
    @Override
    public JobHandle submit(JobRequest request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        JsonNode answer = api.postJson("jobs/submit", WireJson.submitBody(api.mapper(), request), Subject.SUBMIT, null);
        String id = RemoteApi.readAnswer(answer, a -> WireJson.requiredText(a, "job_id"));
        int place = answer.path("queue_position").asInt(0);
        JobSnapshot accepted = new JobSnapshot(id, request.type(), JobStatus.QUEUED, request.priority(), null, null, null, 0, null,
                place, null, null, 0, request);
        return handle(id, request, accepted);
    }

    private JobHandle handle(String id, JobRequest request, JobSnapshot accepted) {
        return new RemoteJobHandle(id, request, accepted, trackers, this::status, this::cancel,
                jobId -> new RemoteAudio(api, jobId, this::status, audioThreads));
    }

    @Override
    public JobSnapshot status(String jobId) {
        String id = jobPath(jobId);
        JsonNode answer = api.get("jobs/" + id + "/status", Subject.JOB, jobId);
        return RemoteApi.readAnswer(answer, a -> WireJson.snapshot(a, null));
    }

    @Override
    public SynthesisResult result(String jobId) {
        String id = jobPath(jobId);
        HttpResponse<byte[]> answer = api.send(api.request("jobs/" + id + "/result").GET().build());
        if (answer.statusCode() == 404 && "Job result not found".equals(ErrorAnswers.detail(api.mapper(), answer.body()))) {
            return null; // completed, but the server no longer has its result (as the embedded queue answers)
        }
        return RemoteApi.readAnswer(api.json(answer, Subject.JOB, jobId), WireJson::result);
    }

    /** A handle for a job the server knows; asks the server once, for {@link JobHandle#accepted()}. */
    @Override
    public JobHandle handle(String jobId) {
        JobSnapshot now = status(jobId);
        return handle(now.id(), null, now);
    }

    @Override
    public QueueStatus queueStatus() {
        requireOpen();
        return RemoteApi.readAnswer(api.get("jobs/queue-status", Subject.OTHER, null), WireJson::queueStatus);
    }

    /** {@code DELETE /jobs/{id}}: true when the job was queued or running, false (409) when it had finished. */
    @Override
    public boolean cancel(String jobId) {
        String id = jobPath(jobId);
        HttpResponse<byte[]> answer = api.send(api.request("jobs/" + id).DELETE().build());
        if (answer.statusCode() == 409) {
            return false;
        }
        api.json(answer, Subject.JOB, jobId);
        return true;
    }

    /**
     * {@code POST /jobs/cleanup}. The server deletes finished jobs older than {@code maxAge}
     * (at millisecond precision) and their audio.
     *
     * @throws IllegalArgumentException for a negative age
     */
    @Override
    public int cleanup(Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative");
        }
        requireOpen();
        String hours = Double.toString(maxAge.toMillis() / 3_600_000.0);
        JsonNode answer = api.postJson("jobs/cleanup?max_age_hours=" + hours, api.mapper().createObjectNode(), Subject.OTHER, null);
        return answer.path("cleaned_count").asInt(0);
    }

    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        return list(status, limit, null).jobs();
    }

    @Override
    public JobPage list(JobStatus status, int limit, String cursor) {
        requireOpen();
        StringBuilder path = new StringBuilder("jobs?limit=").append(limit);
        if (status != null) {
            path.append("&status=").append(status.wireName());
        }
        if (cursor != null) {
            path.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        return RemoteApi.readAnswer(api.get(path.toString(), Subject.OTHER, null), WireJson::page);
    }

    /**
     * Follows the job's event stream while the subscription is open. The listener runs on
     * {@code ttsq-client-events}. If the stream is given up (see the class comment) the listener
     * hears nothing more; a handle's {@link JobHandle#result()} says why.
     */
    @Override
    public Subscription subscribe(String jobId, JobListener listener) {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        if (!Identifiers.isSafe(jobId)) {
            return () -> { }; // no such job can exist: nothing will ever arrive, as for any unknown id
        }
        return trackers.subscribe(jobId, listener);
    }

    /**
     * Uploads {@code clip} as a 16-bit WAV ({@code POST /upload-audio}).
     *
     * @return the id for {@link JobRequest#ttsGenerate} and {@link JobRequest#voiceCloning}
     */
    @Override
    public String uploadReference(AudioClip clip) {
        Objects.requireNonNull(clip, "clip");
        return upload(WavCodec.encode(clip, WavFormat.PCM_16), "reference.wav");
    }

    /**
     * Uploads an audio file as it is ({@code POST /upload-audio}): WAV, MP3, FLAC or Ogg Vorbis,
     * recognised by the server from its content.
     *
     * @return the id for {@link JobRequest#ttsGenerate} and {@link JobRequest#voiceCloning}
     * @throws IOException when the file cannot be read
     * @throws InvalidRequestException when the server cannot decode it, or it is too large or long
     */
    public String uploadReference(Path audioFile) throws IOException {
        Objects.requireNonNull(audioFile, "audioFile");
        return upload(Files.readAllBytes(audioFile), fileName(audioFile));
    }

    private String upload(byte[] audio, String fileName) {
        requireOpen();
        Multipart form = new Multipart().file("audio_file", fileName, contentType(fileName), audio);
        JsonNode answer = api.postMultipart("upload-audio", form, Subject.OTHER, null);
        return RemoteApi.readAnswer(answer, a -> WireJson.requiredText(a, "file_id"));
    }

    /**
     * Downloads and decodes a job's output ({@code GET /download-audio/{id}}).
     *
     * @throws ReferenceNotFoundException when the server has no such output, or it has expired
     */
    @Override
    public AudioClip readOutput(String outputFileId) throws IOException {
        HttpResponse<byte[]> answer = download(outputFileId, HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw api.error(answer.statusCode(), answer.body(), answer, Subject.AUDIO, outputFileId);
        }
        return WavCodec.decode(answer.body());
    }

    /**
     * Saves a job's output WAV as it is served to {@code target} (replaced if it exists), without
     * holding it in memory.
     *
     * @return {@code target}
     * @throws ReferenceNotFoundException when the server has no such output, or it has expired
     * @throws IOException when {@code target} cannot be written
     */
    public Path downloadOutput(String outputFileId, Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        HttpResponse<InputStream> answer = download(outputFileId, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = answer.body()) {
            if (answer.statusCode() != 200) {
                throw api.error(answer.statusCode(), body.readAllBytes(), answer, Subject.AUDIO, outputFileId);
            }
            Path dir = target.toAbsolutePath().getParent();
            Path partial = Files.createTempFile(dir, target.getFileName().toString(), ".part");
            try {
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return target;
    }

    private <T> HttpResponse<T> download(String outputFileId, HttpResponse.BodyHandler<T> handler) {
        Objects.requireNonNull(outputFileId, "outputFileId");
        requireOpen();
        if (!Identifiers.isSafe(outputFileId)) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.AUDIO_FILE_NOT_FOUND, "Audio file not found");
        }
        return api.send(api.request("download-audio/" + outputFileId).GET().build(), handler);
    }

    // ---- Voices (client only: the embedded queue has its VoiceBank) ------------------------------

    /**
     * Stores a permanent voice for {@link JobRequest#ttsPermanent} ({@code POST /upload-permanent-voice}).
     * The server cleans the name as the old F5-TTS server did ({@code My Voice!} becomes {@code myvoice}).
     *
     * @param refText the clip's transcript; null or empty for none
     * @return the name the voice was stored under
     * @throws IOException when the file cannot be read
     * @throws InvalidRequestException for a name with no letters or digits, or audio the server cannot decode
     */
    public String uploadVoice(String name, Path audioFile, String refText) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(audioFile, "audioFile");
        requireOpen();
        String fileName = fileName(audioFile);
        Multipart form = new Multipart().field("voice_name", name)
                .file("audio_file", fileName, contentType(fileName), Files.readAllBytes(audioFile));
        if (refText != null && !refText.isEmpty()) {
            form.field("ref_text", refText);
        }
        JsonNode answer = api.postMultipart("upload-permanent-voice", form, Subject.OTHER, null);
        return RemoteApi.readAnswer(answer, a -> WireJson.requiredText(a, "voice_name"));
    }

    /** The server's permanent voices ({@code GET /list-voices}). */
    public List<VoiceInfo> listVoices() {
        requireOpen();
        return RemoteApi.readAnswer(api.get("list-voices", Subject.OTHER, null), WireJson::voices);
    }

    /**
     * Deletes a permanent voice, named as {@link #uploadVoice} returned it (any case).
     *
     * @return false when there is no such voice
     */
    public boolean deleteVoice(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        String stored = name.toLowerCase(Locale.ROOT);
        if (!Identifiers.isVoiceName(stored)) {
            return false;
        }
        HttpResponse<byte[]> answer = api.send(api.request("voices/" + PathSegments.encode(stored)).DELETE().build());
        if (answer.statusCode() == 404) {
            return false;
        }
        api.json(answer, Subject.OTHER, null);
        return true;
    }

    // ---- Life cycle -----------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Closes the event streams and the client's threads. Futures of jobs still followed complete
     * with {@link QueueClosedException} (the jobs go on on the server); callbacks already queued
     * still run. Calls after this throw {@link QueueClosedException}. Idempotent.
     */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        trackers.close();
        scheduler.shutdownNow();
        events.shutdown(); // after the futures' completions queued by trackers.close()
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (httpExecutor != null) {
            httpExecutor.shutdownNow();
        }
    }

    private void requireOpen() {
        if (!open) {
            throw new QueueClosedException("The client is closed");
        }
    }

    /** The path segment of a job id; an id no job can have is unknown, as in the embedded queue. */
    private String jobPath(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        requireOpen();
        if (!Identifiers.isSafe(jobId)) {
            throw new JobNotFoundException(jobId);
        }
        return jobId;
    }

    private static String fileName(Path file) {
        Path name = file.getFileName();
        return name == null ? "audio" : name.toString();
    }

    /**
     * The part's type: the server wants {@code audio/*} and reads the format from the content, so
     * the extension only picks a plausible name.
     */
    private static String contentType(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".mp3")) {
            return "audio/mpeg";
        }
        if (n.endsWith(".flac")) {
            return "audio/flac";
        }
        if (n.endsWith(".ogg") || n.endsWith(".oga")) {
            return "audio/ogg";
        }
        return "audio/wav";
    }

    /** Settings of a {@link TtsQueueClient}; only the base URL is required. */
    public static final class Builder {
        private final URI baseUrl;
        private String apiKey;
        private HttpClient httpClient;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration reconnectFor = Duration.ofMinutes(10);
        private Duration firstRetryDelay = Duration.ofMillis(100);
        private Duration maxRetryDelay = Duration.ofSeconds(2);
        private Duration silenceTimeout = Duration.ofSeconds(45);

        private Builder(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!baseUrl.isAbsolute() || baseUrl.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                    || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("The server's base URL must be an absolute http or https URL without query"
                        + " or fragment, like http://127.0.0.1:8000; got " + baseUrl);
            }
            this.baseUrl = baseUrl;
        }

        /** Sent as {@code X-API-Key} with every request, for servers started with {@code --api-key}. */
        public Builder apiKey(String value) {
            Objects.requireNonNull(value, "apiKey");
            if (value.isEmpty()) {
                throw new IllegalArgumentException("apiKey must not be empty");
            }
            this.apiKey = value;
            return this;
        }

        /**
         * The HTTP client to use (for TLS settings, a proxy, an authenticator); default: one of
         * the client's own, on HTTP/1.1. A given one is not shut down by {@link TtsQueueClient#close()}
         * and its own connect timeout applies.
         */
        public Builder httpClient(HttpClient value) {
            this.httpClient = Objects.requireNonNull(value, "httpClient");
            return this;
        }

        /** How long connecting may take; default 10 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** How long a call waits for the server's answer (uploads and downloads included); default 60 s. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive(value, "requestTimeout");
            return this;
        }

        /**
         * How long a job's event stream is reopened, without an event arriving, before its future
         * completes with {@link ServerUnavailableException}; default 10 minutes (a server restart
         * takes seconds).
         */
        public Builder reconnectFor(Duration value) {
            this.reconnectFor = positive(value, "reconnectFor");
            return this;
        }

        /**
         * The pause before reopening a broken event stream, doubled after each failed attempt up
         * to {@code max}; default 100 ms and 2 s.
         */
        public Builder reconnectDelay(Duration first, Duration max) {
            positive(first, "first");
            positive(max, "max");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("max must not be shorter than first");
            }
            this.firstRetryDelay = first;
            this.maxRetryDelay = max;
            return this;
        }

        /**
         * An event stream silent this long is taken as broken and reopened; default 45 s (the
         * server sends a keep-alive comment every 15 s, so this spots a connection that died
         * without closing).
         */
        public Builder silenceTimeout(Duration value) {
            this.silenceTimeout = positive(value, "silenceTimeout");
            return this;
        }

        public TtsQueueClient build() {
            return new TtsQueueClient(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
