package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that declare a longer body than they send and then close their side: each is answered
 * 400 or the connection is closed, and the server logs nothing above DEBUG for it (hundreds of
 * such requests once wrote hundreds of ERROR lines with stack traces). On the packaged server,
 * whose log the test reads.
 */
class CutShortBodiesIT {
    private static final int ROUNDS = 50;
    private static final List<String> HEADS = List.of(
            "POST /jobs/submit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"job_type\"",
            "POST /jobs/tts-generate-async HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 5000\r\n\r\naudio_file_id=x&te",
            "POST /upload-audio HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 900000\r\n\r\n"
                    + "--b\r\nContent-Disposition: form-data; name=\"audio_file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF",
            "POST /tts-generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "100\r\n{\"audio_file_id\"");

    @TempDir
    Path dir;

    private ServerProcess server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBodyCutShortIsA400OrASilentCloseAndNoErrorInTheLog() throws Exception {
        server = ServerProcess.start(dir, "--store", "memory", "--backend", "synthetic");
        List<String> wrong = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (String head : HEADS) {
                String answer = cutShort(head);
                if (!answer.isEmpty() && !answer.startsWith("HTTP/1.1 400")) {
                    wrong.add(head.substring(0, head.indexOf('\r')) + " -> " + answer);
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(200, server.get("/health").status(), "the server carries on");
        List<String> loud = server.linesMatching(Pattern.compile(" (ERROR|WARN) |^\\s+at |Exception")).stream()
                .filter(l -> !l.contains("--backend synthetic")).toList();
        assertTrue(loud.isEmpty(), "logged for the clients' cut-short bodies:\n" + String.join("\n", loud));
    }

    /** Sends {@code head}, half-closes, and returns whatever the server answers before it closes (maybe nothing). */
    private String cutShort(String head) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.base().getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                return ""; // closed without an answer: allowed
            }
        }
    }
}
