"""A client written the way the F5-TTS FastAPI server's job-queue guide writes it (the Python
`requests` loop), run against our server. Exits non-zero on the first mismatch.

usage: old_client.py BASE_URL REFERENCE_WAV
"""
import datetime
import sys
import time

import requests

BASE = sys.argv[1].rstrip("/")
REF = sys.argv[2]


def check(cond, what):
    if not cond:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)


def parse_time(value):
    # Python 3.7+ fromisoformat; must accept what the server sends.
    return datetime.datetime.fromisoformat(value)


# Health
r = requests.get(f"{BASE}/health")
check(r.status_code == 200 and r.json()["status"] == "healthy", "health: %s" % r.text)

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
check(job["message"] == "Job submitted successfully", "submit message")
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

print("ALL OK")
