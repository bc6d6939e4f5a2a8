from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalDataConfig(AppConfig):
    name = "deliberation.personal_data"
    label = "personal_data"
    verbose_name = _("개인정보 보호")
