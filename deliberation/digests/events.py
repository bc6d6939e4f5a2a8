"""Events the digests sub-app sends to a room's facilitators (documented in docs/protocol.md)."""

from __future__ import annotations

import dataclasses

from deliberation.live.events import Event, register_event


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class DigestProgress(Event):
    """How far the draft digest of this session has been built (staff only, unnumbered)."""

    type = "digest.progress"
    digest_id: int
    state: str  # running | done | failed
    percent: int
    stage: str = ""
    url: str = ""
