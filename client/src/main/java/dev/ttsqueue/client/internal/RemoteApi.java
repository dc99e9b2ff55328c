package dev.ttsqueue.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.TtsQueueException;
import dev.ttsqueue.client.ServerResponseException;
import dev.ttsqueue.client.ServerUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * One server's REST API as request/answer calls: builds requests under the base URL with the API
 * key, sends them, and hands back the JSON of a 2xx answer or throws the exception the error
 * answer stands for ({@link ErrorAnswers}). Never retries: a request that may have reached the
 * server (a submit) must not be sent twice behind the caller's back.
 */
public final class RemoteApi {
    private final HttpClient http;
    private final URI base;
    private final String apiKey;
    private final Duration requestTimeout;
    private final ObjectMapper mapper;

    /**
     * @param base the server's base URL; a path in it (a reverse proxy's prefix) is kept
     * @param apiKey sent as {@code X-API-Key}; null for none
     */
    public RemoteApi(HttpClient http, URI base, String apiKey, Duration requestTimeout, ObjectMapper mapper) {
        this.http = http;
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.apiKey = apiKey;
        this.requestTimeout = requestTimeout;
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public HttpClient http() {
        return http;
    }

    /** The base URL, ending in {@code /}. */
    public URI base() {
        return base;
    }

    /**
     * A request for {@code path} (relative to the base, no leading {@code /}; encode ids with
     * {@link PathSegments#encode}), with the API key and the request timeout.
     */
    public HttpRequest.Builder request(String path) {
        return requestWithoutTimeout(path).timeout(requestTimeout);
    }

    /** As {@link #request}, for event streams, which stay open for as long as their job runs. */
    public HttpRequest.Builder requestWithoutTimeout(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        return b;
    }

    public JsonNode get(String path, ErrorAnswers.Subject subject, String id) {
        return json(send(request(path).header("Accept", "application/json").GET().build()), subject, id);
    }

    public JsonNode delete(String path, ErrorAnswers.Subject subject, String id) {
        return json(send(request(path).header("Accept", "application/json").DELETE().build()), subject, id);
    }

    public JsonNode postJson(String path, JsonNode body, ErrorAnswers.Subject subject, String id) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that does not serialise", e);
        }
        return json(send(request(path).header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build()), subject, id);
    }

    public JsonNode postMultipart(String path, Multipart form, ErrorAnswers.Subject subject, String id) {
        return json(send(request(path).header("Content-Type", form.contentType()).header("Accept", "application/json")
                .POST(form.publisher()).build()), subject, id);
    }

    /**
     * Sends {@code request} and waits for the whole answer.
     *
     * @throws ServerUnavailableException when the server cannot be reached or drops the connection
     * @throws TtsQueueException when the calling thread is interrupted (its flag is set again)
     */
    public HttpResponse<byte[]> send(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** As {@link #send(HttpRequest)}, with the caller's body handler. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new ServerUnavailableException("No answer from " + base + " to " + request.method() + " "
                    + request.uri().getRawPath() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtsQueueException("Interrupted while waiting for the server's answer to " + request.method() + " "
                    + request.uri().getRawPath(), e);
        }
    }

    /**
     * The JSON of a 2xx answer.
     *
     * @throws TtsQueueException the exception the error answer stands for
     * @throws ServerResponseException when a 2xx answer is not JSON
     */
    public JsonNode json(HttpResponse<byte[]> answer, ErrorAnswers.Subject subject, String id) {
        if (answer.statusCode() / 100 != 2) {
            throw error(answer.statusCode(), answer.body(), answer, subject, id);
        }
        try {
            JsonNode json = mapper.readTree(answer.body());
            if (json == null || json.isMissingNode()) {
                throw new ServerResponseException(answer.statusCode(), "an empty answer where JSON was expected");
            }
            return json;
        } catch (IOException e) {
            throw new ServerResponseException(answer.statusCode(), "an answer that is not JSON: "
                    + abbreviate(new String(answer.body(), StandardCharsets.UTF_8)));
        }
    }

    /** The exception for an error answer whose body has been read. */
    public TtsQueueException error(int status, byte[] body, HttpResponse<?> answer, ErrorAnswers.Subject subject, String id) {
        return ErrorAnswers.exception(mapper, status, body, subject, id, retryAfter(answer));
    }

    private static OptionalLong retryAfter(HttpResponse<?> answer) {
        return answer.headers().firstValue("Retry-After").map(v -> {
            try {
                return OptionalLong.of(Long.parseLong(v.trim()));
            } catch (NumberFormatException httpDate) {
                return OptionalLong.empty(); // an HTTP date: this server never sends one
            }
        }).orElse(OptionalLong.empty());
    }

    /**
     * Reads a 2xx answer with {@code read}, turning an answer that is not what the API promises
     * into a {@link ServerResponseException}.
     */
    public static <T> T readAnswer(JsonNode json, Function<JsonNode, T> read) {
        try {
            return read.apply(json);
        } catch (MalformedAnswerException e) {
            throw new ServerResponseException(200, "unexpected answer (is the base URL a TTS Job Queue server?): " + e.getMessage());
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
