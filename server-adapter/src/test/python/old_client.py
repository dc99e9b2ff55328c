"""A client written the way the F5-TTS FastAPI server's job-queue guide writes it (the Python
`requests` loop), run against our server. Exits non-zero on the first mismatch.

usage: old_client.py BASE_URL REFERENCE_WAV FIXTURE_DIR EXPIRED_FILE_ID
       old_client.py BASE_URL --vocoder-unloaded

FIXTURE_DIR holds the audio fixtures (MP3, FLAC, Ogg Vorbis); EXPIRED_FILE_ID is an upload whose
time is up. The server has a voice "old_narrator" saved under the earlier underscore rule, and
loses the result of any job whose text contains "[lose]". With --vocoder-unloaded, only /health
is checked, against a backend that reports its vocoder unloaded.
"""
import datetime
import os
import sys
import time

import requests

BASE = sys.argv[1].rstrip("/")


def check(cond, what):
    if not cond:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)


def parse_time(value):
    # Python 3.7+ fromisoformat; must accept what the server sends.
    return datetime.datetime.fromisoformat(value)


if sys.argv[2] == "--vocoder-unloaded":
    r = requests.get(f"{BASE}/health")
    health = r.json()
    check(r.status_code == 503 and health["status"] == "unhealthy", "health without a vocoder: %s" % r.text)
    check(health["model_loaded"] is True and health["vocoder_loaded"] is False, "health flags: %s" % r.text)
    print("ALL OK")
    sys.exit(0)

REF = sys.argv[2]
FIXTURES = sys.argv[3]
EXPIRED = sys.argv[4]

# Health: the backend's own word on its model
r = requests.get(f"{BASE}/health")
check(r.status_code == 200 and r.json()["status"] == "healthy", "health: %s" % r.text)
check(r.json()["model_loaded"] is True and r.json()["vocoder_loaded"] is True, "health flags: %s" % r.text)

# Upload a reference clip
with open(REF, "rb") as f:
    r = requests.post(f"{BASE}/upload-audio", files={"audio_file": ("reference.wav", f, "audio/wav")})
check(r.status_code == 200, "upload: %s" % r.text)
file_id = r.json()["file_id"]
check(isinstance(r.json()["duration"], float), "upload duration")

# Submit a job through the form endpoint, as the guide does
data = {
    "audio_file_id": file_id,
    "text": "Hello from the old client.",
    "ref_text": "",
    "randomize_seed": "false",
    "seed": "1234",
    "remove_silence": "False",
    "speed": "1.0",
    "nfe_step": "32",
    "cross_fade_duration": "0.15",
    "priority": "1",
}
r = requests.post(f"{BASE}/jobs/tts-generate-async", data=data)
check(r.status_code == 200, "async submit: %s" % r.text)
job = r.json()
check(job["message"] == "TTS generation job submitted successfully", "submit message: %s" % job["message"])
check(isinstance(job["queue_position"], int), "queue_position")
job_id = job["job_id"]

# Poll until done
deadline = time.time() + 60
while True:
    r = requests.get(f"{BASE}/jobs/{job_id}/status")
    check(r.status_code == 200, "status: %s" % r.text)
    status = r.json()
    if status["status"] in ("completed", "failed"):
        break
    check(time.time() < deadline, "job did not finish")
    time.sleep(0.05)
check(status["status"] == "completed", "job failed: %s" % status)
for key in ("job_id", "job_type", "status", "created_at", "started_at", "completed_at", "result", "error",
            "progress", "estimated_completion"):
    check(key in status, "status field " + key)
created = parse_time(status["created_at"])
completed = parse_time(status["completed_at"])
check(completed >= created, "times in order")

# Result and download
r = requests.get(f"{BASE}/jobs/{job_id}/result")
check(r.status_code == 200, "result: %s" % r.text)
result = r.json()
for key in ("output_file_id", "output_path", "ref_text", "gen_text", "seed"):
    check(key in result, "result field " + key)
check(result["seed"] == 1234, "seed kept")
r = requests.get(f"{BASE}/download-audio/{result['output_file_id']}")
check(r.status_code == 200, "download")
check(r.headers["content-type"] == "audio/wav", "content type " + r.headers["content-type"])
check(r.headers["content-disposition"] == 'attachment; filename="f5tts_audio_%s.wav"' % result["output_file_id"],
      "content disposition " + r.headers["content-disposition"])
check(r.content[:4] == b"RIFF" and r.content[8:12] == b"WAVE", "a WAV file")

# JSON job submission
r = requests.post(f"{BASE}/jobs/submit", json={
    "job_type": "voice_cloning",
    "parameters": {"audio_file_id": file_id, "gen_text": "Second job.", "inference_settings": {"speed": 1.1}},
    "priority": 0})
