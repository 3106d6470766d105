"""Scoring: each year's scheme (data, not code), the stored scorecards the roll-up writes at
every level, the roll-up runs, and the demonstration villages named from the scorecards.

Pages, exports and the API read the stored scorecards only; nothing here is computed on a
page view (see ``rollup.py`` for how the tables are filled).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import ScopedQuerySet
from wuqiang.entries.models import Pillar
from wuqiang.regions.models import Level

PILLAR_TOTAL = Decimal(20)


class Rule(models.TextChoices):
    """How an indicator's value turns into points."""

    YES_NO = "yes_no", _("Yes = full points")
    LINEAR = "linear", _("Linear between two values")
    BANDS = "bands", _("Points by bands")


class VetoCode(models.TextChoices):
    """一票否决 items: any one caps the village's grade at 未达标."""

    WEAK_UNRECTIFIED = "weak_unrectified", _("Listed as weak and lax, not rectified")
    INCOME_BELOW_10 = "income_below_10", _("Operating income below 100,000 yuan")
    MAJOR_INCIDENT = "major_incident", _("Major incident in the year")


class Grade(models.TextChoices):
    """The four grades of the 五强 assessment, best first."""

    EXEMPLARY = "exemplary", _("Five-strong exemplary")  # 五强示范
    PASS = "pass", _("Up to standard")  # 达标
    BASIC = "basic", _("Basically up to standard")  # 基本达标
    FAIL = "fail", _("Not up to standard")  # 未达标


class FailKind(models.TextChoices):
    """Why a village is 未达标, one reason each, in this order: a veto item decides whatever the
    points; else a pillar not yet approved (it scores 0, so the total says little); else the
    points alone are below the basic line."""

    VETOED = "vetoed", _("Veto items")
    INCOMPLETE = "incomplete", _("Pillars not approved")
    BELOW = "below", _("Below the basic line")



def _points_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=2, **kwargs)


class Scheme(models.Model):
    """One municipality's scoring scheme for one assessment year: indicators, points, vetoes and
    grade lines.

    Copied from the municipality's previous year when first needed, editable by its municipal
    staff until the municipality publishes the year, frozen afterwards. Read by everyone inside
    the municipality (a village scorecard explains its points by it)."""

    scope_paths = {
        Level.MUNICIPALITY: "municipality_id",
        Level.COUNTY: "municipality__counties",
        Level.TOWNSHIP: "municipality__counties__townships",
        Level.VILLAGE: "municipality__counties__villages",
    }

    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="schemes",
                                     verbose_name=_("municipality"))
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="schemes",
                             verbose_name=_("year"))
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("copied from"))
    pillar_total = _points_field(_("points per pillar"), default=PILLAR_TOTAL, editable=False)
    exemplary_total = _points_field(_("exemplary: total at least"), default=Decimal(90))
    exemplary_pillar_min = _points_field(_("exemplary: every pillar at least"), default=Decimal(16))
    pass_total = _points_field(_("up to standard: total at least"), default=Decimal(75))
    basic_total = _points_field(_("basically up to standard: total at least"), default=Decimal(60))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"), editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="scheme_unique_per_municipality")]

    def __str__(self) -> str:
        return str(_("Scoring scheme %(year)s") % {"year": self.year_id})


class SchemeIndicator(models.Model):
    """One scored indicator of a year's scheme (e.g. O1 一肩挑, 3 points, yes = full)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators",
                               verbose_name=_("scheme"))
    code = models.CharField(_("code"), max_length=8)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar)
    # The Chinese name is data here (it is what the campaign calls the indicator).
    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("rule"), max_length=8, choices=Rule)
    # linear: {"low": 0, "high": 1, "none_full": false}; bands: {"bands": [[threshold, points], …]}.
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    points = _points_field(_("points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scheme indicator")
        verbose_name_plural = _("scheme indicators")
        ordering = ["scheme", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_indicator_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def none_full(self) -> bool:
        return bool((self.params or {}).get("none_full", False))


class SchemeVeto(models.Model):
    """Whether a veto item (一票否决) applies in a year's scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="vetoes", verbose_name=_("scheme"))
    code = models.CharField(_("veto"), max_length=24, choices=VetoCode)
    enabled = models.BooleanField(_("applies"), default=True)

    class Meta:
        verbose_name = _("scheme veto")
        verbose_name_plural = _("scheme vetoes")
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_veto_unique_code")]

    def __str__(self) -> str:
        return str(self.get_code_display())


