package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reference audio in the formats people have, as the old server (librosa) read them: WAV, MP3,
 * FLAC and Ogg Vorbis, told apart by content; bad files are a 400 naming the format, at upload.
 */
class ReferenceFormatsTest {
    @TempDir
    Path dir;

    private TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "ref-mono-24k.mp3, audio/mpeg, 24000",
        "ref-stereo-44k.mp3, audio/mp3, 44100",
        "ref-mono-24k.flac, audio/flac, 24000",
        "ref-stereo-44k-24bit.flac, audio/x-flac, 44100",
        "ref-mono-24k.ogg, audio/ogg, 24000",
        "ref-stereo-44k.ogg, audio/vorbis, 44100",
    })
    void eachFormatIsAcceptedOnEveryUploadEndpoint(String file, String type, int rate) throws Exception {
        s = TestServer.builder(dir).start();
        byte[] audio = AudioFixtures.bytes(file);
        TestServer.Reply up = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart(file, type, audio)));
        assertEquals(200, up.status(), up::toString);
        double seconds = file.contains("24bit") ? 0.5 : 1.0;
        assertEquals(seconds, up.json().get("duration").asDouble(), 0.12);
        String id = up.json().get("file_id").asText();
        assertEquals(rate, s.queue.audioStore().load(id).sampleRate(), "kept at its own rate, stored as WAV");
        String job = s.submitAsync(id, "From a " + file + " reference.", 0);
        s.awaitFinished(job);
        assertEquals("completed", s.get("/jobs/" + job + "/status").json().get("status").asText());

        TestServer.Reply voice = s.postMultipart("/upload-permanent-voice",
                Map.of("voice_name", "from " + file.replace('.', '-'), "audio_file", new TestServer.FilePart(file, type, audio)));
        assertEquals(200, voice.status(), voice::toString);
        JsonNode listed = s.get("/list-voices").json().get("voices").get(0);
        assertTrue(listed.get("filename").asText().endsWith(".wav"), "voices are kept in the old server's WAV layout");

        TestServer.Reply cloned = s.postMultipart("/voice-cloning", Map.of("text", "One call.", "audio_file", new TestServer.FilePart(file, type, audio)));
        assertEquals(200, cloned.status(), cloned::toString);
    }

    @Test
    void contentDecidesNotTheNameOrDeclaredType() throws Exception {
        s = TestServer.builder(dir).start();
        // An MP3 sent as "voice.wav", audio/wav: what browsers and scripts do with a renamed file.
        TestServer.Reply mislabelled = s.postMultipart("/upload-audio",
                Map.of("audio_file", new TestServer.FilePart("voice.wav", "audio/wav", AudioFixtures.bytes("ref-id3v2.mp3"))));
        assertEquals(200, mislabelled.status(), mislabelled::toString);
        assertEquals(1.0, mislabelled.json().get("duration").asDouble(), 0.12);
        // No Content-Type at all (Python requests given a bare file object): judged by the name, then decoded by content.
        TestServer.Reply bare = s.postMultipart("/upload-audio",
                Map.of("audio_file", new TestServer.FilePart("take.flac", null, AudioFixtures.bytes("ref-mono-24k.flac"))));
        assertEquals(200, bare.status(), bare::toString);
        TestServer.Reply text = s.postMultipart("/upload-audio",
                Map.of("audio_file", new TestServer.FilePart("take.ogg", "audio/ogg", "not audio at all".getBytes())));
        assertEquals(400, text.status());
        assertEquals("Invalid audio file: Unrecognised audio format: the file is not WAV, FLAC, Ogg Vorbis or MP3", text.detail());
    }

    @ParameterizedTest
    @CsvSource({"ref-mono-24k.mp3, MP3", "ref-mono-24k.flac, FLAC", "ref-mono-24k.ogg, Ogg Vorbis"})
    void truncatedAndCorruptFilesAre400NamingTheFormat(String file, String format) throws Exception {
        s = TestServer.builder(dir).start();
        byte[] whole = AudioFixtures.bytes(file);
        byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
        TestServer.Reply truncated = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart(file, "audio/mpeg", cut)));
        assertEquals(400, truncated.status(), truncated::toString);
        assertTrue(truncated.detail().startsWith("Invalid audio file: ") && truncated.detail().contains(format), truncated.detail());

        byte[] damaged = whole.clone();
        Arrays.fill(damaged, whole.length / 2, whole.length / 2 + 64, (byte) 0xA5);
        TestServer.Reply corrupt = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart(file, "audio/mpeg", damaged)));
        assertEquals(400, corrupt.status(), corrupt::toString);
        assertEquals("Invalid audio file: Corrupt " + format, corrupt.detail().substring(0, ("Invalid audio file: Corrupt " + format).length()));
        assertEquals(0, s.get("/list-audio").json().get("total_files").asInt(), "nothing kept");
    }

    @ParameterizedTest
    @CsvSource({"silence-6min-8k.flac, FLAC", "silence-6min-8k.ogg, Ogg Vorbis"})
    void aFewKilobytesThatDecodeToSixMinutesAreRefused(String file, String format) throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply r = s.postMultipart("/upload-audio", Map.of("audio_file", new TestServer.FilePart(file, "audio/ogg", AudioFixtures.bytes(file))));
        assertEquals(400, r.status(), r::toString);
        assertEquals("Invalid audio file: " + format + " audio is too long: at most 300 s are accepted", r.detail());
    }
}
