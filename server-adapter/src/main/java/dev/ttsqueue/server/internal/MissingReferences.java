package dev.ttsqueue.server.internal;

import dev.ttsqueue.ReferenceNotFoundException;

/**
 * The old server's words for a reference that is not there, which differ by endpoint: its
 * synchronous {@code /tts-permanent} pointed to {@code /list-voices}, its async form did not, and
 * the endpoints taking an {@code audio_file_id} asked for an upload. The voice name is quoted as
 * the client sent it, as the old server quoted it.
 */
enum MissingReferences {
    /** {@code POST /tts-permanent}. */
    SYNCHRONOUS {
        @Override
        String voice(String asked) {
            return "Voice '" + asked + "' not found. Use /list-voices to see available voices.";
        }
    },
    /** {@code /jobs/tts-permanent-async} and {@code /jobs/submit}. */
    QUEUED {
        @Override
        String voice(String asked) {
            return "Permanent voice '" + asked + "' not found";
        }
    };

    static final String AUDIO_FILE_NOT_FOUND = "Audio file not found. Please upload audio first.";
    static final String AUDIO_FILE_EXPIRED = "Reference audio file has expired. Please re-upload.";

    abstract String voice(String asked);

    /** The 404 to answer for {@code e}, {@code askedVoice} being the voice name as sent (null when none was). */
    ApiException answer(ReferenceNotFoundException e, String askedVoice) {
        ReferenceNotFoundException.Reason reason = e.reason();
        if (reason == null) {
            return ApiException.notFound(e.getMessage());
        }
        return switch (reason) {
            case AUDIO_FILE_NOT_FOUND -> ApiException.notFound(AUDIO_FILE_NOT_FOUND);
            case AUDIO_FILE_EXPIRED -> ApiException.notFound(AUDIO_FILE_EXPIRED);
            case VOICE_NOT_FOUND -> ApiException.notFound(voice(askedVoice));
        };
    }
}
