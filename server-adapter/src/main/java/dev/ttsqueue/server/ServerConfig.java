package dev.ttsqueue.server;

import dev.ttsqueue.server.internal.OriginPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * HTTP settings of the REST server, as {@link TtsServer#start(ServerConfig, dev.ttsqueue.TtsJobQueue)}
 * uses them. The queue's own settings (store, workers, limits, retention) belong to the queue's
 * builder; the standalone server reads both kinds from its command line ({@code --help}).
 * Build one with {@link #builder()}, or start from {@link #defaults()} and change a setting with
 * a {@code withX} method.
 *
 * @param host address to bind; default {@code 127.0.0.1} (loopback only)
 * @param port TCP port; 0 picks a free one; default 8000
 * @param apiKey when set, every request but health and docs must send it as {@code X-API-Key};
 *     printable ASCII without surrounding spaces, else IllegalArgumentException; null or empty = off
 * @param maxUploadBytes largest multipart (upload) body accepted (413 beyond); default 50 MiB. Bodies
 *     read into memory (JSON, URL-encoded forms) get a smaller limit sized from the queue's text limit
 * @param syncTimeout how long the synchronous endpoints wait for their job before 504; default 10 min
 * @param corsOrigins web pages a browser lets use the API: origins ({@code https://app.example.com},
 *     {@code http://localhost:*} for any port), {@code loopback} for pages on this machine's loopback names,
 *     {@code *} for any page (the old server's behaviour), {@code none} for the server's own pages only;
 *     empty = automatic (the default): {@code loopback} when bound to a loopback address, else {@code none}.
 *     Requests from other pages get no CORS headers, and those that would change something are refused
 *     with 403; clients that are not browsers send no {@code Origin} and are not affected.
 *     IllegalArgumentException for an entry that is not an origin
 * @param allowedHosts host names the {@code Host} header may carry; empty = automatic (the default): when
 *     bound to a loopback address only {@code localhost}, {@code 127.0.0.1} and {@code [::1]} (any
 *     port), so a web page cannot reach the server through DNS rebinding; otherwise any; {@code *} = any
 * @param metricsOpen whether {@code GET /metrics} answers without the API key, so that Prometheus can
 *     scrape it without one; default false (it needs the key when one is set)
 * @param apiKeysFile a file of API keys, one a line with the tenant each stands for, its fair-share
 *     weight, its most queued jobs and its submissions a second (format: server README, "Tenants");
 *     null = none (the default). Read when the server starts; IllegalArgumentException when
 *     {@link #apiKey} is set too (one of the two says who may call)
 * @param accessLog where to write one line per request in the NCSA combined format: a file path, or
 *     {@code stdout}; null = no access log (the default). Query strings and the API key never appear in it
 */
public record ServerConfig(
        String host,
        int port,
        String apiKey,
        long maxUploadBytes,
        Duration syncTimeout,
        List<String> corsOrigins,
        List<String> allowedHosts,
        boolean metricsOpen,
        Path apiKeysFile,
        String accessLog) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    /** Default of {@link #maxUploadBytes}: 50 MiB. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 50L * 1024 * 1024;
    /** Default of {@link #syncTimeout}: 10 minutes. */
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofMinutes(10);
    /** The value of {@link #accessLog} that writes it to standard output. */
    public static final String ACCESS_LOG_STDOUT = "stdout";

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
        // Jetty reads header bytes as Latin-1 and trims surrounding spaces, so any other key could
        // never be matched by a client that sends it as UTF-8 (curl) or read from a file with its newline.
        if (apiKey != null && (!apiKey.equals(apiKey.strip()) || !apiKey.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f))) {
            throw new IllegalArgumentException("api-key must be printable ASCII without surrounding spaces (it is sent as the X-API-Key header)");
        }
        if (apiKey != null && apiKeysFile != null) {
            throw new IllegalArgumentException("api-key and api-keys cannot be used together: put the single key in the"
                    + " api-keys file as an admin line instead");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535: " + port);
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("max-upload-bytes must be positive: " + maxUploadBytes);
        }
        if (Objects.requireNonNull(syncTimeout, "syncTimeout").isNegative() || syncTimeout.isZero()) {
            throw new IllegalArgumentException("sync-timeout must be positive: " + syncTimeout);
        }
        corsOrigins = OriginPolicy.normalize(corsOrigins);
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        accessLog = accessLog == null || accessLog.isBlank() ? null : accessLog.strip();
    }

    /** The defaults: loopback port 8000, no API key, 50 MiB uploads, 10 min sync timeout, CORS for any origin. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /** A builder holding the {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Every setting, with the API key hidden: safe to log. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", apiKey=" + (apiKey == null ? "none" : "****") + ", maxUploadBytes="
                + maxUploadBytes + ", syncTimeout=" + syncTimeout + ", corsOrigins=" + corsOrigins + ", allowedHosts=" + allowedHosts
                 + ", metricsOpen=" + metricsOpen + ", apiKeysFile=" + apiKeysFile + ", accessLog=" + accessLog + "]";
    }

    public ServerConfig withHost(String v) {
        return toBuilder().host(v).build();
    }

    public ServerConfig withPort(int v) {
        return toBuilder().port(v).build();
    }

    public ServerConfig withApiKey(String v) {
        return toBuilder().apiKey(v).build();
    }

    public ServerConfig withMaxUploadBytes(long v) {
        return toBuilder().maxUploadBytes(v).build();
    }

    public ServerConfig withSyncTimeout(Duration v) {
        return toBuilder().syncTimeout(v).build();
    }

    public ServerConfig withCorsOrigins(List<String> v) {
        return toBuilder().corsOrigins(v).build();
    }

    public ServerConfig withAllowedHosts(List<String> v) {
        return toBuilder().allowedHosts(v).build();
    }

    public ServerConfig withMetricsOpen(boolean v) {
        return toBuilder().metricsOpen(v).build();
    }

    public ServerConfig withApiKeysFile(Path v) {
        return toBuilder().apiKeysFile(v).build();
    }

    public ServerConfig withAccessLog(String v) {
        return toBuilder().accessLog(v).build();
    }

    /** Collects settings; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String apiKey;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
        private Duration syncTimeout = DEFAULT_SYNC_TIMEOUT;
        private List<String> corsOrigins = List.of();
        private List<String> allowedHosts = List.of();
        private boolean metricsOpen;
        private Path apiKeysFile;
        private String accessLog;

        private Builder() {
        }

        private Builder(ServerConfig c) {
            host = c.host;
            port = c.port;
            apiKey = c.apiKey;
            maxUploadBytes = c.maxUploadBytes;
            syncTimeout = c.syncTimeout;
            corsOrigins = c.corsOrigins;
            allowedHosts = c.allowedHosts;
            metricsOpen = c.metricsOpen;
            apiKeysFile = c.apiKeysFile;
            accessLog = c.accessLog;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder apiKey(String v) {
            apiKey = v;
            return this;
        }

        public Builder maxUploadBytes(long v) {
            maxUploadBytes = v;
            return this;
        }

        public Builder syncTimeout(Duration v) {
            syncTimeout = v;
            return this;
        }

        public Builder corsOrigins(List<String> v) {
            corsOrigins = v;
            return this;
        }

        public Builder allowedHosts(List<String> v) {
            allowedHosts = v;
            return this;
        }

        public Builder metricsOpen(boolean v) {
            metricsOpen = v;
            return this;
        }

        public Builder apiKeysFile(Path v) {
            apiKeysFile = v;
            return this;
        }

        public Builder accessLog(String v) {
            accessLog = v;
            return this;
        }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public ServerConfig build() {
            return new ServerConfig(host, port, apiKey, maxUploadBytes, syncTimeout, corsOrigins, allowedHosts, metricsOpen, apiKeysFile, accessLog);
        }
    }
}
