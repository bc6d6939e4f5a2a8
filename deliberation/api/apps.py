from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "deliberation.api"
    label = "api"
    verbose_name = _("외부 시스템 API")
