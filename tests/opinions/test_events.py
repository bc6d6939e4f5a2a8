"""Every opinion-map event survives the trip through JSON unchanged."""

from __future__ import annotations

import orjson

from deliberation.live.events import EVENT_TYPES, Event, encode
from deliberation.opinions import events

SAMPLES: list[Event] = [
    events.OpinionConfig(voting=True, featured={"id": 3, "text": "야간 버스", "author": "주민"}),
    events.OpinionCounts(counts={"3": [2, 1, 0]}),
    events.OpinionGroups(summary={"groups": [{"id": 0, "size": 4, "representative": []}]}),
    events.OpinionMapDots(dots=[[0.5, -1.0, 0], [0.1, 0.2, None]], version="abc"),
    events.OpinionMine(group=1),
]


def test_every_event_round_trips_through_json() -> None:
    mine = {n for n, c in EVENT_TYPES.items() if c.__module__ == "deliberation.opinions.events"}
    assert mine == {e.type for e in SAMPLES}
    for event in SAMPLES:
        data = orjson.loads(encode(event.to_dict()))
        assert Event.from_dict(data) == event
