"""Work deferred to a commit is robust: a callback that fails is logged under its own name and
stops neither the callbacks after it nor the write that committed."""

import logging

import pytest
from django.db import transaction

from notify import on_commit

pytestmark = pytest.mark.django_db(transaction=True)


def hand_over(what: str) -> None:
    raise RuntimeError(f"{what} went wrong")


def test_a_failing_callback_is_logged_by_name_and_stops_nothing(caplog):
    done: list[str] = []

    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"), transaction.atomic():
        on_commit.defer(hand_over, "the fan-out")
        on_commit.defer(done.append, "the confirmation")

    assert done == ["the confirmation"]
    assert [r.getMessage() for r in caplog.records] == [
        "Error calling hand_over in on_commit() during transaction (the fan-out went wrong)."
    ]
