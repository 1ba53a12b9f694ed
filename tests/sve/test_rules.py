"""sve.rules: which action the agent's request page offers, by status (issue 27 §3: the
page asks this table, the services enforce it)."""

import pytest

from sve.models import FormVersion, Request, Status
from sve.rules import request_actions

TALK = {"message", "note"}


def _request(status, *, asks_decision=True) -> Request:
    return Request(status=status, form_version=FormVersion(asks_decision=asks_decision))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.SUBMITTED, {"qualifier", "classer", "attribuer"}),
        (
            Status.ACKNOWLEDGED,
            {"pieces", "instruction", "decider", "classer", "attribuer"},
        ),
        (Status.INSTRUCTION, {"pieces", "decider", "classer", "attribuer"}),
        (Status.AWAITING_PIECES, {"decider", "classer", "attribuer"}),
        (Status.ACCEPTED, set()),
        (Status.IMPLICITLY_REJECTED, set()),
        (Status.CLOSED, set()),
    ],
)
def test_a_request_for_a_decision_offers_by_status(status, expected):
    assert request_actions(_request(status)) == expected | TALK


def test_a_report_is_marked_handled_never_decided():
    acknowledged = request_actions(_request(Status.ACKNOWLEDGED, asks_decision=False))
    assert "traiter" in acknowledged
    assert "decider" not in acknowledged
    assert request_actions(_request(Status.HANDLED, asks_decision=False)) == TALK


def test_a_draft_offers_nothing():
    assert request_actions(_request(Status.DRAFT)) == set()
