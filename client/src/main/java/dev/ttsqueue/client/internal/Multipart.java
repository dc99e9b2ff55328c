package dev.ttsqueue.client.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A {@code multipart/form-data} body (RFC 7578) of text fields and files, as the upload endpoints
 * take it. Files are held in memory: references are at most a few megabytes (the server refuses
 * more than five minutes of audio).
 */
public final class Multipart {
    private final String boundary = "ttsq-" + UUID.randomUUID();
    private final List<byte[]> parts = new ArrayList<>();

    public Multipart field(String name, String value) {
        parts.add(header("form-data; name=\"" + quote(name) + "\"", null));
        parts.add(value.getBytes(StandardCharsets.UTF_8));
        parts.add(CRLF);
        return this;
    }

    public Multipart file(String name, String fileName, String contentType, byte[] content) {
        parts.add(header("form-data; name=\"" + quote(name) + "\"; filename=\"" + quote(fileName) + "\"", contentType));
        parts.add(content);
        parts.add(CRLF);
        return this;
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    public HttpRequest.BodyPublisher publisher() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] header(String disposition, String contentType) {
        StringBuilder sb = new StringBuilder("--").append(boundary).append("\r\n")
                .append("Content-Disposition: ").append(disposition).append("\r\n");
        if (contentType != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Quotes as browsers do (WHATWG): a quote or line break in a name cannot end the header early. */
    private static String quote(String s) {
        return s.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }
}
