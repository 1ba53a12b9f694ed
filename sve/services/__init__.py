"""Writes of the SVE app: one function per action, each in a transaction that writes its
journal entry and defers side effects (PDFs, e-mails) to Celery on commit."""

from sve.services.catalogue import (  # noqa: F401
    form_contact_missing,
    form_create,
    form_enable,
    form_new_defaults,
    form_publish,
    form_save,
    form_service_defaults,
    form_template_enable,
    form_version_publish,
)
from sve.services.filing import request_save_draft, request_submit  # noqa: F401
from sve.services.implicit import attestation_owe, implicit_decisions_run  # noqa: F401
from sve.services.processing import (  # noqa: F401
    SveError,
    decision_check,
    decision_preview,
    decision_signatory,
    message_post,
    request_ask_pieces,
    request_assign,
    request_close,
    request_complete,
    request_decide,
    request_handle,
    request_open_by_agent,
    request_qualify,
    request_start_instruction,
    requests_export_logged,
    requests_qualify,
)
