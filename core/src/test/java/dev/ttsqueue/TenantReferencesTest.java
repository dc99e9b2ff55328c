package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.DirectoryVoiceBank;
import dev.ttsqueue.testing.MutableClock;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a tenant's job refers to: its own voices before the shared ones; its output is its own. */
class TenantReferencesTest {
    @TempDir
    Path dir;

    private TtsJobQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    private TtsJobQueue start(VoiceBank voices) {
        queue = TtsJobQueue.builder().backend(SyntheticBackend.builder().build()).clock(MutableClock.at("2025-11-27T10:30:00Z"))
                .voiceBank(voices).build();
        return queue;
    }

    private static AudioClip clip() {
        return new AudioClip(new float[2400], 24_000);
    }

    @Test
    void aTenantsJobSpeaksWithItsOwnVoiceBeforeTheSharedOneAndOwnsItsOutput() throws Exception {
        DirectoryVoiceBank voices = new DirectoryVoiceBank(dir);
        voices.save("anna", clip(), "shared words");
        voices.forTenant("acme").save("anna", clip(), "acme words");
        voices.forTenant("acme").save("bob", clip(), "bob words");
        start(voices);

        SynthesisResult acme = await(queue.submit(JobRequest.ttsPermanent("Anna", "hello").withTenant("acme")));
        assertEquals("acme words", acme.refText());
        assertEquals("acme", queue.audioStore().find(acme.outputFileId()).orElseThrow().owner());
        assertEquals("shared words", await(queue.submit(JobRequest.ttsPermanent("anna", "hello").withTenant("globex"))).refText());
        assertEquals("shared words", await(queue.submit(JobRequest.ttsPermanent("anna", "hello"))).refText());
        SynthesisResult anonymous = await(queue.submit(JobRequest.ttsGenerate(upload(queue), "hello").refText("r")));
        assertEquals("", queue.audioStore().find(anonymous.outputFileId()).orElseThrow().owner());

        ReferenceNotFoundException e = assertThrows(ReferenceNotFoundException.class,
                () -> queue.submit(JobRequest.ttsPermanent("bob", "hello").withTenant("globex")));
        assertEquals(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, e.reason(), "another tenant's voice is unknown");
    }

    @Test
    void aBankWithoutTenantsGivesEveryTenantTheSharedVoices() throws Exception {
        DirectoryVoiceBank folder = new DirectoryVoiceBank(dir);
        folder.save("anna", clip(), "shared words");
        start(new SharedOnly(folder));
        assertEquals("shared words", await(queue.submit(JobRequest.ttsPermanent("anna", "hello").withTenant("acme"))).refText());
    }

    /** A bank written before tenants: {@link VoiceBank#forTenant} is the default. */
    private record SharedOnly(VoiceBank inner) implements VoiceBank {
        @Override
        public Voice save(String name, AudioClip audio, String refText) throws IOException {
            return inner.save(name, audio, refText);
        }

        @Override
        public Optional<Voice> find(String name) {
            return inner.find(name);
        }

        @Override
        public AudioClip load(String name) throws IOException {
            return inner.load(name);
        }

        @Override
        public List<Voice> list() {
            return inner.list();
        }

        @Override
        public boolean delete(String name) throws IOException {
            return inner.delete(name);
        }

        @Override
        public Path directory() {
            return inner.directory();
        }
    }
}
