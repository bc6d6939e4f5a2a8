"""Access changes made outside the room reach the room within a second.

A role change, deactivation or revoked resident cookie (User saved) and a sign-out make
every room the person is in re-check their access now; each room hub's once-a-second
sweep catches anything changed without a signal.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from deliberation.agendas.models import Session
from deliberation.people.models import User

from . import broadcast
from .models import Participant

_OPEN = (Session.State.LIVE, Session.State.PAUSED, Session.State.SCHEDULED)


def _recheck_rooms_of(user_id: int) -> None:
    for session_id in Participant.objects.filter(
        person_id=user_id, session__state__in=_OPEN
    ).values_list("session_id", flat=True):
        broadcast.access_recheck(session_id=session_id, user_id=user_id)


@receiver(post_save, sender=User, dispatch_uid="live.user_saved")
def user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if not created:
        _recheck_rooms_of(instance.pk)


@receiver(user_logged_out, dispatch_uid="live.user_logged_out")
def user_signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and getattr(user, "pk", None):
        _recheck_rooms_of(user.pk)
