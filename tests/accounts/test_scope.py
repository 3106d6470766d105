"""Roles pin users to a unit; ``visible_to`` and the access helper confine them to it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation

from tests import factories
from wuqiang.accounts.models import Role, User
from wuqiang.accounts.scope import Scope, get_visible_or_404
from wuqiang.regions.models import County, Level, Municipality, Township, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_city(world):
    """A second municipality with one county, township and village: only admins see it."""
    village = factories.VillageFactory(
        township__county__municipality=factories.MunicipalityFactory(code="520400", name="安顺市")
    )
    return village


# --- Scope per role ---------------------------------------------------------------------------


def test_a_clerk_is_scoped_to_their_township(clerk_a, world):
    assert clerk_a.scope == Scope(level=Level.TOWNSHIP, unit_id=world.township_a.pk)


def test_a_reviewer_is_scoped_to_their_county(reviewer_x, world):
    assert reviewer_x.scope == Scope(level=Level.COUNTY, unit_id=world.county_x.pk)


def test_municipal_staff_are_scoped_to_their_municipality(municipal, world):
    assert municipal.scope == Scope(level=Level.MUNICIPALITY, unit_id=world.municipality.pk)


def test_an_admin_sees_everything(admin_user):
    assert admin_user.scope.everything
    assert not admin_user.scope.nothing


def test_a_superuser_without_a_role_sees_everything(db):
    user = factories.UserFactory(is_superuser=True, is_staff=True)

    assert user.scope.everything


def test_a_user_without_a_role_sees_nothing(no_role_user):
    assert no_role_user.scope == Scope()
    assert no_role_user.scope.nothing


def test_an_anonymous_user_sees_nothing():
    assert Scope.of(AnonymousUser()).nothing
    assert Scope.of(None).nothing


def test_a_deactivated_clerk_sees_nothing(clerk_a):
    clerk_a.is_active = False

    assert clerk_a.scope.nothing
    assert not Village.objects.visible_to(clerk_a).exists()


def test_scope_covers_units_inside_it_only(clerk_a, reviewer_x, world):
    assert clerk_a.scope.covers(world.township_a)
    assert clerk_a.scope.covers(world.village_a)
    assert not clerk_a.scope.covers(world.township_b)
    assert not clerk_a.scope.covers(world.village_b)
    # Units above a clerk's township are outside their scope.
    assert not clerk_a.scope.covers(world.county_x)
    assert not clerk_a.scope.covers(world.municipality)
    assert reviewer_x.scope.covers(world.county_x)
    assert reviewer_x.scope.covers(world.village_b)
    assert not reviewer_x.scope.covers(world.village_c)
    assert not reviewer_x.scope.covers(world.municipality)


# --- visible_to per model and role ------------------------------------------------------------

# Expected codes per persona, by model. "*" means every row, including the other city.
VISIBLE = {
    "clerk_a": {
        Municipality: set(),
        County: set(),
        Township: {"520302001"},
        Village: {"520302001200", "520302001201"},
    },
    "clerk_a2": {
        Municipality: set(),
        County: set(),
        Township: {"520302001"},
        Village: {"520302001200", "520302001201"},
    },
    "clerk_b": {
        Municipality: set(),
        County: set(),
        Township: {"520302100"},
        Village: {"520302100200", "520302100201"},
    },
    "clerk_c": {
        Municipality: set(),
        County: set(),
        Township: {"520303100"},
        Village: {"520303100200", "520303100201"},
    },
    "reviewer_x": {
        Municipality: set(),
        County: {"520302"},
        Township: {"520302001", "520302100"},
        Village: {"520302001200", "520302001201", "520302100200", "520302100201"},
    },
    "reviewer_y": {
        Municipality: set(),
        County: {"520303"},
        Township: {"520303100"},
        Village: {"520303100200", "520303100201"},
    },
    "municipal": {
        Municipality: {"520300"},
        County: {"520302", "520303"},
        Township: {"520302001", "520302100", "520303100"},
        Village: {
            "520302001200", "520302001201", "520302100200", "520302100201", "520303100200", "520303100201",
        },
    },
    "admin_user": {Municipality: "*", County: "*", Township: "*", Village: "*"},
    "no_role_user": {Municipality: set(), County: set(), Township: set(), Village: set()},
}


@pytest.mark.parametrize("model", [Municipality, County, Township, Village], ids=lambda m: m.__name__)
@pytest.mark.parametrize("persona_name", list(VISIBLE))
def test_visible_to_returns_exactly_the_units_in_scope(persona, other_city, persona_name, model):
    user = persona(persona_name)
    expected = VISIBLE[persona_name][model]
    if expected == "*":
        expected = set(model.objects.values_list("code", flat=True))
        assert other_city.code in set(Village.objects.values_list("code", flat=True))

    visible = set(model.objects.visible_to(user).values_list("code", flat=True))

    assert visible == expected


def test_visible_to_composes_with_other_filters(reviewer_x, world):
    in_b = Village.objects.filter(township=world.township_b).visible_to(reviewer_x)
    in_c = Village.objects.filter(township=world.township_c).visible_to(reviewer_x)

    assert set(in_b) == set(world.villages["b"])
    assert not in_c.exists()


def test_visible_to_an_anonymous_user_is_empty(world):
    assert not Village.objects.visible_to(AnonymousUser()).exists()


def test_get_visible_or_404_returns_a_unit_in_scope(clerk_a, world):
    village = get_visible_or_404(Village.objects.all(), clerk_a, code=world.village_a.code)

    assert village == world.village_a


def test_get_visible_or_404_rejects_other_township(clerk_a, world):
    with pytest.raises(Http404):
        get_visible_or_404(Village.objects.all(), clerk_a, code=world.village_b.code)


def test_get_visible_or_404_rejects_a_missing_code(municipal):
    with pytest.raises(Http404):
        get_visible_or_404(Township.objects.all(), municipal, code="999999999")


# --- Role and unit must agree -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "units"),
    [
        (Role.CLERK, {}),
        (Role.CLERK, {"county": "county_x"}),
        (Role.CLERK, {"township": "township_a", "county": "county_x"}),
        (Role.REVIEWER, {}),
        (Role.REVIEWER, {"township": "township_a"}),
        (Role.MUNICIPAL, {"county": "county_x"}),
        (Role.ADMIN, {"municipality": "municipality"}),
        ("", {"township": "township_a"}),
    ],
)
def test_the_database_refuses_a_role_that_does_not_match_its_unit(world, role, units):
    fields = {field: getattr(world, attr) for field, attr in units.items()}

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="mismatch", role=role, **fields)


@pytest.mark.parametrize(
    ("role", "units"),
    [
        (Role.CLERK, {"township": "township_a"}),
        (Role.REVIEWER, {"county": "county_x"}),
        (Role.MUNICIPAL, {"municipality": "municipality"}),
        (Role.ADMIN, {}),
        ("", {}),
    ],
)
def test_the_database_accepts_a_role_with_its_unit(world, role, units):
    fields = {field: getattr(world, attr) for field, attr in units.items()}

    user = User.objects.create(username="matched", role=role, **fields)

    assert user.pk is not None


def _clean_errors(user: User) -> dict[str, list[str]]:
    # Read in English: the messages are lazy, so they are rendered here, inside the override.
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            user.clean()
        return {field: [str(m) for m in messages] for field, messages in excinfo.value.message_dict.items()}


def test_clean_asks_a_clerk_for_a_township(db):
    assert _clean_errors(User(username="u", role=Role.CLERK)) == {"township": ["This role needs a township."]}


def test_clean_asks_a_reviewer_for_a_county_and_to_drop_the_township(world):
    user = User(username="u", role=Role.REVIEWER, township=world.township_a)

    assert _clean_errors(user) == {
        "county": ["This role needs a county."],
        "township": ["Leave this empty for the chosen role."],
    }


def test_clean_asks_an_admin_to_leave_every_unit_empty(world):
    user = User(username="u", role=Role.ADMIN, municipality=world.municipality, county=world.county_x)

    assert _clean_errors(user) == {
        "municipality": ["Leave this empty for the chosen role."],
        "county": ["Leave this empty for the chosen role."],
    }


def test_clean_accepts_municipal_staff_with_a_municipality(world):
    User(username="u", role=Role.MUNICIPAL, municipality=world.municipality).clean()  # does not raise


def test_home_unit_is_the_unit_of_the_role(clerk_a, reviewer_y, municipal, admin_user, no_role_user, world):
    assert clerk_a.home_unit == world.township_a
    assert reviewer_y.home_unit == world.county_y
    assert municipal.home_unit == world.municipality
    assert admin_user.home_unit is None
    assert no_role_user.home_unit is None
