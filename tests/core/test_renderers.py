"""The fast widget renderer writes exactly what Django's templates write, for every widget of
every form of every sheet, bound and unbound, valid and not."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from wuqiang.core.renderers import BUILDERS, FastWidgetRenderer
from wuqiang.entries.models import Entry
from wuqiang.entries.registry import township_sheets, village_sheets

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()


def every_form():
    for sheet in [*village_sheets(), *township_sheets()]:
        yield sheet.slug, sheet.profile_form
        for record in sheet.records:
            yield f"{sheet.slug}.{record.prefix}", record.form


def both_ways(form: forms.BaseForm) -> list[tuple[str, str, str]]:
    rendered = []
    for bound in form:
        form.renderer = TEMPLATES
        slow = str(bound)
        form.renderer = FAST
        fast = str(bound)
        rendered.append((bound.name, slow, fast))
    return rendered


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "form_class"), list(every_form()), ids=[s for s, _ in every_form()])
def test_every_field_of_every_sheet_renders_the_same_both_ways(slug, form_class, world, year):
    entry = Entry.objects.create(year=year, pillar=slug.split("-")[0].split(".")[0], village=world.village_a,
                                 township=world.township_a, county=world.county_x)
    unbound = form_class(prefix="p", entry=entry)
    junk = {f"p-{name}": '"><script>alert(1)</script> & 1e400' for name in unbound.fields}
    bound = form_class(data=junk, prefix="p", entry=entry)
    bound.is_valid()

    for form in (unbound, bound):
        for name, slow, fast in both_ways(form):
            assert fast == slow, (slug, name)


def test_options_groups_booleans_and_text_areas_render_the_same_both_ways():
    class Sample(forms.Form):
        grouped = forms.ChoiceField(choices=[("甲", [("1", "一 <b>")]), ("2", "二")], initial="1")
        on = forms.BooleanField(initial=True, required=False)
        note = forms.CharField(widget=forms.Textarea, initial="a < b\n第二行")
        empty = forms.CharField(widget=forms.Textarea, required=False)
        flags = forms.CharField(widget=forms.TextInput(attrs={"readonly": True, "hidden": False, "data-x": 0}))
        when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        yes = forms.NullBooleanField()

    for name, slow, fast in both_ways(Sample()):
        assert fast == slow, name
    assert "<script>" not in str(Sample(data={"note": "<script>"})["note"])


def test_the_renderer_builds_the_widgets_a_sheet_has_and_leaves_the_rest_to_templates():
    assert {"django/forms/widgets/text.html", "django/forms/widgets/select.html",
            "django/forms/widgets/textarea.html", "django/forms/widgets/checkbox.html"} <= set(BUILDERS)
    radio = forms.RadioSelect(choices=[("a", "A")])
    assert 'type="radio"' in radio.render("r", "a", renderer=FAST)  # through the template engine
