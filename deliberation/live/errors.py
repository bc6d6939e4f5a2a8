"""The one error type of the live room: a protocol error code with a Korean message."""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    """Refuse an action: nothing stored changed; the client gets ``code`` and ``message``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        **extra: Any,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.extra = extra

    def payload(self, request_id: str | None) -> dict[str, Any]:
        return {
            "type": "error",
            "id": request_id,
            "code": self.code,
            "message": str(self.message),
            "retryable": self.retryable,
            **self.extra,
        }
