"""Names kept in Korean with an optional English form."""

from __future__ import annotations

from django.utils.translation import get_language


class BilingualName:
    """Mixin for models with `name` and `name_en` fields."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        """The name in the reader's language: English when asked for and known."""
        if self.name_en and (get_language() or "ko").startswith("en"):
            return self.name_en
        return self.name
