"""HTTP routing. Static files are served by WhiteNoise (see settings)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from deliberation.live.looplag import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ops/metrics", metrics, name="ops_metrics"),
    path("", include("deliberation.people.urls")),
    path("", include("deliberation.agendas.urls")),
    path("", include("deliberation.live.urls")),
    path("", include("deliberation.structured.urls")),
    path("", include("deliberation.analysis.urls")),
    path("", include("deliberation.digests.urls")),
    path("", include("deliberation.personal_data.urls")),
    path("", include("deliberation.api.urls")),
    path("", include("deliberation.screening.urls")),
    path("", include("deliberation.programmes.urls")),
]