# --- Stored results ----------------------------------------------------------------------


class DerivedVillageRow(models.Model):
    """A row the roll-up derives for one village in one year (an indicator score, a path, a path
    step): rewritten whole from rows that exist, so the foreign keys carry neither an index of
    their own (each model's unique or (year, village) index serves every read) nor a database
    constraint, whose deferred per-row checks would double the commit time. Scoped through the
    village unless the row stores the units itself."""

    scope_paths = {
        Level.MUNICIPALITY: "village__county__municipality_id",
        Level.COUNTY: "village__county_id",
        Level.TOWNSHIP: "village__township_id",
        Level.VILLAGE: "village_id",
    }

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"), db_index=False, db_constraint=False)
    village = models.ForeignKey("regions.Village", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("village"), db_index=False, db_constraint=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class DerivedVillageView(DerivedVillageRow):
    """Rows of a read-only database view over the stored results (an unmanaged model with a
    composite key). Nothing cascades to a view: its rows go with the rows they are read from
    (deleting a village or a year deletes those)."""

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.DO_NOTHING, related_name="+",
                             verbose_name=_("year"), db_index=False, db_constraint=False)
    village = models.ForeignKey("regions.Village", on_delete=models.DO_NOTHING, related_name="+",
                                verbose_name=_("village"), db_index=False, db_constraint=False)

    class Meta:
        abstract = True


def _denominator_field() -> models.FloatField:
    # The base of a ratio indicator's value (households, grids, 32 meetings, last year's income…),
    # so that the count behind the value is value × denominator; NULL for other indicators.
    return models.FloatField(_("denominator"), null=True)


class WrittenJSONField(models.JSONField):
    """JSON stored as written: PostgreSQL ``json`` (text), not ``jsonb`` (migrations 0010–0012
    stored the indicator scores so; kept for them). Building ``jsonb``
    converts every number to NUMERIC and costs the roll-up 35 s at 490,000 villages against
    20 s for the text; the stored scores are only ever read whole or through a view. (SQLite
    stores JSON as text either way.)"""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor == "postgresql" and value is not None:
            from psycopg.types.json import Json

            return Json(value, dumps=lambda obj: json.dumps(obj, cls=self.encoder))
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        # psycopg reads ``json`` into Python values itself (Django reads ``jsonb`` as text).
        if value is None or not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)


class ScoreArrayField(models.Field):
    """A list with one element per position of an :class:`IndicatorLayout`: a PostgreSQL array
    of ``element_type`` (built with ``ARRAY[…]``: no number is printed as text, which cost the
    roll-up twice as much as JSON at 490,000 villages), a JSON array on SQLite, where floats go
    in as 17-digit text (``sql.json_float``: its JSON functions print REAL with 15 digits).
    Written by the roll-up's SQL (``sql.array``) and read through views; the Python side is for
    migrations and test fixtures."""

    FLOAT = "double precision"

    def __init__(self, *args, element_type: str = FLOAT, **kwargs):
        self.element_type = element_type
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["element_type"] = self.element_type
        return name, path, args, kwargs

    def db_type(self, connection):
        return f"{self.element_type}[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or connection.vendor == "postgresql":
            return value
        return json.dumps([self._json_element(v) for v in value])

    def _json_element(self, value):
        if value is None or isinstance(value, str):
            return value
        if self.element_type == self.FLOAT:
            return format(float(value), ".17g")
        return float(value)  # numeric(…, 2): a JSON number, as the roll-up's json_array writes it

    def from_db_value(self, value, expression, connection):
        if value is None or not isinstance(value, str):
            return value  # psycopg reads arrays into lists itself
        elements = json.loads(value)
        if self.element_type == self.FLOAT:
            return [None if v is None else float(v) for v in elements]
        return elements


