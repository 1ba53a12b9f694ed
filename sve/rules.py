"""Which action an agent may take on a request, by its status: the one table that the
services enforce (``require_status``) and the agent's request page asks
(``request_actions``), never restated in a template.

Beside ``sve.deadlines`` (the legal delays), this is the other rule module of SVE.
"""

from sve.models import OPEN_STATUSES, Request, Status

# CRPA L112-3: the AR is sent once, for a request just filed.
QUALIFIABLE = (Status.SUBMITTED,)
# CRPA L114-5: pieces are asked once the request is acknowledged, before it is decided.
PIECES_FROM = (Status.ACKNOWLEDGED, Status.INSTRUCTION)
INSTRUCTION_FROM = (Status.ACKNOWLEDGED,)
DECIDABLE = (Status.ACKNOWLEDGED, Status.AWAITING_PIECES, Status.INSTRUCTION)
CLOSABLE = OPEN_STATUSES
ASSIGNABLE = CLOSABLE
# Messages and notes: any request filed (a draft has no thread yet).
MESSAGE_FROM = tuple(status for status in Status if status != Status.DRAFT)

# The request page's actions, by the code its buttons post (sve.views.agent), and the
# statuses each is offered from.
ACTIONS_BY_STATUS = {
    "qualifier": QUALIFIABLE,
    "pieces": PIECES_FROM,
    "instruction": INSTRUCTION_FROM,
    "decider": DECIDABLE,
    "traiter": CLOSABLE,
    "classer": CLOSABLE,
    "attribuer": ASSIGNABLE,
    "message": MESSAGE_FROM,
    "note": MESSAGE_FROM,
}


def request_actions(request: Request) -> set[str]:
    """The actions the agent's page offers for ``request`` (codes of ACTIONS_BY_STATUS).

    CRPA L231-4 1°: a report or a question asks no decision (form version's
    ``asks_decision``): it is marked handled ("traiter"), never decided ("decider")."""
    actions = {code for code, allowed in ACTIONS_BY_STATUS.items() if request.status in allowed}
    actions.discard("traiter" if request.form_version.asks_decision else "decider")
    return actions
