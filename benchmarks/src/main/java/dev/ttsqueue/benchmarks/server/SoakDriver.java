package dev.ttsqueue.benchmarks.server;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mixed load at a fixed rate against a running server, for the soak benchmark
 * ({@code benchmarks/soak.sh}, which samples the server's memory and file descriptors meanwhile).
 * Each tick starts one operation, whatever the previous ones are doing: submits by form and by
 * JSON, status, event streams followed to their end, uploads, downloads of finished outputs,
 * cancels, health and queue status. Prints the count of answers by operation and status at the
 * end, and exits non-zero when any was a 5xx or a dropped connection.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.server.SoakDriver BASE_URL RATE_PER_S SECONDS</pre>
 */
public final class SoakDriver {
    private static final Pattern ID = Pattern.compile("\"(?:job_id|file_id|audio_file_id)\"\\s*:\\s*\"([^\"]+)\"");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final List<String> jobs = new CopyOnWriteArrayList<>();
    private final List<String> outputs = new CopyOnWriteArrayList<>();
    private final byte[] upload = multipart(wav(1.0));
    private volatile String reference;

    private SoakDriver(URI base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SoakDriver BASE_URL RATE_PER_S SECONDS");
            System.exit(2);
        }
        SoakDriver d = new SoakDriver(URI.create(args[0]));
        int rate = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        System.exit(d.run(rate, seconds) ? 0 : 1);
    }

    private boolean run(int rate, long seconds) throws Exception {
        reference = idOf(send("upload", post("/upload-audio", "multipart/form-data; boundary=soak", upload)));
        ExecutorService work = Executors.newCachedThreadPool();
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        AtomicLong n = new AtomicLong();
        ticks.scheduleAtFixedRate(() -> {
            long i = n.getAndIncrement();
            work.execute(() -> operation(i));
        }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
        ticks.awaitTermination(seconds, TimeUnit.SECONDS);
        ticks.shutdownNow();
        work.shutdown();
        work.awaitTermination(2, TimeUnit.MINUTES);
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.get()));
        System.out.println("operations started: " + n.get() + " in " + seconds + " s at " + rate + "/s");
        sorted.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        return sorted.keySet().stream().noneMatch(k -> k.endsWith(" 5xx") || k.endsWith(" dropped"));
    }

    private void operation(long i) {
        try {
            switch ((int) (i % 20)) {
                case 0, 1, 2, 3 -> submitForm();
                case 4, 5 -> submitJson();
                case 6, 7, 8, 9 -> status();
                case 10 -> follow();
                case 11 -> uploadReference();
                case 12, 13, 14 -> download();
                case 15, 16 -> cancel();
                case 17 -> send("health", get("/health"));
                case 18 -> send("queue-status", get("/jobs/queue-status"));
                default -> send("list", get("/jobs?limit=20"));
            }
        } catch (Exception e) {
            count(e.getClass().getSimpleName().equals("HttpTimeoutException") ? "timeout" : "dropped", "");
        }
    }

    private void submitForm() throws Exception {
        String body = "audio_file_id=" + reference + "&text=" + "one+two+three+four+five";
        remember(send("submit-form", post("/jobs/tts-generate-async", "application/x-www-form-urlencoded",
                body.getBytes(StandardCharsets.UTF_8))));
    }

    private void submitJson() throws Exception {
        String body = "{\"job_type\": \"voice_cloning\", \"parameters\": {\"audio_file_id\": \"" + reference
                + "\", \"gen_text\": \"one two three\"}, \"priority\": " + ThreadLocalRandom.current().nextInt(3) + "}";
        remember(send("submit-json", post("/jobs/submit", "application/json", body.getBytes(StandardCharsets.UTF_8))));
    }

    private void remember(HttpResponse<byte[]> r) {
        String id = idOf(r);
        if (id != null) {
            jobs.add(id);
            if (jobs.size() > 2000) {
                jobs.remove(0);
            }
        }
    }

    private void status() throws Exception {
        String job = any(jobs);
        if (job != null) {
            HttpResponse<byte[]> r = send("status", get("/jobs/" + job + "/status"));
            Matcher m = Pattern.compile("\"output_file_id\"\\s*:\\s*\"([^\"]+)\"").matcher(new String(r.body(), StandardCharsets.UTF_8));
            if (m.find()) {
                outputs.add(m.group(1));
                if (outputs.size() > 500) {
                    outputs.remove(0);
                }
            }
        }
    }

    /** Opens a job's event stream and reads it to its end (the job's terminal event). */
    private void follow() throws Exception {
        String job = any(jobs);
        if (job == null) {
            return;
        }
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(base.resolve("/jobs/" + job + "/events"))
                .timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            in.transferTo(new ByteArrayOutputStream());
        }
        count("events", bucket(r.statusCode()));
    }

    private void uploadReference() throws Exception {
        HttpResponse<byte[]> r = send("upload", post("/upload-audio", "multipart/form-data; boundary=soak", upload));
        String id = idOf(r);
        if (id != null) {
            send("delete-upload", HttpRequest.newBuilder(base.resolve("/audio/" + id)).timeout(Duration.ofSeconds(30)).DELETE().build());
        }
    }

    private void download() throws Exception {
        String out = any(outputs);
        if (out != null) {
            send("download", get("/download-audio/" + out));
        }
    }

    private void cancel() throws Exception {
        String body = "audio_file_id=" + reference + "&text=to+be+cancelled+soon";
        String id = idOf(send("submit-form", post("/jobs/tts-generate-async", "application/x-www-form-urlencoded",
                body.getBytes(StandardCharsets.UTF_8))));
        if (id != null) {
            send("cancel", HttpRequest.newBuilder(base.resolve("/jobs/" + id)).timeout(Duration.ofSeconds(30)).DELETE().build());
        }
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private HttpRequest post(String path, String type, byte[] body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpResponse<byte[]> send(String what, HttpRequest request) throws Exception {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        count(what, bucket(r.statusCode()));
        return r;
    }

    private void count(String what, String bucket) {
        outcomes.computeIfAbsent(what + (bucket.isEmpty() ? "" : " " + bucket), k -> new AtomicLong()).incrementAndGet();
    }

    /** 200, 404, 409 and 429 are told apart; the rest by class. */
    private static String bucket(int status) {
        return switch (status) {
            case 200, 404, 409, 429 -> Integer.toString(status);
            default -> status / 100 + "xx";
        };
    }

    private static String idOf(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            return null;
        }
        Matcher m = ID.matcher(new String(r.body(), StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    private static String any(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        return copy.isEmpty() ? null : copy.get(ThreadLocalRandom.current().nextInt(copy.size()));
    }

    private static byte[] multipart(byte[] wav) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--soak\r\nContent-Disposition: form-data; name=\"audio_file\"; filename=\"ref.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(wav);
        out.writeBytes("\r\n--soak--\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] wav(double seconds) {
        int rate = 24_000;
        int n = (int) (seconds * rate);
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            b.putShort((short) Math.round(6000 * Math.sin(2 * Math.PI * 220 * i / rate)));
        }
        return b.array();
    }
}