class IndicatorLayout(models.Model):
    """Which indicator each position of :class:`VillageIndicators`' arrays holds, and the pillar
    its points count towards. Never changed once written: a scheme edited later gets a layout
    of its own, so rows stored before still read right. A few per municipality and year."""

    # "pillar:code,pillar:code,…", in position order: the layout's identity.
    signature = models.TextField(_("signature"), unique=True)
    codes = ScoreArrayField(_("indicators"), element_type="varchar(8)")
    pillars = ScoreArrayField(_("pillars"), element_type="varchar(16)")

    class Meta:
        verbose_name = _("indicator layout")
        verbose_name_plural = _("indicator layouts")

    def __str__(self) -> str:
        return self.signature

    @staticmethod
    def signature_of(pairs: list[tuple[str, str]]) -> str:
        return ",".join(f"{pillar}:{code}" for pillar, code in pairs)


class VillageIndicators(DerivedVillageRow):
    """Every indicator's value and points for one village in one year, from approved data only,
    stored compactly: one row per village and year, not one per indicator. The roll-up writes
    it in one statement; at 490,000 villages one row per indicator would be 17 million rows
    written (and deleted) per run.

    Position *i* of each array belongs to the indicator at position *i* of the row's
    ``layout``; all five are NULL there where the indicator is absent (the pillar whose records
    it reads is not approved). Read it through :class:`VillageIndicatorScore`, a database view
    with one row per indicator."""

    layout = models.ForeignKey(IndicatorLayout, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("indicator layout"), db_index=False, db_constraint=False)
    value_array = ScoreArrayField(_("values"))
    points_array = ScoreArrayField(_("points"), element_type="numeric(6, 2)")
    denominator_array = ScoreArrayField(_("denominators"))
    basis_array = ScoreArrayField(_("bases"), element_type="varchar(32)")
    reference_array = ScoreArrayField(_("reference values"), element_type="numeric(14, 2)")

    class Meta:
        verbose_name = _("village indicator scores")
        verbose_name_plural = _("village indicator scores")
        constraints = [models.UniqueConstraint(fields=["year", "village"], name="village_indicators_unique")]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id}"


# VillageIndicatorScore's rows: one per position of a stored row's layout where the indicator is
# present. Defined once here; migration 0012 creates it.
INDICATOR_SCORES_VIEW = {
    "postgresql": """
        CREATE VIEW scoring_villageindicatorscore AS
        SELECT s.year_id, s.village_id, l.codes[i] AS code, l.pillars[i] AS pillar, s.value_array[i] AS value,
               s.points_array[i] AS points, s.denominator_array[i] AS denominator, s.basis_array[i] AS basis,
               s.reference_array[i] AS reference
        FROM scoring_villageindicators s INNER JOIN scoring_indicatorlayout l ON l.id = s.layout_id
        CROSS JOIN LATERAL generate_subscripts(l.codes, 1) AS i
        WHERE s.points_array[i] IS NOT NULL""",
    "sqlite": """
        CREATE VIEW scoring_villageindicatorscore AS
        SELECT s.year_id, s.village_id, c.value AS code, json_extract(l.pillars, '$[' || c.key || ']') AS pillar,
               CAST(json_extract(s.value_array, '$[' || c.key || ']') AS REAL) AS value,
               json_extract(s.points_array, '$[' || c.key || ']') AS points,
               CAST(json_extract(s.denominator_array, '$[' || c.key || ']') AS REAL) AS denominator,
               json_extract(s.basis_array, '$[' || c.key || ']') AS basis,
               json_extract(s.reference_array, '$[' || c.key || ']') AS reference
        FROM scoring_villageindicators s INNER JOIN scoring_indicatorlayout l ON l.id = s.layout_id,
             json_each(l.codes) c
        WHERE json_extract(s.points_array, '$[' || c.key || ']') IS NOT NULL""",
}


