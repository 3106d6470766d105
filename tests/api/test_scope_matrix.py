"""The scope matrix of issue 12: every endpoint and method × every persona. Nothing outside a
persona's scope is listed, counted, readable, writable or deletable (404); anonymous callers get
401 and nothing else."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, PLACES_SEEN, list_key
from tests.conftest import PERSONAS
from tests.entries.conftest import fingerprint
from wuqiang.entries.models import Change, Entry

pytestmark = pytest.mark.django_db

WORKFLOW = ("submit", "approve", "return", "reopen")


@pytest.mark.parametrize("name", PERSONAS)
def test_lists_show_exactly_the_personas_scope_and_count_nothing_else(name, everything, api_as):
    client = api_as(name)
    for endpoint, objects in everything.objects().items():
        expected = sorted(key for key, place in objects if place in PLACES_SEEN[name])
        response = client.get(f"{API}/{endpoint}/", {"page_size": 500})
        assert response.status_code == 200, (endpoint, response.content)
        body = response.json()
        assert sorted(list_key(endpoint, item) for item in body["results"]) == expected, endpoint
        assert body["count"] == len(expected), endpoint


@pytest.mark.parametrize("name", PERSONAS)
def test_each_object_is_readable_inside_the_scope_and_404_outside(name, everything, api_as):
    client = api_as(name)
    for endpoint, objects in everything.objects().items():
        for key, place in objects:
            response = client.get(f"{API}/{endpoint}/{key}/")
            expected = 200 if place in PLACES_SEEN[name] else 404
            assert response.status_code == expected, (endpoint, key, response.content)
            if expected == 404:
                assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("name", PERSONAS)
def test_entry_values_and_history_are_readable_inside_the_scope_and_404_outside(name, everything, api_as):
    client = api_as(name)
    for key, entry in everything.entries.items():
        for suffix in ("data/", "history/"):
            response = client.get(f"{API}/entries/{entry.village.code}/2021/organizations/{suffix}")
            assert response.status_code == (200 if key in PLACES_SEEN[name] else 404), (key, suffix)


@pytest.mark.parametrize("name", PERSONAS)
def test_nothing_outside_the_scope_is_writable_and_a_refused_write_changes_nothing(name, everything, api_as):
    client = api_as(name)
    for key, entry in everything.entries.items():
        url = f"{API}/entries/{entry.village.code}/2021/organizations/"
        before = fingerprint(entry)
        answers = [
            client.patch(f"{url}data/", {"profile": {"grids": 9}}, format="json", HTTP_IF_MATCH=f'"{entry.version}"'),
            client.put(f"{url}data/", {"profile": {"grids": 9}}, format="json", HTTP_IF_MATCH=f'"{entry.version}"'),
            *(client.post(f"{url}{step}/", {"comment": "请核对"}, format="json", HTTP_IF_MATCH=f'"{entry.version}"')
              for step in WORKFLOW),
        ]
        if key not in PLACES_SEEN[name]:
            assert [a.status_code for a in answers] == [404] * len(answers), key
            assert fingerprint(entry) == before
        elif name != "clerk_a" and name != "clerk_a2" and name != f"clerk_{key}":
            # Inside the scope but not theirs to change: refused with the permission module's reason.
            assert [a.status_code for a in answers[:2]] == [403, 403], key
            assert fingerprint(entry) == before


@pytest.mark.parametrize("name", PERSONAS)
def test_nothing_is_deletable_or_replaceable_and_outside_the_scope_the_answer_is_404(name, everything, api_as):
    client = api_as(name)
    entries_before = Entry.objects.count(), Change.objects.count()
    for endpoint, objects in everything.objects().items():
        for key, place in objects:
            for method in ("delete", "put", "patch", "post"):
                response = getattr(client, method)(f"{API}/{endpoint}/{key}/", {}, format="json")
                assert response.status_code == (405 if place in PLACES_SEEN[name] else 404), (endpoint, key, method)
        # Nothing is created through a list either.
        assert client.post(f"{API}/{endpoint}/", {}, format="json").status_code == 405
    assert (Entry.objects.count(), Change.objects.count()) == entries_before


def test_anonymous_callers_get_401_everywhere_and_learn_nothing(everything, api_as):
    client = api_as(None)
    for endpoint, objects in everything.objects().items():
        assert client.get(f"{API}/{endpoint}/").status_code == 401
        for key, _place in objects:
            for method in ("get", "delete"):
                response = getattr(client, method)(f"{API}/{endpoint}/{key}/")
                assert response.status_code == 401, (endpoint, key, method)
                assert response.json()["code"] == "not_authenticated"
    entry = everything.entries["a"]
    before = fingerprint(entry)
    url = f"{API}/entries/{entry.village.code}/2021/organizations/"
    assert client.patch(f"{url}data/", {"profile": {"grids": 9}}, format="json",
                        HTTP_IF_MATCH='"1"').status_code == 401
    for step in WORKFLOW:
        assert client.post(f"{url}{step}/", {}, format="json", HTTP_IF_MATCH='"1"').status_code == 401
    assert fingerprint(entry) == before
    assert response["WWW-Authenticate"].startswith("Bearer")
