"""Every visible word is in the reader's language (issue 15 item 9): in Chinese no Latin word
outside codes, units and a few names of formats and products; in English no Han character
outside the data (unit, person and indicator names, what clerks typed)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
import pytest
from django.conf import settings

from tests.entries.conftest import COMPLETE_PROFILE, Flow
from wuqiang.accounts.models import User
from wuqiang.scoring.models import DemonstrationNomination, SchemeIndicator
from wuqiang.scoring.rollup import rollup_year

pytestmark = pytest.mark.django_db

# Latin words a Chinese page may show: format, product and language names, units.
LATIN_ALLOWED = {"Excel", "English", "API", "PDF", "CSV", "TOTP", "Swagger", "ID", "m²", "SQL", "JPEG", "PNG", "MB"}
# An indicator code (O1, E5), a division code, a version or a year: not words.
CODE = re.compile(r"^[A-Z]\d{1,2}$")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z²]+")
HAN = re.compile(r"[\u3400-\u9fff]+")
# What a page shows to its reader: text, and the texts of titles, placeholders and labels.
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def shown_text(html: str) -> Iterator[str]:
    tree = lxml.html.fromstring(html)
    for hidden in tree.xpath("//script|//style|//template|//noscript"):
        hidden.drop_tree()
    body = tree.find("body")
    root = body if body is not None else tree
    yield from (t for t in root.itertext() if t.strip())
    for attribute in SHOWN_ATTRIBUTES:
        yield from root.xpath(f"//@{attribute}")


@pytest.fixture
def pages(world, year, clerk_a, reviewer_x, municipal) -> list[tuple[User, str]]:
    """The main pages of each role, with data on them."""
    flow = Flow(world, year)
    a1, a2 = world.villages["a"]
    flow.approved(a1, clerk_a, reviewer_x)
    flow.returned(a2, clerk_a, reviewer_x)
    rollup_year(year.year)
    DemonstrationNomination.objects.create(year=year, village=a1)
    t, v, c, m, y = world.township_a.code, a1.code, world.county_x.code, world.municipality.code, year.year
    ticket = _ticket(world, reviewer_x, clerk_a)
    return [
        (clerk_a, "/tickets/"), (clerk_a, f"/tickets/{ticket.pk}/"), (reviewer_x, f"/tickets/{ticket.pk}/"),
        (reviewer_x, f"/tickets/new/?unit={v}"),
        (clerk_a, f"/townships/{t}/"), (clerk_a, f"/townships/{t}/board/?year={y}"),
        (clerk_a, f"/villages/{a2.code}/{y}/organizations/"), (clerk_a, f"/villages/{v}/{y}/talent/"),
        (clerk_a, f"/villages/{v}/history/"), (clerk_a, "/help/"), (clerk_a, f"/search/?q={a1.name[:2]}"),
        (reviewer_x, f"/counties/{c}/review/?year={y}&state="), (reviewer_x, f"/dashboard/counties/{c}/?year={y}"),
        (reviewer_x, f"/villages/{v}/{y}/organizations/"), (reviewer_x, f"/counties/{c}/income/"),
        (municipal, f"/dashboard/municipalities/{m}/?year={y}"), (municipal, f"/dashboard/villages/{v}/?year={y}"),
        (municipal, f"/scoring/schemes/{m}/{y}/"), (municipal, f"/scoring/demonstration/{m}/{y}/"),
        (municipal, f"/municipalities/{m}/years/"), (municipal, f"/municipalities/{m}/"),
        # Issue 18: insight pages, the big screen and a what-if preview.
        (municipal, f"/insight/municipalities/{m}/?year={y}"), (reviewer_x, f"/insight/counties/{c}/?year={y}"),
        (reviewer_x, f"/insight/counties/{c}/cells/{t}/O1/?year={y}"), (municipal, f"/screen/{m}/?year={y}"),
        (reviewer_x, f"/screen/{c}/?year={y}"), (municipal, _whatif(municipal, world.municipality, y)),
    ]


def _whatif(user, municipality, year: int) -> str:
    from wuqiang.scoring.previews import scheme_preview_request, scheme_preview_run
    from wuqiang.scoring.services import scheme_for

    scheme = scheme_for(municipality_id=municipality.pk, year=year)
    preview = scheme_preview_request(
        scheme=scheme, actor=user, indicators={}, vetoes={v.code: v.enabled for v in scheme.vetoes.all()},
        thresholds={f: getattr(scheme, f) for f in ("exemplary_total", "exemplary_pillar_min", "pass_total",
                                                    "basic_total")} | {"basic_total": 0})
    scheme_preview_run(preview)
    return f"/scoring/what-if/{preview.pk}/"


TICKET_TEXT = ("村务公开栏未更新", "三月份公开内容缺失。", "已更新公开栏。", "公开栏照片")


def _ticket(world, reviewer, clerk):
    """An answered, overdue inspection ticket to a village, with a file attached."""
    import datetime
    import io

    from wuqiang.tickets import services
    from wuqiang.tickets.models import Ticket

    data = services.TicketInput(title=TICKET_TEXT[0], problem=TICKET_TEXT[1], category="governance",
                                severity="rectify", deadline=datetime.date.today() + datetime.timedelta(days=3))
    ticket = services.ticket_issue(actor=reviewer, unit=world.villages["a"][0], data=data)
    services.attachment_add(ticket=ticket, actor=reviewer, fileobj=io.BytesIO(b"%PDF-1.4 x"),
                            name=f"{TICKET_TEXT[3]}.PDF")
    services.ticket_answer(ticket=ticket, actor=clerk, answer=TICKET_TEXT[2])
    Ticket.objects.filter(pk=ticket.pk).update(deadline=datetime.date.today() - datetime.timedelta(days=2))
    return ticket


def _data_words() -> set[str]:
    """Han text that is data, not interface: names of units, people and indicators, and what
    the demo data and the factories put in records."""
    from wuqiang.regions.models import County, Municipality, Township, Village

    words: set[str] = set()
    for model in (Municipality, County, Township, Village):
        words.update(model.objects.values_list("name", flat=True))
    words.update(u.display_name for u in User.objects.all())
    words.update(SchemeIndicator.objects.values_list("name", flat=True))
    words.update(v for v in COMPLETE_PROFILE.values() if isinstance(v, str))
    words.update({"请核对网格数。", "遵义市委组织部", "五强组织", *TICKET_TEXT})
    return words


def test_chinese_pages_show_no_latin_words(client, pages):
    found: dict[str, set[str]] = {}
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        for text in shown_text(response.content.decode()):
            for word in LATIN_WORD.findall(text):
                if word not in LATIN_ALLOWED and not CODE.match(word):
                    found.setdefault(url, set()).add(word)
    assert found == {}, sorted({w for words in found.values() for w in words})


def test_english_pages_show_no_han_outside_the_data(client, pages):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = _data_words()
    found: dict[str, set[str]] = {}
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        for text in shown_text(response.content.decode()):
            for word in sorted(data, key=len, reverse=True):  # longest first: 遵义市委组织部 before 遵义市
                text = text.replace(word, " ")
            if text.strip() == "中文":  # the language switch names its language in that language
                continue
            for han in HAN.findall(text):
                found.setdefault(url, set()).add(han)
    assert found == {}, sorted({h for words in found.values() for h in words})


def test_the_detector_sees_text_titles_and_placeholders_but_not_scripts():
    html = ('<html><body><p>审核 Queue</p><input placeholder="Search"><span title="标题">x</span>'
            '<script>var Hidden = 1;</script></body></html>')

    shown = " ".join(shown_text(html))

    assert LATIN_WORD.findall(shown) == ["Queue", "Search"]
    assert HAN.findall(shown) == ["审核", "标题"]