class VillageIndicatorScore(DerivedVillageView):
    """One indicator's value and points for one village in one year: a read-only database view
    over :class:`VillageIndicators` (``INDICATOR_SCORES_VIEW``, created by migration
    ``scoring/0012``), so pages, reports, the API, the paths and the what-if preview read one row
    per indicator while the roll-up writes one row per village.

    Derived data (see DerivedVillageRow); VillageVeto and VillageScorecard are kept the same way."""

    pk = models.CompositePrimaryKey("year_id", "village_id", "code")
    code = models.CharField(_("indicator"), max_length=8)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar)
    # NULL means "none" (a ratio with nothing to count); the rule says what that scores.
    value = models.FloatField(_("value"), null=True)
    denominator = _denominator_field()
    points = _points_field(_("points"))
    # What the value was measured against, where the indicator says (S1: which pay standard
    # applied and which pillar stated the 一肩挑 fact); codes explained by the indicator's registry.
    basis = models.CharField(_("basis"), max_length=32, blank=True, default="")
    reference = models.DecimalField(_("reference value"), max_digits=14, decimal_places=2, null=True)

    class Meta:
        managed = False
        db_table = "scoring_villageindicatorscore"
        verbose_name = _("village indicator score")
        verbose_name_plural = _("village indicator scores")

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id} · {self.code}"


class VillageVeto(models.Model):
    """A veto item (一票否决) that applies to a village in a year."""

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"), db_index=False, db_constraint=False)
    village = models.ForeignKey("regions.Village", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("village"), db_index=False, db_constraint=False)
    code = models.CharField(_("veto"), max_length=24, choices=VetoCode)

    class Meta:
        verbose_name = _("village veto")
        verbose_name_plural = _("village vetoes")
        constraints = [models.UniqueConstraint(fields=["year", "village", "code"], name="village_veto_unique")]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id} · {self.code}"


class Figures(models.Model):
    """SPEC §7's key figures, counted from approved entries only, like the scores.

    At village level the yes/no figures are 0 or 1; at every level above they are sums, and
    pay is kept as sum and count so each level's mean is exact."""

    combined = models.PositiveIntegerField(_("secretary is also director"), default=0)
    competition = models.PositiveIntegerField(_("secretary took part in the competition"), default=0)
    sent_down_in_post = models.PositiveIntegerField(_("first secretaries and work-team members in post"), default=0)
    leader_trainees = models.PositiveIntegerField(_("leading-talent trainees"), default=0)
    reserve_trainees = models.PositiveIntegerField(_("reserve trainees"), default=0)
    trainees_now_cadre = models.PositiveIntegerField(_("trainees now on the village committees"), default=0)
    instructors_in_post = models.PositiveIntegerField(_("rural revitalisation instructors in post"), default=0)
    tech_commissioners_in_post = models.PositiveIntegerField(_("science and technology commissioners in post"),
                                                             default=0)
    demonstration_bases = models.PositiveIntegerField(_("collective-economy demonstration bases"), default=0)
    operating_income = models.DecimalField(_("operating income (10,000 yuan)"), max_digits=16, decimal_places=2,
                                           null=True)
    income_above_50 = models.PositiveIntegerField(_("villages with operating income above 500,000 yuan"),
                                                  default=0)
    income_below_10 = models.PositiveIntegerField(_("villages with operating income below 100,000 yuan"),
                                                  default=0)
    pay_combined_sum = models.BigIntegerField(_("monthly pay of secretary-directors, sum"), default=0)
    pay_combined_count = models.PositiveIntegerField(_("secretary-directors with pay"), default=0)
    pay_principal_sum = models.BigIntegerField(_("monthly pay of secretaries and directors, sum"), default=0)
    pay_principal_count = models.PositiveIntegerField(_("secretaries and directors with pay"), default=0)
    pay_deputy_sum = models.BigIntegerField(_("monthly pay of deputies and members, sum"), default=0)
    pay_deputy_count = models.PositiveIntegerField(_("deputies and members with pay"), default=0)

    # The figure columns, in the order the roll-up writes them.
    FIGURE_FIELDS = (
        "combined", "competition", "sent_down_in_post", "leader_trainees", "reserve_trainees",
        "trainees_now_cadre", "instructors_in_post", "tech_commissioners_in_post", "demonstration_bases",
        "operating_income", "income_above_50", "income_below_10", "pay_combined_sum", "pay_combined_count",
        "pay_principal_sum", "pay_principal_count", "pay_deputy_sum", "pay_deputy_count",
    )
    # Figures with no sensible zero: left NULL where nothing approved reports them.
    NULLABLE_FIGURES = frozenset({"operating_income"})

    class Meta:
        abstract = True

    @staticmethod
    def _mean(total: int, count: int) -> Decimal | None:
        return (Decimal(total) / count).quantize(Decimal("0.01")) if count else None

    @property
    def mean_pay_combined(self) -> Decimal | None:
        return self._mean(self.pay_combined_sum, self.pay_combined_count)

    @property
    def mean_pay_principal(self) -> Decimal | None:
        return self._mean(self.pay_principal_sum, self.pay_principal_count)

    @property
    def mean_pay_deputy(self) -> Decimal | None:
        return self._mean(self.pay_deputy_sum, self.pay_deputy_count)


