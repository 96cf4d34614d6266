"""`openspm serve`: gunicorn (workers x threads) when installed, Django's server on request;
stopped cleanly by SIGTERM. Real processes on a free loopback port."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from openspm.core.management.commands import serve

ROOT = Path(__file__).resolve().parents[2]


def test_bind_address_accepts_runservers_forms() -> None:
    assert serve.bind_address("8123") == "127.0.0.1:8123"
    assert serve.bind_address("0.0.0.0:80") == "0.0.0.0:80"
    assert serve.bind_address("[::1]:8000") == "[::1]:8000"
    for bad in ("localhost", ":80", "host:port"):
        with pytest.raises(CommandError):
            serve.bind_address(bad)


def test_gunicorn_command_uses_threaded_workers() -> None:
    command = serve.gunicorn_command(addrport="8123", workers=3, threads=5)
    assert command[:4] == [sys.executable, "-m", "gunicorn", "openspm.wsgi:application"]
    joined = " ".join(command)
    assert "--bind 127.0.0.1:8123" in joined
    assert "--workers 3" in joined
    assert "--threads 5" in joined
    assert "--worker-class gthread" in joined
    assert 2 <= serve.default_workers() <= 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_header(port: int, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return str(response.getheader("Server", ""))
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz")


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "server"),
    [
        (["--workers", "2", "--threads", "2"], "gunicorn"),
        (["--runserver"], "WSGIServer"),
    ],
    ids=["gunicorn", "runserver"],
)
def test_serves_then_stops_on_sigterm(tmp_path: Path, extra: list[str], server: str) -> None:
    port = _free_port()
    env = {
        **os.environ,  # noqa: TID251
        "OPENSPM_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "openspm.settings",
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "openspm", "serve", f"127.0.0.1:{port}", "--no-worker", *extra],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert server in _server_header(port)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while not _port_closed(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _port_closed(port)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