check(r.status_code == 200, "json submit: %s" % r.text)

r = requests.get(f"{BASE}/jobs/queue-status")
qs = r.json()
for key in ("queue_size", "total_jobs", "job_counts", "current_job"):
    check(key in qs, "queue-status field " + key)
for key in ("queued", "processing", "completed", "failed"):
    check(key in qs["job_counts"], "job_counts." + key)

# Synchronous endpoints
r = requests.post(f"{BASE}/tts-generate", json={"audio_file_id": file_id, "text": "Synchronous.", "ref_text": "",
                                                "settings": {"randomize_seed": False, "seed": 7}})
check(r.status_code == 200, "tts-generate: %s" % r.text)
check(r.json()["seed_used"] == 7, "seed_used")
with open(REF, "rb") as f:
    r = requests.post(f"{BASE}/voice-cloning", data={"text": "Cloned.", "remove_silence": "true"},
                      files={"audio_file": ("reference.wav", f, "audio/wav")})
check(r.status_code == 200, "voice-cloning: %s" % r.text)
check("audio_file_id" in r.json() and "seed_used" in r.json(), "voice-cloning fields")

# Errors look like FastAPI's
r = requests.get(f"{BASE}/jobs/00000000-0000-0000-0000-000000000000/status")
check(r.status_code == 404 and r.json()["detail"] == "Job not found", "404 shape: %s" % r.text)
r = requests.post(f"{BASE}/jobs/tts-generate-async", data={"text": "no reference"})
check(r.status_code == 422, "422 status")
detail = r.json()["detail"]
check(isinstance(detail, list) and detail[0]["loc"] == ["body", "audio_file_id"] and "msg" in detail[0]
      and "type" in detail[0], "422 shape: %s" % r.text)
r = requests.post(f"{BASE}/jobs/tts-generate-async", data={"audio_file_id": file_id, "text": "x", "speed": "5"})
check(r.status_code == 400 and r.json()["detail"] == "Speed must be between 0.3 and 2.0", "400: %s" % r.text)
with open(REF, "rb") as f:
    r = requests.post(f"{BASE}/upload-audio", files={"audio_file": ("notes.txt", f, "text/plain")})
check(r.status_code == 400 and r.json()["detail"] == "File must be an audio file", "not audio: %s" % r.text)



def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def wait_done(job_id):
    deadline = time.time() + 60
    while True:
        st = requests.get(f"{BASE}/jobs/{job_id}/status").json()
        if st["status"] in ("completed", "failed"):
            return st
        check(time.time() < deadline, "job %s did not finish" % job_id)
        time.sleep(0.05)


# 1. Voice names: the old regex (spaces dropped), and voices saved under the earlier underscore rule
with open(REF, "rb") as f:
    r = requests.post(f"{BASE}/upload-permanent-voice", data={"voice_name": "My Voice!"},
                      files={"audio_file": ("reference.wav", f, "audio/wav")})
check(r.status_code == 200 and r.json()["voice_name"] == "myvoice", "voice name: %s" % r.text)
r = requests.post(f"{BASE}/tts-permanent", json={"voice_name": r.json()["voice_name"], "text": "By the returned name."})
check(r.status_code == 200, "tts-permanent by the returned name: %s" % r.text)
r = requests.post(f"{BASE}/tts-permanent", json={"voice_name": "Old Narrator", "text": "An older voice."})
check(r.status_code == 200, "voice saved under the earlier rule: %s" % r.text)

# 2. The old server's messages, word for word
unknown = "00000000-0000-0000-0000-000000000000"
for fid, detail in ((unknown, "Audio file not found. Please upload audio first."),
                    (EXPIRED, "Reference audio file has expired. Please re-upload.")):
    answers = [requests.post(f"{BASE}/tts-generate", json={"audio_file_id": fid, "text": "x"}),
               requests.post(f"{BASE}/jobs/tts-generate-async", data={"audio_file_id": fid, "text": "x"}),
               requests.post(f"{BASE}/jobs/voice-cloning-async", data={"audio_file_id": fid, "text": "x"})]
    for a in answers:
        check(a.status_code == 404 and a.json()["detail"] == detail, "%s: %s" % (a.url, a.text))
r = requests.post(f"{BASE}/jobs/submit", json={"job_type": "tts_permanent", "parameters": {"gen_text": "x"}})
check(r.status_code == 400 and r.json()["detail"] == "Permanent TTS jobs require 'voice_name' and 'gen_text' parameters",
      "submit without voice: %s" % r.text)
r = requests.post(f"{BASE}/tts-permanent", json={"voice_name": "Nobody", "text": "x"})
check(r.status_code == 404 and r.json()["detail"] == "Voice 'Nobody' not found. Use /list-voices to see available voices.",
      "unknown voice: %s" % r.text)