class ScorecardQuerySet(ScopedQuerySet):
    def for_year(self, year) -> ScorecardQuerySet:
        return self.filter(year_id=getattr(year, "year", year))


class VillageScorecard(Figures):
    """One village's stored result for a year: pillar scores, total, grade, vetoes, figures."""

    scope_paths = {
        Level.MUNICIPALITY: "municipality_id",
        Level.COUNTY: "county_id",
        Level.TOWNSHIP: "township_id",
        Level.VILLAGE: "village_id",
    }

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"), db_index=False, db_constraint=False)
    village = models.ForeignKey("regions.Village", on_delete=models.CASCADE, related_name="scorecards",
                                verbose_name=_("village"), db_index=False, db_constraint=False)
    township = models.ForeignKey("regions.Township", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("township"), db_index=False, db_constraint=False)
    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"), db_index=False, db_constraint=False)
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"), db_index=False, db_constraint=False)
    organizations = _points_field(_("organisational function"), default=0)
    talent = _points_field(_("talent team"), default=0)
    economy = _points_field(_("collective economy"), default=0)
    governance = _points_field(_("governance"), default=0)
    support = _points_field(_("support"), default=0)
    total = _points_field(_("total"), default=0)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade, default=Grade.FAIL)
    # Comma-separated VetoCode values ("" when none); see veto_codes.
    vetoes = models.CharField(_("veto items"), max_length=100, blank=True, default="")
    approved_pillars = models.PositiveSmallIntegerField(_("approved pillars"), default=0)
    rank = models.PositiveIntegerField(_("rank in township"), null=True)
    total_change = models.DecimalField(_("change of total against last year"), max_digits=7, decimal_places=2,
                                       null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = _("village scorecard")
        verbose_name_plural = _("village scorecards")
        ordering = ["year", "village__code"]
        constraints = [models.UniqueConstraint(fields=["year", "village"], name="village_scorecard_unique")]
        indexes = [
            models.Index(fields=["year", "township", "rank"], name="village_sc_township_idx"),
            # A unit's villages of one grade in the failing list's order (vetoed first, then
            # incomplete, then lowest total): the dashboard reads its first rows and counts the
            # kinds from the index alone, however many villages the unit has. The county's is
            # also how everything else finds a county's villages (a one-county roll-up, county
            # users' lists); the municipality's serves only the failing list, so it holds only
            # failing villages and the roll-up skips it for every other (9 in 10 in the
            # synthetic city): a city's other reads take most of its rows anyway.
            models.Index(fields=["year", "county", "grade", "-vetoes", "approved_pillars", "total"],
                         name="village_sc_county_fail_idx"),
            models.Index(fields=["year", "municipality", "-vetoes", "approved_pillars", "total"],
                         condition=Q(grade=Grade.FAIL), name="village_sc_mun_fail_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id}"

    @property
    def unit(self):
        return self.village

    @property
    def veto_codes(self) -> list[str]:
        return [c for c in self.vetoes.split(",") if c]

    @property
    def veto_labels(self) -> list[str]:
        labels = dict(VetoCode.choices)
        return [labels.get(c, c) for c in self.veto_codes]

    @property
    def completeness(self) -> Decimal:
        """Approved pillars as a percentage of the five."""
        return Decimal(self.approved_pillars * 20)

    def pillar_scores(self) -> list[tuple[str, Decimal]]:
        return [(p, getattr(self, p)) for p in Pillar.values]


class UnitScorecard(Figures):
    """What every level above the village stores: means, grade counts, rank, change, figures."""

    unit_field: str
    parent_field: str | None = None

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    villages = models.PositiveIntegerField(_("villages"), default=0)
    mean_total = _points_field(_("mean total"), default=0)
    mean_organizations = _points_field(_("mean organisational function"), default=0)
    mean_talent = _points_field(_("mean talent team"), default=0)
    mean_economy = _points_field(_("mean collective economy"), default=0)
    mean_governance = _points_field(_("mean governance"), default=0)
    mean_support = _points_field(_("mean support"), default=0)
    n_exemplary = models.PositiveIntegerField(_("five-strong exemplary"), default=0)
    n_pass = models.PositiveIntegerField(_("up to standard"), default=0)
    n_basic = models.PositiveIntegerField(_("basically up to standard"), default=0)
    n_fail = models.PositiveIntegerField(_("not up to standard"), default=0)
    # Mean of approved pillars / 5, as a percentage.
    mean_completeness = models.DecimalField(_("completeness (%)"), max_digits=5, decimal_places=2, default=0)
    veto_villages = models.PositiveIntegerField(_("villages with a veto item"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    total_change = models.DecimalField(_("change of mean total against last year"), max_digits=7,
                                       decimal_places=2, null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, f'{self.unit_field}_id')} · {self.year_id}"

    @property
    def unit(self):
        return getattr(self, self.unit_field)

    @property
    def combined_share(self) -> Decimal | None:
        """一肩挑 villages as a percentage of all villages."""
        return (Decimal(self.combined * 100) / self.villages).quantize(Decimal("0.01")) if self.villages else None

    def grade_counts(self) -> list[tuple[str, str, int]]:
        return [(g.value, g.label, getattr(self, f"n_{g.value}")) for g in Grade]

    def pillar_means(self) -> list[tuple[str, str, Decimal]]:
        return [(p.value, p.label, getattr(self, f"mean_{p.value}")) for p in Pillar]


class TownshipScorecard(UnitScorecard):
    """A township's stored result for a year, from its villages' scorecards."""

    unit_field = "township"
    parent_field = "county"
    scope_paths = {
        Level.MUNICIPALITY: "municipality_id",
        Level.COUNTY: "county_id",
        Level.TOWNSHIP: "township_id",
    }

    township = models.ForeignKey("regions.Township", on_delete=models.CASCADE, related_name="scorecards",
                                 verbose_name=_("township"))
    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"))
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))

    class Meta:
        verbose_name = _("township scorecard")
        verbose_name_plural = _("township scorecards")
        ordering = ["year", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "township"], name="township_scorecard_unique")]
        indexes = [models.Index(fields=["year", "county", "rank"], name="township_sc_county_idx")]


