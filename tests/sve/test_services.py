"""Filing, transitions (status and role), documents and the implicit-decision job."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from sve import documents, services
from sve.models import Document, JournalEntry, Request, Status
from sve.services import SveError
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, png, submit

pytestmark = pytest.mark.django_db


def test_submit_gives_reference_receipt_deadlines_and_queues_the_aee(
    tenant_a, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        form = enabled_form()
        with time_machine.travel("2026-04-03 10:15 +02:00", tick=False):
            with django_capture_on_commit_callbacks() as callbacks:
                req = submit(form, files={"piece": png()})
        assert len(callbacks) == 1  # the AEE is produced by the worker, not here
        req.refresh_from_db()
        assert req.status == Status.SUBMITTED
        assert req.reference.startswith("2026-") and len(req.reference) == 13
        assert req.received_on == date(2026, 4, 3)
        assert req.ar_due_on == date(2026, 4, 20)  # Easter Monday skipped
        assert req.implicit_decision_on == date(2026, 6, 3)
        assert req.form_version == form.current_version
        upload = req.documents.get(kind=Document.Kind.UPLOAD)
        assert upload.content_type == "image/png" and bytes(upload.content).startswith(b"\x89PNG")
        assert JournalEntry.objects.filter(request=req, action="submitted").exists()


def test_aee_pdf_and_email_once(tenant_a, outbox, eager_tasks, django_capture_on_commit_callbacks):
    import io

    from pypdf import PdfReader

    with in_tenant(tenant_a):
        form = enabled_form()
        with django_capture_on_commit_callbacks(execute=True):
            req = submit(form, data={"objet": "<script>alert(1)</script>"})
    with in_tenant(tenant_a):
        aee = Document.objects.get(request=req, kind=Document.Kind.AEE)
        text = PdfReader(io.BytesIO(bytes(aee.content))).pages[0].extract_text()
        assert req.reference in text and "<script>alert(1)</script>" in text
        assert len(outbox) == 1
        mail = outbox[0]
        assert mail.to == [req.email] and req.reference in mail.subject
        html = mail.alternatives[0][0]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
        assert mail.attachments[0][0].endswith(".pdf")
        # A second delivery of the task changes nothing.
        assert documents.document_issue(request_id=req.pk, kind=Document.Kind.AEE) is None
        assert len(outbox) == 1


def test_submit_refuses_missing_identity_and_disabled_form(tenant_a):
    with in_tenant(tenant_a):
        form = enabled_form()
        with pytest.raises(SveError, match="adresse postale"):
            submit(
                form,
                identity={
                    "last_name": "X",
                    "first_name": "Y",
                    "email": "a@b.fr",
                    "postal_address": "",
                },
            )
        services.form_enable(form=form, acting_user=None, enabled=False)
        with pytest.raises(SveError, match="pas en ligne"):
            submit(form)
        assert not Request.objects.exists()


def test_draft_then_submit_keeps_the_same_request(tenant_a, user_factory):
    with in_tenant(tenant_a):
        form = enabled_form()
        user = user_factory()
        draft = services.request_save_draft(form=form, acting_user=user, identity={}, data={})
        assert draft.status == Status.DRAFT and draft.reference is None
        req = services.request_submit(
            form=form, acting_user=user, identity=IDENTITY_OK, data={"objet": "x"}, draft=draft
        )
        assert req.pk == draft.pk and req.status == Status.SUBMITTED
        with pytest.raises(SveError):
            services.request_save_draft(
                form=form, acting_user=user, identity={}, data={}, draft=req
            )


IDENTITY_OK = {"last_name": "A", "first_name": "B", "postal_address": "C", "email": "d@e.fr"}


def test_only_agents_qualify_and_only_from_submitted(tenant_a, agent_a, user_factory, agent_b):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        for outsider in (None, user_factory(), agent_b):
            with pytest.raises(SveError, match="agents"):
                services.request_qualify(request=req, acting_user=outsider, regime="sva")
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        req.refresh_from_db()
        assert req.status == Status.ACKNOWLEDGED and req.regime == "svr"
        with pytest.raises(SveError, match="statut"):
            services.request_qualify(request=req, acting_user=agent_a, regime="sva")


def test_ar_document_states_the_law(
    tenant_a, agent_a, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    import io

    from pypdf import PdfReader

    with in_tenant(tenant_a):
        with time_machine.travel("2026-01-05 09:00 +01:00", tick=False):
            req = submit(enabled_form(regime="svr"))
            with django_capture_on_commit_callbacks(execute=True):
                services.request_qualify(request=req, acting_user=agent_a, regime="svr")
    with in_tenant(tenant_a):
        ar = Document.objects.get(request=req, kind=Document.Kind.AR)
        text = " ".join(PdfReader(io.BytesIO(bytes(ar.content))).pages[0].extract_text().split())
        assert "5 janvier 2026" in text  # date of receipt
        assert "Service état civil" in text and "04 92 00 00 00" in text
        assert "Silence vaut refus" in text and "5 mars 2026" in text
        assert "tribunal administratif" in text and "deux mois" in text
        assert any("Accusé de réception" in m.subject for m in outbox)


def test_pieces_suspend_svr_and_restart_sva(tenant_a, agent_a):
    with in_tenant(tenant_a):
        form_svr = enabled_form(regime="svr")
        with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
            svr = submit(form_svr)
            sva = submit(enabled_form(regime="sva", slug="autre"))
            for req in (svr, sva):
                services.request_qualify(request=req, acting_user=agent_a, regime=req.regime)
        with time_machine.travel("2026-01-20 10:00 +01:00", tick=False):
            for req in (svr, sva):
                services.request_ask_pieces(
                    request=req, acting_user=agent_a, items="Justificatif", due_on=date(2026, 2, 20)
                )
                req.refresh_from_db()
                assert req.status == Status.AWAITING_PIECES
            # SVA: no date until complete; SVR: suspended for the time given (until 20 Feb).
            assert sva.implicit_decision_on is None
            assert svr.implicit_decision_on == date(2026, 4, 10)
        with time_machine.travel("2026-02-04 10:00 +01:00", tick=False):
            for req in (svr, sva):
                services.request_complete(
                    request=req, acting_user=None, token=req.access_token, files={"p": png()}
                )
        svr.refresh_from_db()
        sva.refresh_from_db()
        assert svr.status == sva.status == Status.INSTRUCTION
        assert svr.implicit_decision_on == date(2026, 3, 25)
        assert sva.implicit_decision_on == date(2026, 4, 4)


def test_complete_needs_the_token_and_the_right_status(tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        with pytest.raises(SveError):
            services.request_complete(
                request=req, acting_user=None, token="wrong", files={"p": png()}
            )
        with pytest.raises(SveError, match="statut"):
            services.request_complete(
                request=req, acting_user=None, token=req.access_token, files={"p": png()}
            )


def test_express_decision_stops_the_clock_and_refusal_needs_reasons(
    tenant_a, agent_a, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
        with pytest.raises(SveError, match="statut"):
            services.request_decide(request=req, acting_user=agent_a, accept=True, reasons="")
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        with pytest.raises(SveError, match="motivé"):
            services.request_decide(request=req, acting_user=agent_a, accept=False, reasons="")
        with django_capture_on_commit_callbacks(execute=True):
            services.request_decide(
                request=req, acting_user=agent_a, accept=False, reasons="Terrain en zone inondable"
            )
    with in_tenant(tenant_a):
        req.refresh_from_db()
        assert req.status == Status.REJECTED
        decision = Document.objects.get(request=req, kind=Document.Kind.DECISION)
        assert decision.content_type == "application/pdf"
        # The job never turns an express decision into an implicit one.
        assert services.implicit_decisions_run(today=date(2099, 1, 1)) == {
            "accepted": 0,
            "rejected": 0,
        }
        with pytest.raises(SveError, match="statut"):
            services.request_close(request=req, acting_user=agent_a)


def test_close_assign_and_messages(tenant_a, agent_a, user_factory):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        with pytest.raises(SveError, match="agent"):
            services.request_assign(requests=[req], acting_user=agent_a, assignee=user_factory())
        services.request_assign(requests=[req], acting_user=agent_a, assignee=agent_a)
        req.refresh_from_db()
        assert req.assignee == agent_a
        with pytest.raises(SveError):
            services.message_post(
                request=req, acting_user=None, body="note", internal=True, from_agent=False
            )
        services.message_post(request=req, acting_user=None, body="Question", from_agent=False)
        services.message_post(request=req, acting_user=agent_a, body="Réponse", from_agent=True)
        services.message_post(
            request=req, acting_user=agent_a, body="Interne", internal=True, from_agent=True
        )
        assert req.messages.filter(internal=False).count() == 2
        services.request_close(request=req, acting_user=agent_a, reasons="Doublon")
        req.refresh_from_db()
        assert req.status == Status.CLOSED
        actions = list(req.journal.values_list("action", flat=True))
        assert actions == [
            "submitted",
            "assigned",
            "message_posted",
            "message_posted",
            "note_added",
            "closed",
        ]


def test_implicit_job_is_idempotent_and_tells_the_citizen(
    tenant_a, agent_a, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    from portal.jobs.services import job_run

    with in_tenant(tenant_a):
        with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
            sva = submit(enabled_form(regime="sva"))
            svr = submit(enabled_form(regime="svr", slug="refus"))
            pending = submit(enabled_form(regime="sva", slug="pieces"))
            services.request_qualify(request=pending, acting_user=agent_a, regime="sva")
            services.request_ask_pieces(
                request=pending, acting_user=agent_a, items="x", due_on=date(2026, 2, 1)
            )
        with time_machine.travel("2026-03-10 12:00 +01:00", tick=False):  # the date itself
            assert services.implicit_decisions_run() == {"accepted": 0, "rejected": 0}
        with time_machine.travel("2026-03-11 00:30 +01:00", tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                run = job_run(job="sve.implicit_decisions")
            assert run.result == {"accepted": 1, "rejected": 1}
            second = job_run(job="sve.implicit_decisions")
            assert second.result == {"accepted": 0, "rejected": 0}
    with in_tenant(tenant_a):
        sva.refresh_from_db()
        svr.refresh_from_db()
        pending.refresh_from_db()
        assert sva.status == Status.IMPLICITLY_ACCEPTED
        assert svr.status == Status.IMPLICITLY_REJECTED
        assert pending.status == Status.AWAITING_PIECES
        subjects = [m.subject for m in outbox]
        assert sum("acceptée implicitement" in s for s in subjects) == 1
        assert sum("refusée implicitement" in s for s in subjects) == 1
        refusal = next(m for m in outbox if "refusée implicitement" in m.subject)
        # No AR was sent for it: CRPA L112-6, the appeal delay is not opposable.
        assert "ne vous est pas opposable" in refusal.body
        assert JournalEntry.objects.filter(action="implicitly_accepted").count() == 1
        # The notice task delivered twice sends nothing more.
        from sve import tasks

        assert tasks.implicit_notify([sva.pk, svr.pk]) == 0
        # L232-3: an attestation of implicit acceptance, only for SVA, made by the worker
        # with the job's owed documents (issue 26); asking again issues nothing more.
        assert Document.objects.filter(request=sva, kind="attestation").count() == 1
        assert documents.document_issue(request_id=sva.pk, kind="attestation", send=False) is None
        assert documents.document_issue(request_id=svr.pk, kind="attestation") is None


def test_received_at_is_aware_paris_time(tenant_a):
    with in_tenant(tenant_a):
        with time_machine.travel("2026-12-31 23:30 +01:00", tick=False):
            req = submit(enabled_form())
        assert timezone.is_aware(req.received_at)
        assert req.received_on == date(2026, 12, 31)
        assert req.implicit_decision_on == date(2027, 2, 28)
        assert req.received_on + timedelta(days=59) == req.implicit_decision_on


def test_commune_in_alsace_moselle_counts_good_friday(tenant_a):
    with in_tenant(tenant_a):
        form = enabled_form()
        with time_machine.travel("2026-04-02 10:00 +02:00", tick=False):
            hautes_alpes = submit(form)
    tenant_a.insee_code = "67482"  # Strasbourg, for this test only (not saved)
    try:
        with in_tenant(tenant_a):
            with time_machine.travel("2026-04-02 10:00 +02:00", tick=False):
                alsace = submit(form)
    finally:
        tenant_a.refresh_from_db()
    assert hautes_alpes.ar_due_on == date(2026, 4, 17)
    assert alsace.ar_due_on == date(2026, 4, 20)  # Good Friday 3 April is a holiday there


def test_svr_refusal_arises_for_a_citizen_who_never_sends_the_pieces(tenant_a, agent_a):
    with in_tenant(tenant_a):
        with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
            svr = submit(enabled_form(regime="svr"))
            sva = submit(enabled_form(regime="sva", slug="accord"))
            for req in (svr, sva):
                services.request_qualify(request=req, acting_user=agent_a, regime=req.regime)
        with time_machine.travel("2026-01-20 10:00 +01:00", tick=False):
            for req in (svr, sva):
                services.request_ask_pieces(
                    request=req, acting_user=agent_a, items="Plan", due_on=date(2026, 2, 20)
                )
        # CRPA L114-5 al. 3: 10 March + the 31 days given = 10 April; due the day after.
        assert services.implicit_decisions_run(today=date(2026, 4, 10)) == {
            "accepted": 0,
            "rejected": 0,
        }
        assert services.implicit_decisions_run(today=date(2026, 4, 11)) == {
            "accepted": 0,
            "rejected": 1,
        }
        svr.refresh_from_db()
        sva.refresh_from_db()
        assert svr.status == Status.IMPLICITLY_REJECTED
        # SVA: the delay has not started, the file being incomplete (L114-5 al. 2).
        assert sva.status == Status.AWAITING_PIECES and sva.implicit_decision_on is None


def test_a_file_is_stored_alike_whichever_way_it_comes(tenant_a, agent_a):
    """Issue 27 §4: filing, pieces and messages share one path from upload to document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.sve.conftest import PNG

    def lying(name):  # the browser's word for the type is not taken
        return SimpleUploadedFile("x" * 300 + name, PNG, content_type="application/pdf")

    with in_tenant(tenant_a):
        req = submit(enabled_form(), files={"piece": lying("depot.png")})
        services.request_qualify(request=req, acting_user=agent_a, regime="svr")
        services.request_ask_pieces(
            request=req, acting_user=agent_a, items="Plan", due_on=date(2099, 1, 1)
        )
        services.request_complete(
            request=req, acting_user=None, token=req.access_token, files={"p": lying("plan.png")}
        )
        services.message_post(
            request=req,
            acting_user=agent_a,
            body="Ci-joint",
            from_agent=True,
            files={"attachment": lying("note.png")},
        )
        stored = {
            d.kind: d
            for d in req.documents.filter(
                kind__in=[Document.Kind.UPLOAD, Document.Kind.PIECE, Document.Kind.MESSAGE]
            )
        }
    assert {kind: d.field_name for kind, d in stored.items()} == {
        Document.Kind.UPLOAD: "piece",
        Document.Kind.PIECE: "",
        Document.Kind.MESSAGE: "",
    }
    for document in stored.values():
        assert (document.content_type, bytes(document.content)) == ("image/png", PNG)
        assert len(document.filename) == 255 and document.filename.endswith(".png")
    assert stored[Document.Kind.PIECE].message_id is not None
    assert stored[Document.Kind.MESSAGE].message_id is not None
