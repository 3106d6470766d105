"""Finding a village from the navbar: by name, code or township, only inside the user's scope."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _found(client, text: str) -> list[str]:
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    return [v.code for v in response.context["page_obj"]]


def test_a_village_is_found_by_name_code_and_township(login_as, world, reviewer_x):
    client = login_as(reviewer_x)
    a1 = world.village_a

    assert _found(client, "青石1") == [a1.code]
    assert _found(client, a1.code[:9]) == [v.code for v in world.villages["a"]]
    assert _found(client, world.township_b.name) == [v.code for v in world.villages["b"]]


@pytest.mark.parametrize(("persona_name", "expected"), [
    ("clerk_a", "a"), ("clerk_b", "b"), ("reviewer_y", "c"), ("municipal", "abc"), ("no_role_user", ""),
])
def test_search_finds_only_what_the_user_may_see(login_as, persona, world, persona_name, expected):
    client = login_as(persona(persona_name))

    found = _found(client, "5203")  # every village's code starts so

    assert found == [v.code for key in expected for v in world.villages[key]]


def test_an_empty_or_overlong_search_finds_nothing_and_breaks_nothing(login_as, world, municipal):
    client = login_as(municipal)

    assert _found(client, "") == []
    assert _found(client, "村" * 5000) == []


def test_the_search_box_is_in_the_navbar(login_as, world, clerk_a):
    page = login_as(clerk_a).get(f"/townships/{world.township_a.code}/").content.decode()

    assert 'data-testid="village-search"' in page
