package dev.ttsqueue.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What open event streams cost a running server: many clients following queued jobs with
 * {@code GET /jobs/{id}/events} while the queue is deep, as a page per job of an audiobook would.
 * Run by {@code benchmarks/event-streams.sh}, which starts the packaged server in its own process;
 * this driver is a separate process that talks to it over loopback.
 *
 * <ol>
 *   <li>Fills the queue with {@code --queue} jobs (a backend slower than the submits keeps them queued).
 *   <li>Reads the server's threads, open file descriptors and RSS from {@code /proc}, and times
 *       {@code GET /health} and the status of a queued job: the baseline.
 *   <li>Opens {@code --streams} event streams, one per job, on the jobs submitted last (all
 *       queued), from one thread with non-blocking sockets; times each from its connect to its
 *       first event (the job's status). Streams answered 503 (the server's cap) are counted apart.
 *   <li>Reads the server's resources and times health and status again, with the streams open.
 *   <li>Cancels those jobs ({@code DELETE /jobs/{id}}) and times, per stream, from the answer to
 *       the cancel to the stream's {@code cancelled} event; then reads the resources once more.
 * </ol>
 * Every step has a deadline (60 s by default); what did not happen by then is reported as missing,
 * never waited for without end. Prints one JSON line per step.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.ttsqueue.benchmarks.server.EventStreamsAtDepth \
 *     --url http://127.0.0.1:18321 --pid PID [--queue 20000] [--streams 5000] [--deadline-seconds 60] [--label TEXT]
 * </pre>
 */
public final class EventStreamsAtDepth {

    private static final Pattern JOB_ID = Pattern.compile("\"job_id\"\\s*:\\s*\"([^\"]+)\"");
    private static final byte[] SUBMIT = ("{\"job_type\":\"tts_permanent\",\"parameters\":"
            + "{\"voice_name\":\"myvoice\",\"gen_text\":\"Load test.\"}}").getBytes(StandardCharsets.UTF_8);

    private final String host;
    private final int port;
    private final long pid;
    private final long deadlineNanos;
    private final String label;

    private EventStreamsAtDepth(URI url, long pid, long deadlineSeconds, String label) {
        this.host = url.getHost();
        this.port = url.getPort();
        this.pid = pid;
        this.deadlineNanos = TimeUnit.SECONDS.toNanos(deadlineSeconds);
        this.label = label;
    }

