"""The "Assistance" block of a member's back office (every member may ask for help)."""

from portal.sections import Section


def backoffice_section(request) -> Section | None:
    return Section(title="Assistance", template="support/sections/backoffice.html", order=90)
