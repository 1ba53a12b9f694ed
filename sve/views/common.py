from functools import partial

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from portal.permissions import member_required

# SVE back-office pages answer 404 to non-members: a request id of another commune must not
# even be confirmed to exist (isolation between communes).
agent_required = partial(member_required, conceal=True)


def file_response(document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def error_messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])
