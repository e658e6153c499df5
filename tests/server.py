"""A real `ropa demo` server on a free port, for HTTP and browser tests."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def demo_server(instance_dir: Path, env_extra: dict[str, str] | None = None):
    """Run `ropa demo` in its own process; yield (base URL, the admin password it printed)."""
    port = free_port()
    env = os.environ | {"ROPA_INSTANCE_DIR": str(instance_dir), "PYTHONUNBUFFERED": "1"} | (env_extra or {})
    env.pop("ROPA_DATABASE_URL", None)
    log = instance_dir / "demo.log"
    instance_dir.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "ropa", "demo", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(process, base + "/login", 60, lambda: f"ropa demo did not start:\n{log.read_text()}")
        match = re.search(r"one-time password: (\S+)", log.read_text())
        yield base, match.group(1) if match else None
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_up(process: subprocess.Popen, url: str, seconds: float, failure) -> None:
    """Poll url until the server answers (any HTTP status); raise RuntimeError(failure()) if it exits or is too slow."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered: the server is up
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(failure()) from None
            time.sleep(0.1)


def sign_in(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    """An HTTP client holding a signed-in session, made through the real sign-in form (with its CSRF token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(base + "/login") as response:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    try:
        with opener.open(base + "/login", data=body) as response:
            if "/login" in response.url:
                raise AssertionError("sign-in failed")
    except urllib.error.HTTPError as refused:  # 422 wrong details, 429 locked out
        raise AssertionError(f"sign-in failed ({refused.code})") from None
    return opener
