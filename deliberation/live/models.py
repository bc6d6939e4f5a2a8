"""The live room's record: every broadcast event, numbered by the room's sequence."""

from __future__ import annotations

from django.db import models

from deliberation.agendas.models import Session


class RoomEvent(models.Model):
    """One event the room broadcast, stored before anyone saw it; replayed on resume."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="room_event_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.type}"
