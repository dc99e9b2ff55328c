package dev.ttsqueue.server.internal;

import dev.ttsqueue.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.RequestLogWriter;

/**
 * The optional access log: one line per request in the Common Log Format, with the time taken in
 * milliseconds appended: {@code 127.0.0.1 - - [27/Nov/2025:10:30:00 +0000] "GET /jobs/abc/status HTTP/1.1" 200 312 4}.
 * The request line carries the path only, never the query string, where a browser's event stream
 * sends its {@code api_key}; no header is logged, so neither is {@code X-API-Key}.
 */
public final class AccessLog {
    /** Common Log Format with {@code %U} (path without query) in place of the request line's target, plus milliseconds. */
    static final String FORMAT = "%{client}a - %u %{dd/MMM/yyyy:HH:mm:ss ZZZ|GMT}t \"%m %U %H\" %s %O %{ms}T";

    private AccessLog() {
    }

    /**
     * A request log writing to {@code target}: {@link ServerConfig#ACCESS_LOG_STDOUT} or a file,
     * appended to (its folder is created).
     *
     * @throws IOException when the file's folder cannot be created
     */
    public static RequestLog to(String target) throws IOException {
        if (target.equalsIgnoreCase(ServerConfig.ACCESS_LOG_STDOUT)) {
            return new CustomRequestLog(System.out::println, FORMAT);
        }
        Path file = Path.of(target).toAbsolutePath();
        Files.createDirectories(file.getParent());
        RequestLogWriter writer = new RequestLogWriter(file.toString());
        writer.setAppend(true);
        return new CustomRequestLog(writer, FORMAT);
    }
}
