from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "deliberation.digests"
    label = "digests"
    verbose_name = _("요약 보고와 외교부 답변")

    def ready(self) -> None:
        # Registers the digest.progress event in the live room's table of events.
        from . import events  # noqa: F401
