#!/usr/bin/env python3
# Crash test (EUPL-1.2): registers help questions and sends warm referrals over the API
# while `keten serve` is killed with SIGKILL and restarted several times; afterwards
# every write that got a success response must be in the database.
#
# Usage: scripts/crash-test [sqlite|postgres]   (postgres needs KETEN_TEST_POSTGRES)
# Environment: KETEN_BIN (default target/debug/keten), CRASH_ROUNDS (default 5).
# Standard library only, so CI needs nothing beyond Python 3.

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

KETEN = os.environ.get("KETEN_BIN", "target/debug/keten")
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))


def keten(url, *args):
    out = subprocess.run([KETEN, "--database-url", url, *args], capture_output=True, text=True, env={**os.environ, "RUST_LOG": "warn"})
    if out.returncode != 0:
        raise SystemExit(f"keten {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def request(base, method, path, token, body=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


class Server:
    """One `keten serve` process on a fixed port."""

    def __init__(self, url, port):
        self.url, self.port, self.proc = url, port, None
        self.base = f"http://127.0.0.1:{port}"

    def start(self):
        self.proc = subprocess.Popen(
            [KETEN, "--database-url", self.url, "serve", "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn", "KETEN_SECOND_FACTOR_KEY": "ab" * 32},
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        raise SystemExit("keten did not become ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    tmp = tempfile.mkdtemp(prefix="keten-crash-")
    if backend == "sqlite":
        url = f"sqlite://{tmp}/keten.db"
    else:
        base_url = os.environ.get("KETEN_TEST_POSTGRES")
        if not base_url:
            raise SystemExit("KETEN_TEST_POSTGRES is not set")
        name = f"crash_{os.getpid()}"
        subprocess.run(["psql", base_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", base_url, "-qc", f"CREATE DATABASE {name}"], check=True)
        url = base_url.rsplit("/", 1)[0] + "/" + name
    keten(url, "demo", "--questions", "0", "--referrals", "0")
    staff = keten(url, "token", "add", "--org", "Bibliotheek Rotterdam", "--role", "staff", "--name", "crash").strip().splitlines()[-1]
    partner = keten(url, "token", "add", "--org", "Maasbank", "--role", "partner", "--name", "crash").strip().splitlines()[-1]

    server = Server(url, free_port())
    server.start()
    _, nearest = request(server.base, "GET", "/api/v1/help-points/nearest?place=3011&limit=20", staff)
    library = next(p["id"] for p in nearest["results"] if p["name"] == "Centrale Bibliotheek")

    acknowledged_questions, acknowledged_referrals = [], []
    attempts = {"questions": 0, "referrals": 0, "failed": 0}
    # Answers with an HTTP error status: none are expected (the requests are valid).
    refused = []
    lock = threading.Lock()
    running = threading.Event()
    running.set()

    def register():
        rng = random.Random()
        while running.is_set():
            body = {"help_point_id": library, "questions": [{"topic": rng.choice(["digid", "belastingen-toeslagen", "bankzaken"]), "minutes": rng.randint(1, 60)}]}
            with lock:
                attempts["questions"] += 1
            try:
                status, answer = request(server.base, "POST", "/api/v1/help-questions", staff, body)
                if status == 201:
                    with lock:
                        acknowledged_questions.extend(answer["visits"][0]["question_ids"])
            except urllib.error.HTTPError as e:
                with lock:
                    refused.append(f"{e.code} {e.read()[:200]!r}")
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                with lock:
                    attempts["failed"] += 1
                time.sleep(0.02)

    def refer():
        while running.is_set():
            body = {
                "topics": ["belastingen-toeslagen"], "reason": "Crashtest", "resident_name": "Test Inwoner", "phone": "06 12345678",
                "preferred_moment": "morning", "pc4": "3011", "consent_given": True, "consent_method": "spoken",
                "consent_text_version": CONSENT_TEXT_VERSION, "sender_sees_progress": True,
            }
            with lock:
                attempts["referrals"] += 1
            try:
                status, answer = request(server.base, "POST", "/api/v1/referrals", partner, body)
                if status == 201:
                    with lock:
                        acknowledged_referrals.append(answer["id"])
            except urllib.error.HTTPError as e:
                with lock:
                    refused.append(f"{e.code} {e.read()[:200]!r}")
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                with lock:
                    attempts["failed"] += 1
                time.sleep(0.02)

    workers = [threading.Thread(target=register) for _ in range(4)] + [threading.Thread(target=refer) for _ in range(2)]
    for w in workers:
        w.start()
    for round_ in range(ROUNDS):
        time.sleep(random.uniform(1.0, 2.5))
        server.kill()
        print(f"round {round_ + 1}: SIGKILL after {len(acknowledged_questions)} questions and {len(acknowledged_referrals)} referrals acknowledged")
        time.sleep(0.2)
        server.start()
    time.sleep(1.0)
    running.clear()
    for w in workers:
        w.join()

    # Every acknowledged write must be there.
    stored, cursor = set(), None
    while True:
        path = "/api/v1/help-questions?limit=1000" + (f"&cursor={cursor}" if cursor else "")
        _, page = request(server.base, "GET", path, staff, timeout=30)
        stored.update(q["id"] for q in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    lost_questions = [q for q in acknowledged_questions if q not in stored]
    lost_referrals = []
    for rid in acknowledged_referrals:
        try:
            request(server.base, "GET", f"/api/v1/referrals/{rid}", partner)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                lost_referrals.append(rid)
            else:
                raise
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"crash test on {backend}: {ROUNDS} SIGKILLs; {attempts['questions']} registrations and {attempts['referrals']} referrals tried, "
        f"{attempts['failed']} failed in flight; acknowledged {len(acknowledged_questions)} questions and {len(acknowledged_referrals)} referrals; "
        f"lost {len(lost_questions)} questions and {len(lost_referrals)} referrals"
    )
    if refused:
        print(f"{len(refused)} requests answered with an error status, e.g. {refused[:3]}")
        sys.exit(1)
    if lost_questions or lost_referrals:
        print(f"lost: {lost_questions[:10]} {lost_referrals[:10]}")
        sys.exit(1)
    if not acknowledged_questions or not acknowledged_referrals:
        print("nothing was acknowledged: the test proved nothing")
        sys.exit(1)


# The consent text version the resident heard: the one the code defines.
CONSENT_TEXT_VERSION = re.search(
    r'CONSENT_TEXT_VERSION: &str = "([^"]+)"',
    open(os.path.join(os.path.dirname(__file__), "..", "crates", "core", "src", "referral", "mod.rs"), encoding="utf-8").read(),
).group(1)

if __name__ == "__main__":
    main()
