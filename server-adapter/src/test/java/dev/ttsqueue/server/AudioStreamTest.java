package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /jobs/{id}/audio-stream}: a WAV whose samples arrive while the job still speaks. */
class AudioStreamTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private HttpResponse<InputStream> open(String jobId) throws Exception {
        return s.http.send(s.request("/jobs/" + jobId + "/audio-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static byte[] readExactly(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "the stream ended early");
        return b;
    }

    @Test
    void samplesArriveBeforeTheJobEndsAndAreTheDownloadedOutput() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(4).streams().gated().build();
        s = TestServer.builder(dir).backend(backend).start();
        String id = s.submitAsync(s.upload(), "a text that takes four steps to say", 0);
        HttpResponse<InputStream> r = open(id);
        assertEquals(200, r.statusCode());
        assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "chunked: the length is not known yet");
        try (InputStream in = r.body()) {
            byte[] header = readExactly(in, 44);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals("RIFF", new String(header, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(0xFFFFFFFF, h.getInt(4), "RIFF size unknown, as streamed WAV says");
            assertEquals(24_000, h.getInt(24));
            assertEquals(16, h.getShort(34));
            assertEquals(0xFFFFFFFF, h.getInt(40), "data size unknown");

            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
            backend.release(1);
            byte[] first = readExactly(in, 2);
            assertEquals(JobStatus.PROCESSING, s.queue.status(id).status(), "the first samples came while the job runs");

            backend.release(3);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.write(first);
            in.transferTo(data);
            byte[] download = s.get("/download-audio/" + s.queue.result(id).outputFileId()).body();
            assertArrayEquals(Arrays.copyOfRange(download, 44, download.length), data.toByteArray(),
                    "the streamed samples are the output's, byte for byte");
        }
    }

    @Test
    void aCompletedJobStreamsItsOutputAndUnknownOrFailedJobsAreRefused() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.submitAsync(s.upload(), "done already", 0);
        s.awaitFinished(id);
        HttpResponse<InputStream> r = open(id);
        assertEquals(200, r.statusCode());
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readAllBytes();
        }
        byte[] download = s.get("/download-audio/" + s.queue.result(id).outputFileId()).body();
        assertArrayEquals(Arrays.copyOfRange(download, 44, download.length), Arrays.copyOfRange(body, 44, body.length));

        assertEquals(404, s.get("/jobs/00000000-0000-0000-0000-000000000000/audio-stream").status());
        String failed = s.submitAsync(s.upload(), "no " + SyntheticBackend.FAIL_MARKER, 0);
        s.awaitFinished(failed);
        TestServer.Reply refused = s.get("/jobs/" + failed + "/audio-stream");
        assertEquals(400, refused.status());
        assertTrue(refused.text().contains("Current status: failed"), refused.text());
    }

    @Test
    void aJobCancelledWhileStreamingEndsTheStream() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(4).streams().gated().build();
        s = TestServer.builder(dir).backend(backend).start();
        String id = s.submitAsync(s.upload(), "cancelled half way", 0);
        HttpResponse<InputStream> r = open(id);
        try (InputStream in = r.body()) {
            readExactly(in, 44);
            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));
            backend.release(1);
            readExactly(in, 2);
            assertEquals(200, s.delete("/jobs/" + id).status());
            in.transferTo(java.io.OutputStream.nullOutputStream()); // ends instead of hanging
        }
        assertEquals(JobStatus.CANCELLED, s.queue.status(id).status());
    }
}
