from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "deliberation.live"
    label = "live"
    verbose_name = _("라이브 회의실")

    def ready(self) -> None:
        from deliberation.agendas import services as agenda_services

        from . import actions, moderation, signals

        del actions, signals  # imported for their registrations
        agenda_services.on_session_transition(moderation.on_session_transition)
        agenda_services.on_agenda_update(moderation.on_agenda_update)
