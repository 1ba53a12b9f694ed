from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from portal.permissions import member_required, membership_for


def agent_required(view=None, *, admin: bool = False):
    """Back-office pages of SVE: a non-member gets 404, never a hint that the object exists
    (isolation between communes)."""

    def decorator(view_func):
        guarded = member_required(view_func, admin=admin)

        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if membership_for(request.user, request.tenant) is None:
                raise Http404
            return guarded(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view else decorator


def file_response(document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def error_messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])
