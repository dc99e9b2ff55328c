package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.server.ServerConfig;
import java.util.concurrent.ExecutorService;

/**
 * What every resource needs, built once per server.
 *
 * @param queue the queue the server fronts
 * @param config the server's settings
 * @param mapper the JSON mapper for request bodies
 * @param metrics counters and gauges for {@code /metrics}
 * @param referencePaths maps {@code ref_audio_path} onto stored audio
 * @param background finishes suspended synchronous requests and audio streams, never on the queue's event thread
 * @param version the server's version string
 * @param clock the queue's clock, for expiry checks the server makes itself
 * @param maxFieldBytes largest non-upload body (JSON, URL-encoded form) and largest multipart text field
 * @param shutdown what waiting requests do when the server stops
 * @param tempDir the server's own temp folder (multipart parts, bodies and uploads on their way)
 * @param eventBacklog events a queue-wide event stream may have waiting before its client counts as too slow
 * @param tenancy which jobs a request's tenant may see, and its quotas
 * @param eventStreams the open event streams, their cap, and the threads that write them
 */
public record ServerContext(TtsJobQueue queue, ServerConfig config, ObjectMapper mapper, ServerMetrics metrics,
        ReferencePaths referencePaths, ExecutorService background, String version,
        java.time.Clock clock, long maxFieldBytes, ShutdownHooks shutdown, java.nio.file.Path tempDir,
        int eventBacklog, Tenancy tenancy, EventStreams eventStreams) {
}