class CountyScorecard(UnitScorecard):
    """A county's stored result for a year, from its villages' scorecards."""

    unit_field = "county"
    parent_field = "municipality"
    scope_paths = {Level.MUNICIPALITY: "municipality_id", Level.COUNTY: "county_id"}

    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, related_name="scorecards",
                               verbose_name=_("county"))
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))

    class Meta:
        verbose_name = _("county scorecard")
        verbose_name_plural = _("county scorecards")
        ordering = ["year", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "county"], name="county_scorecard_unique")]
        indexes = [models.Index(fields=["year", "municipality", "rank"], name="county_sc_mun_idx")]


class MunicipalScorecard(UnitScorecard):
    """A municipality's stored result for a year: the municipal report of SPEC §7."""

    unit_field = "municipality"
    scope_paths = {Level.MUNICIPALITY: "municipality_id"}

    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="scorecards",
                                     verbose_name=_("municipality"))

    class Meta:
        verbose_name = _("municipal scorecard")
        verbose_name_plural = _("municipal scorecards")
        ordering = ["year", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "municipality"],
                                               name="municipal_scorecard_unique")]


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RollupRun(models.Model):
    """One computation of a municipality's (or one county's) scorecards for a year: its progress
    and outcome. Seen by the municipality's staff only."""

    scope_paths = {Level.MUNICIPALITY: "municipality_id"}

    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("county"))
    state = models.CharField(_("state"), max_length=8, choices=RunState, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Why the run failed (a refusal or the error); what a finished run did is in the numbers below.
    message = models.TextField(_("message"), blank=True)
    villages = models.PositiveIntegerField(_("villages"), null=True, blank=True)
    statements = models.PositiveIntegerField(_("SQL statements"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("triggered by"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll-up run")
        verbose_name_plural = _("roll-up runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "year", "state", "finished_at"], name="rollup_run_latest_idx")]

    def __str__(self) -> str:
        return f"{self.year_id} {self.county_id or ''} {self.state}"

    @property
    def outcome(self) -> str:
        """What a finished run did, in the reader's language; the failure for a failed one."""
        if self.state == RunState.DONE and self.villages is not None:
            return str(_("%(villages)s villages, %(statements)s statements, %(seconds)s s") % {
                "villages": self.villages, "statements": self.statements, "seconds": f"{self.seconds:.2f}"})
        return self.message


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class DemonstrationNomination(models.Model):
    """A village proposed as a 五强示范村 from its scorecard, and the municipal decision on it."""

    scope_paths = {
        Level.MUNICIPALITY: "village__county__municipality_id",
        Level.COUNTY: "village__county_id",
        Level.TOWNSHIP: "village__township_id",
        Level.VILLAGE: "village_id",
    }

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    village = models.ForeignKey("regions.Village", on_delete=models.CASCADE, related_name="nominations",
                                verbose_name=_("village"))
    status = models.CharField(_("status"), max_length=12, choices=NominationStatus,
                              default=NominationStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("demonstration nomination")
        verbose_name_plural = _("demonstration nominations")
        ordering = ["year", "village__code"]
        constraints = [models.UniqueConstraint(fields=["year", "village"], name="nomination_unique")]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id} · {self.status}"


# --- Path to the next grade (issue 18) -----------------------------------------------------


class StepKind(models.TextChoices):
    """What one step of a village's path to the next grade asks for."""

    VETO = "veto", _("Clear a veto item")
    INDICATOR = "indicator", _("Earn an indicator's points")
    PILLAR = "pillar", _("Have a pillar approved")


class VillagePath(DerivedVillageRow):
    """A village's distance to its next grade in a year, from its stored scorecard (written by
    the roll-up's last step, ``paths.py``)."""

    # The row stores its units, like the village scorecard it is derived from.
    scope_paths = VillageScorecard.scope_paths

    township = models.ForeignKey("regions.Township", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("township"), db_index=False, db_constraint=False)
    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"), db_index=False, db_constraint=False)
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"), db_index=False, db_constraint=False)
    # Empty when the village already has the best grade.
    next_grade = models.CharField(_("next grade"), max_length=12, choices=Grade, blank=True, default="")
    points_needed = _points_field(_("points to the next grade"), null=True)
    # Pillars below the exemplary pillar line (comma-separated), when the next grade is exemplary.
    pillars_short = models.CharField(_("pillars below the line"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("path to the next grade")
        verbose_name_plural = _("paths to the next grade")
        constraints = [models.UniqueConstraint(fields=["year", "village"], name="village_path_unique")]
        indexes = [models.Index(fields=["year", "county"], name="village_path_county_idx")]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id} → {self.next_grade}"


class VillagePathStep(DerivedVillageView):
    """One thing a village can do to gain points (or clear a veto) in a year, with the value it
    must reach and the points it gains; vetoes first, then by points gained.

    A read-only database view (migration ``scoring/0011``): a village's steps follow from its
    stored indicator scores, vetoes and approved pillars and from the year's ``PathRule`` rows,
    so the roll-up writes a few rules per municipality instead of a row per step (1.2 million at
    100,000 villages), and a village page reads its own steps in one indexed query."""

    pk = models.CompositePrimaryKey("year_id", "village_id", "kind", "code")
    kind = models.CharField(_("kind"), max_length=12, choices=StepKind)
    # The indicator code, the veto code or the pillar.
    code = models.CharField(_("code"), max_length=24)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar, blank=True, default="")
    value = models.FloatField(_("value"), null=True)
    # Copied from the score: with it the step speaks in households, meetings… (value × denominator).
    denominator = _denominator_field()
    target = models.FloatField(_("value to reach"), null=True)
    points = _points_field(_("points now"), null=True)
    gain = _points_field(_("points gained"), null=True)
    # The indicator's points still available (its full points less the points now).
    available = _points_field(_("points available"), null=True)
    basis = models.CharField(_("basis"), max_length=32, blank=True, default="")
    reference = models.DecimalField(_("reference value"), max_digits=14, decimal_places=2, null=True)

    class Meta:
        managed = False
        db_table = "scoring_villagepathstep"
        verbose_name = _("path step")
        verbose_name_plural = _("path steps")

    def __str__(self) -> str:
        return f"{self.village_id} · {self.year_id} · {self.code} +{self.gain}"


class PathRule(models.Model):
    """What the path to the next grade reads from the scheme a year's results were computed
    with (written by the roll-up's paths step beside them):

    * ``indicator``: one level of an indicator, the value to reach (``threshold``) and the
      points it then gives. Yes/no and linear rules have one level (1, or the upper bound);
      bands have one per band and a value must be ``below`` a band's threshold to climb to it.
      A village's step is the lowest level that gives more than its points now.
    * ``pillar``: a pillar's points, earned by having the pillar approved.

    The ``VillagePathStep`` view joins them to the stored scores."""

    # Indexed together below, for the view's lookup of a village's rules.
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"), db_index=False, db_constraint=False)
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"), db_index=False, db_constraint=False)
    kind = models.CharField(_("kind"), max_length=12, choices=StepKind)
    code = models.CharField(_("code"), max_length=24)
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar)
    threshold = models.FloatField(_("value to reach"), null=True)
    below = models.BooleanField(_("only from below the value to reach"), default=False)
    points = _points_field(_("points then"))
    full_points = _points_field(_("full points"))

    class Meta:
        verbose_name = _("path rule")
        verbose_name_plural = _("path rules")
        indexes = [models.Index(fields=["year", "municipality", "kind", "code"], name="path_rule_idx")]

    def __str__(self) -> str:
        return f"{self.municipality_id} · {self.year_id} · {self.code} ≥ {self.threshold}: {self.points}"


# --- What-if scheme previews (issue 18) ----------------------------------------------------


class SchemePreview(models.Model):
    """One what-if run of an edited, unsaved scheme on a municipality's year: the proposal, the
    progress and the grade counts before → after. The roll-up it runs is rolled back, so nothing
    of it is ever visible on dashboards or reports. Seen by the municipality's staff only."""

    scope_paths = {Level.MUNICIPALITY: "municipality_id"}

    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    # {"indicators": {code: {"points": "3", "params": {…}}}, "vetoes": {code: bool}, "thresholds": {…}}
    proposal = models.JSONField(_("proposed scheme"), default=dict)
    # {"before": {grade: n}, "after": {grade: n}, "counties": [{"code", "name", "before", "after"}], "changed": n}
    result = models.JSONField(_("result"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=RunState, default=RunState.QUEUED)
    message = models.TextField(_("message"), blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("requested by"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheme preview")
        verbose_name_plural = _("scheme previews")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year_id} {self.state}"


class SchemePreviewChange(models.Model):
    """A village whose grade the previewed scheme would change."""

    preview = models.ForeignKey(SchemePreview, on_delete=models.CASCADE, related_name="changes",
                                verbose_name=_("preview"))
    village = models.ForeignKey("regions.Village", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("village"), db_constraint=False)
    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"), db_index=False, db_constraint=False)
    old_grade = models.CharField(_("grade now"), max_length=12, choices=Grade)
    new_grade = models.CharField(_("grade with the edited scheme"), max_length=12, choices=Grade)
    old_total = _points_field(_("total now"))
    new_total = _points_field(_("total with the edited scheme"))

    class Meta:
        verbose_name = _("previewed grade change")
        verbose_name_plural = _("previewed grade changes")
        ordering = ["preview", "village__code"]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.old_grade} → {self.new_grade}"
