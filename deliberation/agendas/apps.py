from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendasConfig(AppConfig):
    name = "deliberation.agendas"
    label = "agendas"
    verbose_name = _("의제와 회의")
