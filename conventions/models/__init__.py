"""Public schema: the application catalogue, agreement models and members' conventions.

Dates are legal days (``date``); what a rule computes from them lives in
``conventions.terms`` (pure functions, one per rule, each citing its seed and article).
"""

from conventions.models.catalogue import Application, ConventionModel  # noqa: F401
from conventions.models.convention import (  # noqa: F401
    BADGES,
    Convention,
    ConventionApplication,
    ConventionQuerySet,
    Period,
)
from conventions.models.events import Amendment, Document, Notice, Reminder  # noqa: F401
