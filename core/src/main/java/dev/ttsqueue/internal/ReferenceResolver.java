package dev.ttsqueue.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.ReferenceTextRequiredException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.Transcriber;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a job's references (uploaded clip id or voice name) into audio and transcript: checked at
 * submit time so a bad id is refused at once, loaded at run time.
 */
final class ReferenceResolver {
    private static final Logger log = LoggerFactory.getLogger(ReferenceResolver.class);
    private final AudioStore audioStore;
    private final VoiceBank voiceBank;
    private final Transcriber transcriber;
    private final BackendInfo backend;

    ReferenceResolver(AudioStore audioStore, VoiceBank voiceBank, Transcriber transcriber, BackendInfo backend) {
        this.audioStore = audioStore;
        this.voiceBank = voiceBank;
        this.transcriber = transcriber;
        this.backend = backend;
    }

    /** Submit-time check at {@code now}: the reference exists and a transcript will be available if needed. */
    void check(JobRequest request, Instant now) {
        String bankText = "";
        switch (request.type()) {
            case TTS_PERMANENT -> bankText = voice(bank(request), request.voiceName()).refText();
            case TTS_GENERATE, VOICE_CLONING -> upload(request.audioFileId(), now);
        }
        if (backend.needsReferenceText() && transcriber == null && request.refText().isBlank() && bankText.isBlank()) {
            throw new ReferenceTextRequiredException("Reference text is required: backend " + backend.name()
                    + " needs the transcript of the reference audio and no transcriber is configured."
                    + " Send ref_text with the job, or configure a transcriber");
        }
    }

    /** Run-time resolution at {@code now} (the claim time); the job's own seed is passed through. */
    SynthesisRequest resolve(JobRequest request, long seed, Instant now) throws Exception {
        AudioClip audio = null;
        String refText = request.refText();
        Voice permanent = null;
        VoiceBank permanentBank = null;
        switch (request.type()) {
            case TTS_PERMANENT -> {
                VoiceBank bank = bank(request);
                Voice v = voice(bank, request.voiceName());
                permanent = v;
                permanentBank = bank;
                if (refText.isBlank()) {
                    refText = v.refText();
                }
                if (backend.clonesVoices() || (refText.isBlank() && backend.needsReferenceText())) {
                    audio = bank.load(v.name());
                }
            }
            case TTS_GENERATE, VOICE_CLONING -> {
                upload(request.audioFileId(), now);
                if (backend.clonesVoices() || (refText.isBlank() && backend.needsReferenceText())) {
                    audio = audioStore.load(request.audioFileId());
                }
            }
        }
        if (refText.isBlank() && backend.needsReferenceText()) {
            if (transcriber == null) {
                throw new ReferenceTextRequiredException("Reference text is required and no transcriber is configured;"
                        + " send ref_text with the job, or configure a transcriber");
            }
            refText = Optional.ofNullable(transcriber.transcribe(audio)).orElse("").trim();
            if (refText.isBlank()) {
                throw new InvalidRequestException("Could not transcribe the reference audio; pass ref_text");
            }
            if (permanent != null && permanent.refText().isBlank()) {
                keepTranscript(permanentBank, permanent, audio, refText);
            }
        }
        return new SynthesisRequest(backend.clonesVoices() ? audio : null, refText, request.text(), request.settings(), seed);
    }

    /**
     * Stores a permanent voice's new transcript with the voice, so later jobs read it instead of
     * transcribing again. A failure to store costs only that: this job still has its text.
     */
    private void keepTranscript(VoiceBank bank, Voice voice, AudioClip transcribed, String refText) {
        try {
            if (bank.storeTranscript(voice.name(), transcribed, refText)) {
                log.info("stored the transcript of voice '{}' with the voice", voice.name());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not store the transcript of voice '{}': {}", voice.name(), e.toString());
        }
    }

    /**
     * The bank holding the voice a job names: its tenant's own when that has the voice, else the
     * shared bank (which also answers "not found"). Null when no voice bank is configured. A bank
     * that keeps no voices per tenant has only shared ones.
     */
    private VoiceBank bank(JobRequest request) {
        if (voiceBank == null || request.tenant().isEmpty()) {
            return voiceBank;
        }
        VoiceBank own;
        try {
            own = voiceBank.forTenant(request.tenant());
        } catch (UnsupportedOperationException e) {
            return voiceBank;
        }
        return own.lookup(request.voiceName()).isPresent() ? own : voiceBank;
    }

    private static Voice voice(VoiceBank bank, String name) {
        if (bank == null) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.VOICE_NOT_FOUND,
                    "Voice '" + name + "' not found: no voice bank is configured");
        }
        return bank.lookup(name).orElseThrow(() -> new ReferenceNotFoundException(
                ReferenceNotFoundException.Reason.VOICE_NOT_FOUND, "Voice '" + name + "' not found"));
    }

    private AudioEntry upload(String id, Instant now) {
        AudioEntry entry = (Identifiers.isSafe(id) ? audioStore.find(id) : Optional.<AudioEntry>empty())
                .orElseThrow(() -> new ReferenceNotFoundException(ReferenceNotFoundException.Reason.AUDIO_FILE_NOT_FOUND,
                        "Audio file not found"));
        if (entry.isExpired(now)) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.AUDIO_FILE_EXPIRED, "Audio file has expired");
        }
        return entry;
    }
}
