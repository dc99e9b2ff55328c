package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /download-audio}: the length up front (HEAD and GET), and byte ranges, which a browser's
 * {@code <audio>} element uses to seek; for the file-backed store and the in-memory one.
 */
class DownloadTest {
    @TempDir
    Path dir;

    private TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private TestServer start(boolean files) throws Exception {
        TestServer.Builder b = TestServer.builder(dir);
        if (files) {
            b.directoryAudio();
        }
        return b.start();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void headAndGetCarryTheRealLength(boolean files) throws Exception {
        s = start(files);
        String out = output();
        TestServer.Reply get = s.get("/download-audio/" + out);
        assertEquals(200, get.status());
        assertEquals(String.valueOf(get.body().length), get.header("Content-Length"));
        assertNull(get.header("Transfer-Encoding"), "a file of known size is not chunked");
        assertEquals("bytes", get.header("Accept-Ranges"));

        TestServer.Reply head = s.send(s.request("/download-audio/" + out).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.status());
        assertEquals(String.valueOf(get.body().length), head.header("Content-Length"));
        assertEquals("audio/wav", head.header("Content-Type"));
        assertEquals("attachment; filename=\"f5tts_audio_" + out + ".wav\"", head.header("Content-Disposition"));
        assertEquals(0, head.body().length);
        assertEquals(404, s.send(s.request("/download-audio/nope").method("HEAD", HttpRequest.BodyPublishers.noBody()).build()).status());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rangesAreServedAs206(boolean files) throws Exception {
        s = start(files);
        String out = output();
        byte[] whole = s.get("/download-audio/" + out).body();
        int n = whole.length;

        TestServer.Reply first = range(out, "bytes=0-99");
        assertEquals(206, first.status());
        assertEquals("bytes 0-99/" + n, first.header("Content-Range"));
        assertEquals("100", first.header("Content-Length"));
        assertArrayEquals(Arrays.copyOfRange(whole, 0, 100), first.body());

        TestServer.Reply open = range(out, "bytes=44-");
        assertEquals(206, open.status());
        assertEquals("bytes 44-" + (n - 1) + "/" + n, open.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(whole, 44, n), open.body());

        TestServer.Reply suffix = range(out, "bytes=-10");
        assertEquals("bytes " + (n - 10) + "-" + (n - 1) + "/" + n, suffix.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(whole, n - 10, n), suffix.body());

        TestServer.Reply pastEnd = range(out, "bytes=" + (n - 5) + "-" + (n + 1000));
        assertEquals("bytes " + (n - 5) + "-" + (n - 1) + "/" + n, pastEnd.header("Content-Range"), "clamped to the file");

        TestServer.Reply unsatisfiable = range(out, "bytes=" + n + "-");
        assertEquals(416, unsatisfiable.status(), unsatisfiable::toString);
        assertEquals("bytes */" + n, unsatisfiable.header("Content-Range"));

        // Not served as ranges, so the whole file: several ranges, nonsense, and a conditional range.
        for (String ignored : new String[] {"bytes=0-1,5-6", "bytes=x-y", "lines=1-2", "bytes=9-3"}) {
            TestServer.Reply r = range(out, ignored);
            assertEquals(200, r.status(), ignored);
            assertArrayEquals(whole, r.body(), ignored);
        }
        TestServer.Reply conditional = s.send(s.request("/download-audio/" + out).header("Range", "bytes=0-9")
                .header("If-Range", "\"some-etag\"").GET().build());
        assertEquals(200, conditional.status());
        assertArrayEquals(whole, conditional.body());
    }

    private TestServer.Reply range(String id, String range) {
        return s.send(s.request("/download-audio/" + id).header("Range", range).GET().build());
    }

    private String output() {
        String job = s.submitAsync(s.upload(), "Something to download.", 0);
        s.awaitFinished(job);
        return s.get("/jobs/" + job + "/result").json().get("output_file_id").asText();
    }
}
