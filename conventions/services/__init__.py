"""Writes of the conventions app (one transaction each, history recorded)."""

from conventions.services.common import ConventionError  # noqa: F401
from conventions.services.daily import conventions_daily  # noqa: F401
from conventions.services.documents import (  # noqa: F401
    convention_scan_attach,
    document_issue,
    document_owe,
)
from conventions.services.lifecycle import (  # noqa: F401
    convention_actions,
    convention_create,
    convention_resume,
    convention_send,
    convention_sign,
    convention_sign_with_scan,
    convention_suspend,
)
from conventions.services.notices import (  # noqa: F401
    amendment_answer,
    amendment_apply,
    amendment_request,
    notice_record,
)
from conventions.services.reports import usage_report_request  # noqa: F401
from conventions.services.threshold import (  # noqa: F401
    threshold_check,
    threshold_refunds,
    threshold_total,
)
