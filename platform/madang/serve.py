"""Madang's server: Daphne's own command line with Madang's limits.

    python -m madang.serve -b 127.0.0.1 -p 8000 madang.asgi:application

Every Daphne option works as documented (``--help`` lists them). On top of Daphne:

- A header deadline. Twisted's idle timeout starts again with every byte, so a client that
  trickles a request (or a WebSocket handshake) one byte a second holds its connection for
  ever. Here every request must deliver all its headers within ``--header-timeout`` seconds
  (``MADANG_HEADER_TIMEOUT``, default 10) of the connection opening, or of the previous
  request finishing on a kept-alive connection; otherwise the server answers 408 (when part
  of a request arrived) and closes the connection.
- WebSocket messages and frames over 256 KB are refused unless told otherwise. The room's
  own limits are smaller (16 KB from residents, 160 KB from facilitators; larger frames get
  ``too_large``); this bound keeps a frame nobody may send from being buffered at all.
- A WebSocket peer that breaks the protocol (a message over the limit, invalid UTF-8, a
  compressed frame nobody negotiated) gets a close frame with the reason's code (1009,
  1007, 1002) instead of a silently dropped connection, so the browser client can tell it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

# daphne.cli imports daphne.server, which installs the asyncio reactor: it must come
# before anything imports twisted.internet.reactor.
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory
from daphne.server import Server
from twisted.internet.base import DelayedCall
from twisted.web.http import HTTPChannel, _GenericHTTPChannelProtocol

logger = logging.getLogger("madang.serve")

HEADER_TIMEOUT_ENV = "MADANG_HEADER_TIMEOUT"
DEFAULT_HEADER_TIMEOUT = 10.0
MAX_WEBSOCKET_MESSAGE_BYTES = 256 * 1024
REQUEST_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
)


class HeaderDeadlineChannel(HTTPChannel):
    """An HTTP/1.1 connection whose every request must bring all its headers in time."""

    def __init__(self, header_timeout: float) -> None:
        super().__init__()
        self.header_timeout = header_timeout
        self._header_deadline: DelayedCall | None = None
        self._request_started = False

    def connectionMade(self) -> None:
        super().connectionMade()
        self._arm_header_deadline()

    def dataReceived(self, data: bytes) -> None:
        if self._header_deadline is not None:
            self._request_started = True
        super().dataReceived(data)

    def allHeadersReceived(self) -> None:
        self._disarm_header_deadline()
        super().allHeadersReceived()

    def requestDone(self, request: Any) -> None:
        # Armed before Twisted parses any pipelined bytes it buffered, so a next request
        # that is already complete disarms it at once.
        if self.persistent:
            self._arm_header_deadline()
        super().requestDone(request)

    def setTimeout(self, period: float | None) -> float | None:
        # Twisted turns the idle timeout off once the headers are in, when the connection
        # is lost, and when HTTP/2 takes the connection over from this channel; the header
        # deadline has no business after any of those.
        if period is None:
            self._disarm_header_deadline()
        return super().setTimeout(period)  # type: ignore[no-any-return]

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._request_started = False
        self._header_deadline = self.callLater(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            if self._header_deadline.active():
                self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        transport: Any = self.transport  # zope interfaces confuse mypy
        logger.info(
            "closing %s: no complete request headers within %g s",
            transport.getPeer(),
            self.header_timeout,
        )
        if self._request_started:
            transport.write(REQUEST_TIMEOUT_RESPONSE)
        self.loseConnection()
        # As after Twisted's own idle timeout: a peer that never lets go is cut off.
        if self.abortTimeout is not None and self._abortingCall is None:
            self._abortingCall = self.callLater(self.abortTimeout, self.forceAbortClient)


class HeaderDeadlineHTTPFactory(HTTPFactory):  # type: ignore[misc]
    """Daphne's HTTP factory, building connections that enforce the header deadline."""

    def __init__(self, server: Server, header_timeout: float) -> None:
        super().__init__(server)
        self.header_timeout = header_timeout

    def protocol(self) -> _GenericHTTPChannelProtocol:
        # The generic wrapper keeps Twisted's switch to HTTP/2 when TLS negotiates it.
        return _GenericHTTPChannelProtocol(HeaderDeadlineChannel(self.header_timeout))


class MadangServer(Server):  # type: ignore[misc]
    """Daphne's server with the header deadline and WebSocket close frames on failure.

    ``Server.run()`` builds both factories itself and listens at once; these properties
    adapt each factory as ``run()`` assigns it, before any connection is accepted.
    """

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        self.header_timeout = header_timeout
        super().__init__(*args, **kwargs)

    @property
    def http_factory(self) -> HTTPFactory:
        return self._http_factory

    @http_factory.setter
    def http_factory(self, factory: HTTPFactory) -> None:
        self._http_factory = HeaderDeadlineHTTPFactory(self, self.header_timeout)

    @property
    def ws_factory(self) -> Any:
        return self._ws_factory

    @ws_factory.setter
    def ws_factory(self, factory: Any) -> None:
        # Autobahn's default drops the TCP connection on a protocol failure; a close frame
        # with its code (1009 too large, 1007 invalid UTF-8, 1002) tells the client why.
        # Daphne's own options, set right after this, leave failByDrop alone.
        factory.setProtocolOptions(failByDrop=False)
        self._ws_factory = factory


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"not a number of seconds: {text!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"must be a positive number of seconds: {text!r}")
    return seconds


def _header_timeout_argument(text: str) -> float:
    try:
        return _seconds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class MadangCommandLineInterface(CommandLineInterface):  # type: ignore[misc]
    """Daphne's command line with Madang's defaults and ``--header-timeout``."""

    description = "Madang's HTTP/WebSocket server (Daphne with Madang's limits)"

    def __init__(self) -> None:
        super().__init__()
        self.parser.prog = "python -m madang.serve"
        self.parser.add_argument(
            "--header-timeout",
            type=_header_timeout_argument,
            default=None,
            help="Seconds a client has to send all headers of a request (the WebSocket "
            "handshake included) after connecting or after its previous request; then the "
            f"connection is closed. Default: ${HEADER_TIMEOUT_ENV}, else "
            f"{DEFAULT_HEADER_TIMEOUT:g}.",
        )
        self.parser.set_defaults(
            websocket_max_message_size=MAX_WEBSOCKET_MESSAGE_BYTES,
            websocket_max_frame_size=MAX_WEBSOCKET_MESSAGE_BYTES,
        )
        self.header_timeout = DEFAULT_HEADER_TIMEOUT

    def run(self, args: list[str]) -> None:
        options = self.parser.parse_args(args)
        if options.header_timeout is not None:
            self.header_timeout = options.header_timeout
        elif os.environ.get(HEADER_TIMEOUT_ENV, "").strip():
            try:
                self.header_timeout = _seconds(os.environ[HEADER_TIMEOUT_ENV].strip())
            except ValueError as error:
                self.parser.error(f"{HEADER_TIMEOUT_ENV}: {error}")
        super().run(args)

    def server_class(self, **options: Any) -> MadangServer:
        """What Daphne's ``run()`` calls to build its server."""
        return MadangServer(header_timeout=self.header_timeout, **options)


def main(argv: list[str] | None = None) -> None:
    MadangCommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
