"""The fault tools themselves: a private Redis dies and returns; the proxy stalls, resets."""

from __future__ import annotations

import socket
import time

import pytest

from tests.support.private_redis import PrivateRedis
from tests.support.tcp_proxy import TcpProxy


def _ping(port: int, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64)


def test_private_redis_survives_sigkill_and_restarts_empty() -> None:
    with PrivateRedis() as redis:
        with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as sock:
            sock.sendall(b"SET k v\r\n")
            assert sock.recv(64) == b"+OK\r\n"
        redis.kill()
        with pytest.raises(OSError):
            _ping(redis.port, timeout=1)
        redis.start()
        with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as sock:
            sock.sendall(b"GET k\r\n")
            assert sock.recv(64) == b"$-1\r\n"  # nothing kept on disk


def test_proxy_forwards_then_stalls_resumes_and_resets() -> None:
    with PrivateRedis() as redis, TcpProxy("127.0.0.1", redis.port) as proxy:
        assert _ping(proxy.port) == b"+PONG\r\n"

        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
            proxy.stall()
            sock.sendall(b"PING\r\n")
            sock.settimeout(0.5)
            with pytest.raises(TimeoutError):
                sock.recv(64)
            proxy.resume()
            sock.settimeout(5)
            assert sock.recv(64) == b"+PONG\r\n"

            proxy.reset()
            sock.settimeout(5)
            with pytest.raises(OSError):
                sock.sendall(b"PING\r\n")
                if not sock.recv(64):
                    raise ConnectionResetError("closed")


def test_proxy_latency_delays_each_reply() -> None:
    with PrivateRedis() as redis, TcpProxy("127.0.0.1", redis.port) as proxy:
        proxy.latency = 0.3
        started = time.monotonic()
        assert _ping(proxy.port) == b"+PONG\r\n"
        # Two hops each way are delayed: the reply cannot come back sooner.
        assert time.monotonic() - started >= 0.6
