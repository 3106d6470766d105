"""人才队伍强: training hours and the three lists of people."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from talent.choices import COLLEGE_OR_ABOVE, DEPUTY_POSTS, LEADER_KINDS, PRINCIPAL_POSTS, CadrePost, Education
from talent.forms import CadreForm, SentDownForm, TalentProfileForm, TraineeForm
from talent.models import Cadre, SentDown, TalentProfile, Trainee
from tests.pillars.helpers import bind, save, with_changes
from wuqiang.entries.models import Pillar


@pytest.fixture
def entry(make_entry):
    return make_entry(Pillar.TALENT)


def test_training_hours_save(entry):
    profile = save(bind(TalentProfileForm, entry, {"secretary_training_hours": "42.5"}), entry)

    profile.refresh_from_db()
    assert profile.secretary_training_hours == Decimal("42.5")


@pytest.mark.parametrize(("hours", "message"), [("-1", "Cannot be negative."), ("500.1", "Cannot be more than 500.")])
def test_it_rejects_training_hours_out_of_range(entry, hours, message):
    form = bind(TalentProfileForm, entry, {"secretary_training_hours": hours})

    assert not form.is_valid()
    assert form.errors["secretary_training_hours"] == [message]
    assert not TalentProfile.objects.exists()


CADRE = {"name": "王芳", "gender": "female", "birth_year": "1988", "education": "college",
         "post": "secretary_director", "monthly_pay": "4200", "from_reserve_pool": "on"}


def test_a_cadre_saves(entry):
    cadre = save(bind(CadreForm, entry, CADRE), entry)

    cadre.refresh_from_db()
    assert cadre.post == CadrePost.SECRETARY_DIRECTOR
    assert cadre.monthly_pay == 4200
    assert cadre.from_reserve_pool is True
    assert list(entry.talent_cadre_set.all()) == [cadre]


def test_a_cadre_aged_exactly_16_in_the_year_is_accepted(entry):
    form = bind(CadreForm, entry, with_changes(CADRE, birth_year="2005"))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("form_class", [CadreForm, SentDownForm, TraineeForm])
def test_it_rejects_a_birth_year_too_recent(entry, form_class):
    data = {CadreForm: CADRE, SentDownForm: SENT_DOWN, TraineeForm: TRAINEE}[form_class]

    form = bind(form_class, entry, with_changes(data, birth_year="2006"))

    assert not form.is_valid()
    assert form.errors["birth_year"] == [
        "The birth year cannot be after 2005: everyone listed is at least 16 in 2021."
    ]
    assert list(form.errors) == ["birth_year"]
    assert not form_class._meta.model.objects.exists()


def test_it_rejects_a_birth_year_before_1930(entry):
    form = bind(CadreForm, entry, with_changes(CADRE, birth_year="1929"))

    assert not form.is_valid()
    assert form.errors["birth_year"] == ["Cannot be less than 1930."]


def test_it_rejects_negative_monthly_pay(entry):
    form = bind(CadreForm, entry, with_changes(CADRE, monthly_pay="-100"))

    assert not form.is_valid()
    assert form.errors["monthly_pay"] == ["Cannot be negative."]
    assert not Cadre.objects.exists()


def test_a_cadre_needs_name_post_and_education(entry):
    form = bind(CadreForm, entry, with_changes(CADRE, name="", post="", education=""))

    assert not form.is_valid()
    assert set(form.errors) == {"name", "post", "education"}


SENT_DOWN = {"name": "李明", "gender": "male", "birth_year": "1990", "education": "bachelor",
             "kind": "first_secretary", "sending_unit": "市财政局", "start_date": "2021-03-01", "end_date": ""}


def test_a_sent_down_person_saves(entry):
    person = save(bind(SentDownForm, entry, SENT_DOWN), entry)

    person.refresh_from_db()
    assert person.start_date == datetime.date(2021, 3, 1)
    assert person.end_date is None


def test_a_posting_may_have_started_before_the_year(entry):
    form = bind(SentDownForm, entry, with_changes(SENT_DOWN, start_date="2019-05-01", end_date="2021-04-30"))

    assert form.is_valid(), form.errors


def test_it_rejects_an_end_date_before_the_start_date(entry):
    form = bind(SentDownForm, entry, with_changes(SENT_DOWN, start_date="2021-03-01", end_date="2021-02-28"))

    assert not form.is_valid()
    assert form.errors["end_date"] == ["The posting cannot end before it starts (2021-03-01)."]
    assert not SentDown.objects.exists()


def posting(entry, start, end=None):
    return SentDown.objects.create(entry=entry, name="张三", gender="male", birth_year=1985, education="bachelor",
                                   kind="team_member", sending_unit="县农业农村局", start_date=start, end_date=end)


def test_a_posting_that_ended_before_the_year_is_not_in_post(entry):
    posting(entry, datetime.date(2019, 1, 1), datetime.date(2020, 12, 31))

    assert not SentDown.objects.in_post(2021).exists()


def test_a_posting_that_starts_after_the_year_is_not_in_post(entry):
    posting(entry, datetime.date(2022, 1, 1))

    assert not SentDown.objects.in_post(2021).exists()


def test_a_posting_that_starts_on_the_last_day_of_the_year_is_in_post(entry):
    person = posting(entry, datetime.date(2021, 12, 31))

    assert list(SentDown.objects.in_post(2021)) == [person]


def test_a_posting_that_ends_on_the_first_day_of_the_year_is_in_post(entry):
    person = posting(entry, datetime.date(2019, 6, 1), datetime.date(2021, 1, 1))

    assert list(SentDown.objects.in_post(2021)) == [person]


def test_an_open_ended_posting_from_earlier_years_is_in_post(entry):
    person = posting(entry, datetime.date(2018, 6, 1))

    assert list(SentDown.objects.in_post(2021)) == [person]
    assert list(SentDown.objects.in_post(entry.year)) == [person]


TRAINEE = {"name": "赵磊", "gender": "male", "birth_year": "1998", "education": "senior",
           "kind": "reserve", "source": "veteran", "now_cadre": ""}


def test_a_trainee_saves(entry):
    trainee = save(bind(TraineeForm, entry, TRAINEE), entry)

    trainee.refresh_from_db()
    assert trainee.source == "veteran"
    assert trainee.now_cadre is False


def test_a_trainee_needs_kind_and_source(entry):
    form = bind(TraineeForm, entry, with_changes(TRAINEE, kind="", source=""))

    assert not form.is_valid()
    assert set(form.errors) == {"kind", "source"}
    assert not Trainee.objects.exists()


def test_the_choice_groups_used_by_scoring():
    assert COLLEGE_OR_ABOVE == {Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE}
    assert PRINCIPAL_POSTS == {"secretary", "director"}
    assert DEPUTY_POSTS == {"deputy_secretary", "deputy_director", "member"}
    assert LEADER_KINDS == {"leader_municipal", "leader_county"}
