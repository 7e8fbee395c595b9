"""The answer to a sign-up (a confirmation, or a notice with the manage link) is owed by a mark
on the subscriber, written with the sign-up: the task queued on commit claims it and sends it
once; one the broker never took is handed over by the sweep, once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notify import lost_work, services, tasks
from notify.channels.base import PermanentError
from notify.confirmations import answer_sign_up
from notify.models import Subscriber
from notify.signing import confirm_url

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM = "Confirm your subscription to Noroshi status updates"
NOTICE = "Your subscription to Noroshi status updates"


def owed(address: str, *, due_in: timedelta, **fields) -> Subscriber:
    """A sign-up whose answer is still owed, due `due_in` from now (negative: overdue)."""
    return Subscriber.objects.create(
        channel="email", address=address, confirmation_due_at=timezone.now() + due_in, **fields
    )


def test_the_answer_is_claimed_and_sent_once_whatever_runs_twice(mailoutbox):
    subscriber = services.subscribe(channel="email", address="ann@example.com")
    tasks.send_confirmation(subscriber.pk)  # a task run again (a worker killed after it)
    assert lost_work.find_lost_work().confirm == []
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ann@example.com"], CONFIRM)]
    assert Subscriber.objects.get().confirmation_due_at is None


def test_an_answer_the_broker_never_took_is_sent_by_the_sweep_once(mailoutbox):
    owed("ann@example.com", due_in=timedelta(seconds=-1))
    owed("ben@example.com", due_in=timedelta(seconds=-1), confirmed_at=timezone.now())
    assert tasks.sweep()["confirmations"] == 2
    assert tasks.sweep()["confirmations"] == 0
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("ann@example.com", CONFIRM),
        ("ben@example.com", NOTICE),
    ]
    assert set(Subscriber.objects.values_list("confirmation_due_at", flat=True)) == {None}


def test_the_sweep_hands_an_owed_answer_over_once_until_it_is_due_again(settings):
    """Handed over and not yet claimed (a long queue): the next sweeps leave it to the worker
    that has it, until NOTIFY_REQUEUE_SECONDS have passed."""
    subscriber = owed("ann@example.com", due_in=timedelta(seconds=-1))
    before = timezone.now()
    assert lost_work.find_lost_work().confirm == [subscriber.pk]
    assert lost_work.find_lost_work().confirm == []
    due = Subscriber.objects.get().confirmation_due_at
    requeue = timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
    assert before + requeue <= due <= timezone.now() + requeue


def test_an_answer_not_yet_due_is_left_to_the_task_queued_on_commit(mailoutbox):
    owed("ann@example.com", due_in=timedelta(seconds=4))
    assert lost_work.find_lost_work().confirm == []
    assert mailoutbox == []


def test_sign_ups_before_the_answer_goes_owe_one_answer(mailoutbox):
    """The first sign-up's answer was never queued; the second's goes: one message, and the
    sweep finds nothing more owed."""
    owed("ann@example.com", due_in=timedelta(seconds=-1))
    services.subscribe(channel="email", address="ann@example.com")
    assert lost_work.find_lost_work().confirm == []
    assert [m.subject for m in mailoutbox] == [CONFIRM]


def test_an_e_mail_answer_goes_through_the_channel_which_classifies_a_refusal(smtp):
    subscriber = Subscriber.objects.create(channel="email", address="ann@example.com")
    assert answer_sign_up(subscriber.pk) is True
    [message] = smtp.messages
    assert (message["To"], message["Subject"]) == ("ann@example.com", CONFIRM)
    assert message.get_content_type() == "text/plain"
    assert message["List-Unsubscribe"] is None
    assert f"Confirm here: {confirm_url(subscriber)}\r\n" in message.get_content()

    smtp.sink.refuse = {"ann@example.com": "550 5.1.1 no such user"}
    with pytest.raises(PermanentError, match="SMTP 550 after RCPT TO"):
        answer_sign_up(subscriber.pk)
    assert len(smtp.messages) == 1


def test_an_answer_refused_for_now_is_owed_again_and_sent_once_the_provider_takes_it(
    smtp, settings
):
    smtp.sink.refuse = {"ann@example.com": "451 4.3.0 try again later"}

    services.subscribe(channel="email", address="ann@example.com")  # its task: refused for now

    owed_again = Subscriber.objects.get()
    wait = timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    assert owed_again.confirmation_due_at >= timezone.now() + wait - timedelta(seconds=2)
    assert owed_again.answer_owed_since is not None
    assert lost_work.find_lost_work().confirm == []  # not due yet
    smtp.sink.refuse = {}
    with time_machine.travel(owed_again.confirmation_due_at + timedelta(seconds=1)):
        [due] = lost_work.find_lost_work().confirm
        tasks.send_confirmation(due)
        tasks.send_confirmation(due)  # handed over twice: sent once

    assert [m["Subject"] for m in smtp.messages] == [CONFIRM]
    answered = Subscriber.objects.get()
    assert (answered.confirmation_due_at, answered.answer_owed_since) == (None, None)


def test_an_answer_refused_for_a_whole_day_is_given_up(smtp, settings):
    smtp.sink.refuse = {"ann@example.com": "451 4.3.0 try again later"}
    subscriber = services.subscribe(channel="email", address="ann@example.com")
    day = timedelta(seconds=settings.NOTIFY_RETRY_GIVE_UP_SECONDS)
    Subscriber.objects.update(answer_owed_since=timezone.now() - day)

    tasks.send_confirmation(subscriber.pk)  # refused again, a day after the sign-up

    given_up = Subscriber.objects.get()
    assert (given_up.confirmation_due_at, given_up.answer_owed_since) == (None, None)
    assert smtp.messages == []


def test_an_answer_refused_for_good_is_not_owed_any_more(smtp):
    smtp.sink.refuse = {"ann@example.com": "550 5.1.1 no such user"}

    services.subscribe(channel="email", address="ann@example.com")  # its task: refused

    refused = Subscriber.objects.get()
    assert (refused.confirmation_due_at, refused.answer_owed_since) == (None, None)
    assert lost_work.find_lost_work().confirm == []
