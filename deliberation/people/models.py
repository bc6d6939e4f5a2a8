"""Organisations, municipality profiles and people."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.common.names import BilingualName


class Organisation(BilingualName, models.Model):
    """The ministry, a municipality (광역 or 시·군·구) or a university centre."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("외교부")
        METROPOLITAN = "metropolitan", _("광역자치단체")
        LOCAL = "local", _("기초자치단체(시·군·구)")
        CENTRE = "centre", _("지역 국민외교센터")

    # Unique within its parent: 중구 is a district of several cities.
    name = models.CharField(_("이름"), max_length=100)
    name_en = models.CharField(_("영문 이름"), max_length=100, blank=True)
    kind = models.CharField(_("종류"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("상위 기관"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("기관")
        verbose_name_plural = _("기관")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="organisation_top_level_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """A district with its province ("부산광역시 중구"): unambiguous where names repeat."""
        if self.kind == self.Kind.LOCAL and self.parent_id is not None and self.parent is not None:
            return f"{self.parent.display_name} {self.display_name}"
        return self.display_name

    @property
    def is_municipality(self) -> bool:
        return self.kind in (self.Kind.METROPOLITAN, self.Kind.LOCAL)

    def lineage_ids(self) -> list[int]:
        """This organisation and every ancestor, nearest first."""
        ids: list[int] = []
        node: Organisation | None = self
        while node is not None and node.pk not in ids:
            ids.append(node.pk)
            node = node.parent
        return ids


class MunicipalityProfile(models.Model):
    """A municipality's readiness for people's diplomacy, after the policy brief's criteria."""

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("준비기")
        PIONEERING = "pioneering", _("개척·도약기")
        ADVANCED = "advanced", _("고도화")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="profile"
    )
    exchange_partners = models.JSONField(
        _("해외 교류 도시"),
        default=list,
        blank=True,
        help_text=_('[{"city": "...", "country": "...", "kind": "sister|friendship"}]'),
    )
    international_team_size = models.PositiveSmallIntegerField(_("국제교류 담당 인원"), default=0)
    has_exchange_ordinance = models.BooleanField(_("국제교류 조례"), default=False)
    friendly_city_designated = models.BooleanField(_("국민외교 친화도시 지정"), default=False)
    cooperation_stage = models.CharField(
        _("협력 단계"), max_length=20, choices=Stage.choices, default=Stage.PREPARING
    )

    class Meta:
        verbose_name = _("지자체 프로필")
        verbose_name_plural = _("지자체 프로필")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def sister_cities(self) -> list[dict[str, str]]:
        return [p for p in self.exchange_partners if p.get("kind") == "sister"]

    @property
    def friendship_cities(self) -> list[dict[str, str]]:
        return [p for p in self.exchange_partners if p.get("kind") == "friendship"]


class User(AbstractUser):
    """Everyone who uses Madang. Residents may have no password at all."""

    class Role(models.TextChoices):
        RESIDENT = "resident", _("주민")
        FACILITATOR = "facilitator", _("진행자")
        MINISTRY = "ministry", _("외교부 담당자")
        ADMIN = "admin", _("관리자")

    class AgeBand(models.TextChoices):
        UNDER_20 = "u20", _("20세 미만")
        TWENTIES = "20s", _("20대")
        THIRTIES = "30s", _("30대")
        FORTIES = "40s", _("40대")
        FIFTIES = "50s", _("50대")
        SIXTY_PLUS = "60p", _("60세 이상")

    class Clearance(models.TextChoices):
        PUBLIC = "public", _("공개")
        INTERNAL = "internal", _("내부")
        RESTRICTED = "restricted", _("비공개")

    role = models.CharField(_("역할"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("소속 기관"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    nickname = models.CharField(_("닉네임"), max_length=30, blank=True)
    region = models.ForeignKey(
        Organisation,
        verbose_name=_("지역"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    age_band = models.CharField(
        _("연령대(선택)"), max_length=4, choices=AgeBand.choices, blank=True
    )
    clearance = models.CharField(
        _("열람 등급"),
        max_length=12,
        choices=Clearance.choices,
        default=Clearance.PUBLIC,
        help_text=_("외교부 담당자가 볼 수 있는 가장 높은 공개 수준"),
    )
    # Bumped on sign-out or ban: every resident cookie and socket signed before it dies.
    token_version = models.PositiveIntegerField(default=0)
    # The browser (signed device cookie) a quick-join identity was made on: votes, support
    # and poll answers of quick-join residents count once per device, and bans hold it.
    device_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = _("사용자")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.nickname or self.get_full_name() or self.username

    @property
    def is_resident(self) -> bool:
        return self.role == self.Role.RESIDENT

    @property
    def is_facilitator(self) -> bool:
        return self.role == self.Role.FACILITATOR

    @property
    def is_ministry(self) -> bool:
        return self.role == self.Role.MINISTRY

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def has_account(self) -> bool:
        """Signs in with a username and password (staff, or a resident who attached one)."""
        return not self.is_resident or self.has_usable_password()
