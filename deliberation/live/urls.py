from __future__ import annotations

app_name = "live"

urlpatterns: list = []
