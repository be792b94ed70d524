"""A Redis server of the test's own, to pause or kill (never the shared one on 6379)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

import pytest
import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OwnRedis:
    url: str
    admin: redis.Redis
    process: subprocess.Popen
    port: int

    def freeze(self) -> None:
        """Stop the server process: connections stay open and nothing answers (a hung host)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL the server: connections are refused until `restart`."""
        self.process.kill()
        self.process.wait(timeout=10)

    def restart(self) -> None:
        """A fresh, empty server on the same port."""
        self.process = _start(self.port)
        _wait_until_up(self.admin, self.process)


def _start(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_until_up(admin: redis.Redis, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            admin.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def own_redis_server():
    """Yields an OwnRedis for a fresh, empty redis-server; killed afterwards."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    admin = redis.Redis.from_url(url, socket_timeout=2)
    server = OwnRedis(url, admin, _start(port), port)
    try:
        _wait_until_up(admin, server.process)
        yield server
    finally:
        admin.close()
        server.process.kill()
        server.process.wait(timeout=10)