r = requests.post(f"{BASE}/jobs/tts-permanent-async", data={"voice_name": "Nobody", "text": "x"})
check(r.status_code == 404 and r.json()["detail"] == "Permanent voice 'Nobody' not found", "unknown voice async: %s" % r.text)
r = requests.post(f"{BASE}/jobs/tts-generate-async", data={"audio_file_id": file_id, "text": "This result is lost [lose]"})
lost = r.json()["job_id"]
check(wait_done(lost)["status"] == "completed", "job whose result is lost")
r = requests.get(f"{BASE}/jobs/{lost}/result")
check(r.status_code == 404 and r.json()["detail"] == "Job result not found", "lost result: %s" % r.text)

# 3. A text of NUL characters is empty, on every endpoint
nothing = "\x00\x00\x00"
with open(REF, "rb") as f:
    wav = f.read()
answers = [
    requests.post(f"{BASE}/tts-generate", json={"audio_file_id": file_id, "text": nothing}),
    requests.post(f"{BASE}/tts-permanent", json={"voice_name": "myvoice", "text": nothing}),
    requests.post(f"{BASE}/voice-cloning", data={"text": nothing}, files={"audio_file": ("r.wav", wav, "audio/wav")}),
    requests.post(f"{BASE}/jobs/tts-generate-async", data={"audio_file_id": file_id, "text": nothing}),
    requests.post(f"{BASE}/jobs/tts-permanent-async", data={"voice_name": "myvoice", "text": nothing}),
    requests.post(f"{BASE}/jobs/voice-cloning-async", data={"audio_file_id": file_id, "text": nothing}),
    requests.post(f"{BASE}/jobs/submit", json={"job_type": "voice_cloning",
                                               "parameters": {"audio_file_id": file_id, "gen_text": nothing}}),
]
for a in answers:
    check(a.status_code == 400 and a.json()["detail"] == "Text to generate cannot be empty", "%s: %s" % (a.url, a.text))

# 4. References in MP3, FLAC and Ogg Vorbis, recognised by content; bad ones refused naming the format
for name, ctype, fmt in (("ref-mono-24k.mp3", "audio/mpeg", "MP3"), ("ref-mono-24k.flac", "audio/flac", "FLAC"),
                         ("ref-mono-24k.ogg", "audio/ogg", "Ogg Vorbis")):
    data = fixture(name)
    r = requests.post(f"{BASE}/upload-audio", files={"audio_file": (name, data, ctype)})
    check(r.status_code == 200 and abs(r.json()["duration"] - 1.0) < 0.12, "%s upload: %s" % (name, r.text))
    r = requests.post(f"{BASE}/jobs/voice-cloning-async", data={"audio_file_id": r.json()["file_id"], "text": "From " + fmt})
    check(wait_done(r.json()["job_id"])["status"] == "completed", "job from a %s reference" % fmt)
    r = requests.post(f"{BASE}/upload-audio", files={"audio_file": (name, data[: len(data) * 2 // 3], ctype)})
    check(r.status_code == 400 and r.json()["detail"].startswith("Invalid audio file: ") and fmt in r.json()["detail"],
          "truncated %s: %s" % (name, r.text))
r = requests.post(f"{BASE}/upload-audio", files={"audio_file": ("renamed.wav", fixture("ref-mono-24k.ogg"), "audio/wav")})
check(r.status_code == 200, "an Ogg file named .wav: %s" % r.text)
r = requests.post(f"{BASE}/upload-audio", files={"audio_file": ("bomb.flac", fixture("silence-6min-8k.flac"), "audio/flac")})
check(r.status_code == 400 and r.json()["detail"] == "Invalid audio file: FLAC audio is too long: at most 300 s are accepted",
      "six minutes of FLAC: %s" % r.text)

# 5. Downloads: the real length on HEAD and GET, and byte ranges for seeking
out = result["output_file_id"]
r = requests.get(f"{BASE}/download-audio/{out}")
size = len(r.content)
check(r.headers.get("content-length") == str(size) and "transfer-encoding" not in r.headers, "GET length: %s" % r.headers)
r = requests.head(f"{BASE}/download-audio/{out}")
check(r.status_code == 200 and r.headers.get("content-length") == str(size), "HEAD length: %s" % r.headers)
r = requests.get(f"{BASE}/download-audio/{out}", headers={"Range": "bytes=0-99"})
check(r.status_code == 206 and len(r.content) == 100 and r.headers["content-range"] == "bytes 0-99/%d" % size,
      "range: %s %s" % (r.status_code, r.headers))
r = requests.get(f"{BASE}/download-audio/{out}", headers={"Range": "bytes=%d-" % size})
check(r.status_code == 416 and r.headers["content-range"] == "bytes */%d" % size, "unsatisfiable range: %s" % r.status_code)

print("ALL OK")
