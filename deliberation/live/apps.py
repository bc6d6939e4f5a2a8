from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "deliberation.live"
    label = "live"
    verbose_name = _("라이브 회의실")
