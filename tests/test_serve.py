"""Madang's launcher (``python -m madang.serve``): a real server process with a 1 s header
deadline. A request that stalls, a handshake trickled byte by byte and a silent connection
are closed by the server; requests that arrive whole are served as before."""

from __future__ import annotations

import http.client
import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.daphne import HOST, DaphneServer, daphne_servers, database_url_of_test_db

ROOT = Path(__file__).resolve().parents[1]
# A test that got nothing back in this long concludes the server held the connection.
GIVE_UP_S = 30.0
# The server reads pytest-django's test database (its tables, no rows).
uses_server = pytest.mark.django_db


@pytest.fixture(scope="module")
def server(django_db_setup: Any) -> Iterator[DaphneServer]:
    with daphne_servers(
        1,
        database_url=database_url_of_test_db(),
        extra_env={"MADANG_HEADER_TIMEOUT": "1", "MADANG_ANALYSIS_MODE": "queue"},
    ) as (started,):
        yield started


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (fails if it never does)."""
    sock.settimeout(GIVE_UP_S)
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"the server held the connection open; got {received!r}")
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


@uses_server
def test_a_request_stalled_half_way_gets_408_and_is_closed(server: DaphneServer) -> None:
    with socket.create_connection((HOST, server.port)) as sock:
        sock.sendall(b"GET / HT")
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer


@uses_server
def test_a_silent_connection_is_closed_without_an_answer(server: DaphneServer) -> None:
    with socket.create_connection((HOST, server.port)) as sock:
        assert _read_until_closed(sock) == b""


@uses_server
def test_a_websocket_handshake_trickled_byte_by_byte_is_closed_before_it_completes(
    server: DaphneServer,
) -> None:
    handshake = (
        f"GET /ws/sessions/1/ HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {server.origin}\r\n\r\n"
    ).encode()
    answer = b""
    closed = False
    sent = 0
    with socket.create_connection((HOST, server.port)) as sock:
        # Each byte restarts Twisted's idle timeout; the header deadline must not restart.
        for sent in range(1, len(handshake) + 1):
            try:
                sock.sendall(handshake[sent - 1 : sent])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            readable, _, _ = select.select([sock], [], [], 0.2)  # the trickler's pace
            if readable:
                answer = _read_until_closed(sock)
                closed = True
                break
    assert closed, "the server waited for the whole trickled handshake"
    assert sent < len(handshake)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 "), answer


@uses_server
def test_requests_sent_whole_are_served_and_kept_alive_until_the_next_deadline(
    server: DaphneServer,
) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=GIVE_UP_S)
    try:
        statuses = []
        for _ in range(2):
            conn.request("GET", "/", headers={"Host": HOST})
            response = conn.getresponse()
            body = response.read()
            statuses.append(response.status)
        assert statuses == [200, 200], body[:300]
        assert "마당".encode() in body
        # the same connection, left idle after its request, gets a deadline of its own
        assert conn.sock is not None
        assert _read_until_closed(conn.sock) == b""
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--header-timeout", "soon"], {}, "not a number of seconds: 'soon'"),
        (["--header-timeout", "0"], {}, "must be a positive number of seconds"),
        ([], {"MADANG_HEADER_TIMEOUT": "-5"}, "MADANG_HEADER_TIMEOUT: must be a positive"),
        ([], {"MADANG_HEADER_TIMEOUT": "ten"}, "MADANG_HEADER_TIMEOUT: not a number"),
    ],
)
def test_a_bad_header_timeout_stops_the_launcher_with_a_clear_error(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "madang.serve", *args, "madang.asgi:application"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_websocket_messages_over_256_kb_are_refused_unless_daphne_is_told_otherwise() -> None:
    from madang.serve import MadangCommandLineInterface

    parser = MadangCommandLineInterface().parser
    defaults = parser.parse_args(["madang.asgi:application"])
    assert defaults.websocket_max_message_size == 256 * 1024
    assert defaults.websocket_max_frame_size == 256 * 1024
    told = parser.parse_args(
        ["--websocket-max-message-size", "65536", "--ping-interval", "5", "app:application"]
    )
    assert (told.websocket_max_message_size, told.ping_interval) == (65536, 5)


def test_the_launcher_answers_its_own_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "madang.serve", "--help"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--header-timeout" in result.stdout
    assert "--websocket-max-message-size" in result.stdout
