"""Who works on what during the load test, from the seeded database: written as JSON to argv[1].

50 simulated clerks share 25 townships' clerk accounts two by two (so the same sheet is now and
then saved by two people at once and the version check is exercised); 5 reviewers of the
counties of those townships approve what is submitted; municipal staff watch the dashboards.
"""

from __future__ import annotations

import json
import os
import sys

import django

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuqiang.settings")
django.setup()

from wuqiang.accounts.models import User  # noqa: E402
from wuqiang.entries.models import Entry, EntryState  # noqa: E402
from wuqiang.regions.models import County, Municipality, Township  # noqa: E402

YEAR = int(os.environ.get("LOADTEST_YEAR", "2022"))
CLERK_ACCOUNTS = int(os.environ.get("LOADTEST_CLERK_ACCOUNTS", "25"))
REVIEWERS = int(os.environ.get("LOADTEST_REVIEWERS", "5"))


def main(path: str) -> None:
    open_states = (EntryState.DRAFT, EntryState.RETURNED)
    # Townships with most villages still open for the clerk, from the first REVIEWERS counties.
    counties = list(County.objects.order_by("code")[:REVIEWERS])
    townships = []
    for township in Township.objects.filter(county__in=counties).order_by("code"):
        open_codes = list(Entry.objects.filter(
            year_id=YEAR, pillar="organizations", township=township, state__in=open_states,
        ).values_list("village__code", flat=True))
        clerk = User.objects.filter(username=f"c{township.code}").first()
        if open_codes and clerk:
            townships.append((len(open_codes), township, sorted(open_codes)))
    townships.sort(key=lambda t: (-t[0], t[1].code))
    clerks = [{"username": f"c{t.code}", "township": t.code, "villages": codes}
              for _n, t, codes in townships[:CLERK_ACCOUNTS]]
    reviewers = []
    for county in counties:
        villages = sorted(set(Entry.objects.filter(
            year_id=YEAR, pillar="organizations", county=county, village__isnull=False,
            state__in=(*open_states, EntryState.SUBMITTED),
        ).values_list("village__code", flat=True)))
        reviewers.append({"username": f"r{county.code}", "county": county.code, "villages": villages})
    municipality = Municipality.objects.order_by("code").first()
    plan = {
        "year": YEAR,
        "clerks": clerks,
        "reviewers": reviewers,
        "municipal": {"username": "admin", "municipality": municipality.code,
                      "counties": [c.code for c in County.objects.filter(municipality=municipality)]},
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(plan, handle, ensure_ascii=False, indent=1)
    print(f"plan: {len(clerks)} clerk accounts ({sum(len(c['villages']) for c in clerks)} open sheets), "
          f"{len(reviewers)} reviewers, municipal {plan['municipal']['username']}")


if __name__ == "__main__":
    main(sys.argv[1])
