"""Every event type round-trips through JSON; the action table is explicit."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import orjson
import pytest

from deliberation.live import actions
from deliberation.live.events import EVENT_TYPES, Event, encode

SAMPLES: dict[object, object] = {
    int: 7,
    str: "발언",
    bool: True,
    int | None: 3,
    dict[str, Any]: {"id": 1, "text": "가나다"},
    list[dict[str, Any]]: [{"user_id": 1, "nickname": "앨리스"}],
    dict[str, dict[str, int]]: {"1": {"공감": 2}},
    list[list[Any]]: [[1, "공감"]],
    dict[str, Any] | None: {"pending": []},
}


LIVE_EVENTS = sorted(
    name for name, cls in EVENT_TYPES.items() if cls.__module__ == "deliberation.live.events"
)


@pytest.mark.parametrize("event_type", LIVE_EVENTS)
def test_event_round_trips_through_json(event_type: str) -> None:
    cls = EVENT_TYPES[event_type]
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        assert hint in SAMPLES, f"add a sample for {hint}"
        kwargs[f.name] = SAMPLES[hint]
    event = cls(**kwargs)
    text = encode(event.to_dict())
    assert "\\u" not in text  # Korean travels as UTF-8, not ASCII escapes
    back = Event.from_dict(orjson.loads(text))
    assert back == event and back.type == event_type


def test_the_action_table_holds_only_registered_names() -> None:
    table = actions.action_table()
    assert "statement.post" in table and "floor.grant" in table
    for internal in ("websocket.disconnect", "websocket.receive", "room.broadcast", "run", "push"):
        assert actions.lookup(internal) is None
    with pytest.raises(ValueError):
        actions.register_action("statement.post", lambda ctx, p: {})