    public static void main(String[] args) throws Exception {
        URI url = null;
        long pid = -1;
        int queue = 20_000;
        int streams = 5_000;
        long deadline = 60;
        String label = "";
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--url" -> url = URI.create(v);
                case "--pid" -> pid = Long.parseLong(v);
                case "--queue" -> queue = Integer.parseInt(v);
                case "--streams" -> streams = Integer.parseInt(v);
                case "--deadline-seconds" -> deadline = Long.parseLong(v);
                case "--label" -> label = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || pid <= 0 || streams > queue) {
            throw new IllegalArgumentException("needs --url and --pid of the server, and --streams <= --queue");
        }
        new EventStreamsAtDepth(url, pid, deadline, label).run(queue, streams);
    }

    private void run(int queueSize, int streamCount) throws Exception {
        lastCpuMillis = cpuMillis();
        List<String> ids = fill(queueSize);
        String middle = ids.get(ids.size() / 2);
        report("before", middle, "");

        List<String> followed = ids.subList(ids.size() - streamCount, ids.size());
        try (Streams streams = new Streams(followed)) {
            streams.open();
            report("streams open", middle, streams.openedJson());
            streams.cancelAll();
            report("jobs cancelled", middle, streams.cancelledJson());
        }
        report("streams closed", middle, "");
    }

    // ---- the queue

    /**
     * Submits {@code n} jobs; their ids by the order their submits were started in (close to the
     * order they were queued in: the last ones are all at the back of a queue this deep).
     */
    private List<String> fill(int n) throws Exception {
        String[] ids = new String[n];
        onConnections(n, (c, i) -> {
            MiniHttpClient.Response r = c.postJson("/jobs/submit", SUBMIT);
            Matcher m = JOB_ID.matcher(r.body());
            if (r.status() != 200 || !m.find()) {
                throw new IOException("submit answered " + r.status() + ": " + r.body());
            }
            ids[i] = m.group(1);
        });
        return List.of(ids);
    }

    /** Cancels the jobs {@code ids}, noting when each cancel was answered ({@link System#nanoTime()}). */
    private void cancel(List<String> ids, long[] answeredAt) throws Exception {
        onConnections(ids.size(), (c, i) -> {
            MiniHttpClient.Response r = c.delete("/jobs/" + ids.get(i));
            answeredAt[i] = System.nanoTime();
            if (r.status() != 200) {
                System.err.println("cancel of " + ids.get(i) + " answered " + r.status() + ": " + r.body());
            }
        });
    }

    private interface Call {
        void run(MiniHttpClient connection, int index) throws IOException;
    }

    /** Runs {@code call} for the indexes 0 to {@code n - 1}, from 8 threads with a keep-alive connection each. */
    private void onConnections(int n, Call call) throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                parts.add(pool.submit(() -> {
                    try (MiniHttpClient c = new MiniHttpClient(host, port)) {
                        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                            call.run(c, i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- what the server holds, and how fast it still answers

    private String resources() throws IOException {
        long threads = -1;
        long rssKib = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.substring(8).trim());
            } else if (line.startsWith("VmRSS:")) {
                rssKib = Long.parseLong(line.substring(6).replace("kB", "").trim());
            }
        }
        long fds;
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = s.count();
        }
        long cpu = cpuMillis();
        long spent = cpu - lastCpuMillis;
        lastCpuMillis = cpu;
        return String.format(Locale.ROOT, "\"server_threads\":%d,\"server_fds\":%d,\"server_rss_kib\":%d,\"server_cpu_ms\":%d",
                threads, fds, rssKib, spent);
    }

    private long lastCpuMillis;

    /** The server's CPU time so far, user + system ({@code /proc/PID/stat}, in clock ticks of 10 ms). */
    private long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // utime, stime: fields 14 and 15
    }

    /** 200 health checks and 200 status reads of a queued job, one after the other, each with a deadline. */
    private String probe(String jobId) {
        return "\"health\":" + timed("/health", 200) + ",\"status\":" + timed("/jobs/" + jobId + "/status", 200);
    }

    private String timed(String path, int n) {
        long[] nanos = new long[n];
        int ok = 0;
        String error = null;
        try (MiniHttpClient c = new MiniHttpClient(host, port, (int) TimeUnit.NANOSECONDS.toMillis(deadlineNanos) / 4)) {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                MiniHttpClient.Response r = c.get(path);
                nanos[ok] = System.nanoTime() - t0;
                if (r.status() != 200) {
                    error = "answered " + r.status();
                    break;
                }
                ok++;
            }
        } catch (IOException e) {
            error = e.toString();
        }
        long[] done = Arrays.copyOf(nanos, ok);
        Arrays.sort(done);
        return String.format(Locale.ROOT, "{\"ok\":%d,\"of\":%d,\"p50_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s%s}", ok, n,
                ms(percentile(done, 0.5)), ms(percentile(done, 0.99)), ms(ok == 0 ? -1 : done[ok - 1]),
                error == null ? "" : ",\"error\":\"" + error.replace("\"", "'") + "\"");
    }

    /**
     * One line: the server's resources, its CPU time since the last line (the step's own work:
     * the probes of the line before are not counted), then the probes' latencies.
     */
    private void report(String step, String jobId, String extra) throws IOException {
        String resources = resources();
        String probes = probe(jobId);
        lastCpuMillis = cpuMillis();
        System.out.printf(Locale.ROOT, "{\"measure\":\"event-streams\",\"label\":\"%s\",\"step\":\"%s\",%s,%s%s}%n", label, step,
                resources, probes, extra.isEmpty() ? "" : "," + extra);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "null" : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    // ---- the streams: one selector thread, non-blocking sockets

    private final class Streams implements AutoCloseable {
        private final List<String> ids;
        private final Selector selector;
        private final Stream[] streams;
        /** From each cancel's answer to its stream's {@code cancelled} event, of the streams that got it. */
        private List<Long> lastCancelled = List.of();
        private int cancelCount;
        private int endedCount;

        Streams(List<String> ids) throws IOException {
            this.ids = ids;
            this.selector = Selector.open();
            this.streams = new Stream[ids.size()];
        }

        /** One stream's connection, and a reader of its answer: headers, then chunks, then events. */
        private final class Stream {
            final int index;
            final SocketChannel channel;
            final long connectAt = System.nanoTime();
            long firstEventAt;
            long cancelledAt;
            int status;
            boolean closed;
            /** The server ended the answer (its last chunk came). */
            boolean ended;
            /** The answer's bytes not yet understood: a header block, a chunk-size line or an event line in the making. */
            private final StringBuilder pending = new StringBuilder();
            private boolean inBody;
            private boolean chunked;
            /** Bytes left in the current chunk; -1 while a chunk-size line is read; -2 after the chunk's data, before its CRLF. */
            private long chunkLeft = -1;
            private final StringBuilder line = new StringBuilder();

            Stream(int index, SocketChannel channel) {
                this.index = index;
                this.channel = channel;
            }

            void onData(String text) {
                int i = 0;
                if (!inBody) {
                    pending.append(text);
                    int end = pending.indexOf("\r\n\r\n");
                    if (end < 0) {
                        return;
                    }
                    String head = pending.substring(0, end);
                    status = Integer.parseInt(head.substring(9, 12));
                    chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
                    text = pending.substring(end + 4);
                    pending.setLength(0);
                    inBody = true;
                }
                if (!chunked) {
                    body(text);
                    return;
                }
                while (i < text.length()) {
                    if (chunkLeft == -1) {
                        int nl = text.indexOf('\n', i);
                        if (nl < 0) {
                            pending.append(text, i, text.length());
                            return;
                        }
                        pending.append(text, i, nl);
                        String size = pending.toString().trim();
                        int ext = size.indexOf(';');
                        chunkLeft = Long.parseLong(ext < 0 ? size : size.substring(0, ext), 16);
                        pending.setLength(0);
                        i = nl + 1;
                        if (chunkLeft == 0) {
                            ended = true; // the last chunk: the server ended the stream
                            return;
                        }
                    } else if (chunkLeft == -2) {
                        int nl = text.indexOf('\n', i);
                        if (nl < 0) {
                            return;
                        }
                        i = nl + 1;
                        chunkLeft = -1;
                    } else {
                        int n = (int) Math.min(chunkLeft, text.length() - i);
                        body(text.substring(i, i + n));
                        i += n;
                        chunkLeft -= n;
                        if (chunkLeft == 0) {
                            chunkLeft = -2;
                        }
                    }
                }
            }

            /** The event stream's text, line by line: only the {@code event:} lines matter here. */
            private void body(String text) {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c != '\n') {
                        if (line.length() < 64) {
                            line.append(c);
                        }
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    if (l.startsWith("event:")) {
                        String name = l.substring(6).trim();
                        if (firstEventAt == 0 && status == 200) {
                            firstEventAt = System.nanoTime();
                        }
                        if (cancelledAt == 0 && name.equals("cancelled")) {
                            cancelledAt = System.nanoTime();
                        }
                    }
                }
            }
        }

        void open() throws IOException {
            for (int i = 0; i < ids.size(); i++) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                Stream s = new Stream(i, ch);
                streams[i] = s;
                ch.connect(new InetSocketAddress(host, port));
                ch.register(selector, SelectionKey.OP_CONNECT, s);
                if (i % 100 == 99) {
                    pump(0); // let the first ones connect while the others are started
                }
            }
            long until = System.nanoTime() + deadlineNanos;
            while (System.nanoTime() < until && Arrays.stream(streams).anyMatch(s -> !s.closed && s.status != 503 && s.firstEventAt == 0)) {
                pump(100);
            }
        }

        void cancelAll() throws Exception {
            List<String> live = new ArrayList<>();
            List<Stream> which = new ArrayList<>();
            for (Stream s : streams) {
                if (s.firstEventAt != 0 && !s.closed) {
                    live.add(ids.get(s.index));
                    which.add(s);
                }
            }
            long[] answered = new long[live.size()];
            // The cancels go out from their own threads while this one keeps reading the streams.
            ExecutorService sender = Executors.newSingleThreadExecutor();
            Future<?> cancels = sender.submit(() -> {
                cancel(live, answered);
                return null;
            });
            sender.shutdown();
            long until = System.nanoTime() + deadlineNanos;
            while (!cancels.isDone() && System.nanoTime() < until) {
                pump(10);
            }
            cancels.get(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            while (System.nanoTime() < until && which.stream().anyMatch(s -> !s.ended && !s.closed)) {
                pump(100);
            }
            lastCancelled = new ArrayList<>();
            for (int i = 0; i < which.size(); i++) {
                Stream s = which.get(i);
                if (s.cancelledAt != 0) {
                    lastCancelled.add(Math.max(0, s.cancelledAt - answered[i]));
                }
            }
            cancelCount = which.size();
            endedCount = (int) which.stream().filter(s -> s.ended || s.closed).count();
        }

        private void pump(long timeoutMillis) throws IOException {
            int ready = timeoutMillis == 0 ? selector.selectNow() : selector.select(timeoutMillis);
            if (ready == 0) {
                return;
            }
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey key = it.next();
                it.remove();
                Stream s = (Stream) key.attachment();
                try {
                    if (key.isConnectable()) {
                        s.channel.finishConnect();
                        String path = "/jobs/" + ids.get(s.index) + "/events";
                        s.channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        buf.clear();
                        int n = s.channel.read(buf);
                        if (n < 0) {
                            s.closed = true;
                            key.cancel();
                            s.channel.close();
                        } else if (n > 0) {
                            s.onData(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
                        }
                    }
                } catch (IOException e) {
                    s.closed = true;
                    key.cancel();
                    s.channel.close();
                }
            }
        }

        String openedJson() {
            List<Long> open = new ArrayList<>();
            int refused = 0;
            int other = 0;
            for (Stream s : streams) {
                if (s.firstEventAt != 0) {
                    open.add(s.firstEventAt - s.connectAt);
                } else if (s.status == 503) {
                    refused++;
                } else {
                    other++;
                }
            }
            return String.format(Locale.ROOT, "\"streams\":%d,\"opened\":%d,\"refused_503\":%d,\"not_opened\":%d,%s",
                    streams.length, open.size(), refused, other, latencies("open", open));
        }

        String cancelledJson() {
            return String.format(Locale.ROOT, "\"cancelled_streams\":%d,\"cancelled_events\":%d,\"ended_by_server\":%d,%s", cancelCount,
                    lastCancelled.size(), endedCount, latencies("cancel_to_event", lastCancelled));
        }

        private String latencies(String name, List<Long> nanos) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            long[] a = sorted.stream().mapToLong(Long::longValue).toArray();
            return String.format(Locale.ROOT, "\"%s_p50_ms\":%s,\"%s_p99_ms\":%s,\"%s_max_ms\":%s", name, ms(percentile(a, 0.5)), name,
                    ms(percentile(a, 0.99)), name, ms(a.length == 0 ? -1 : a[a.length - 1]));
        }

        @Override
        public void close() throws IOException {
            for (Stream s : streams) {
                if (s != null) {
                    s.channel.close();
                }
            }
            selector.close();
        }
    }
}
