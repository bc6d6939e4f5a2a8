from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "deliberation.people"
    label = "people"
    verbose_name = _("사람과 기관")
