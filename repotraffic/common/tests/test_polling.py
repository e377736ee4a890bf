import pytest

from repotraffic.common.tests.polling import poll_until


def test_returns_once_the_condition_holds():
    answers = iter([False, False, True])

    poll_until(lambda: next(answers), what="the third answer", interval=0)

    assert next(answers, "exhausted") == "exhausted"


def test_fails_with_what_it_waited_for_and_the_details():
    with pytest.raises(AssertionError, match="waiting for the moon\nlog: nothing"):
        poll_until(lambda: False, what="the moon", seconds=0, details=lambda: "log: nothing")
