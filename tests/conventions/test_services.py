"""Conventions' services: guarded transitions, history, notices, avenants, threshold."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from conventions import services
from conventions.models import Application, Convention, Notice, Period
from conventions.services import ConventionError
from portal.audit.history import history_for, history_verify
from tenants.models import Collectivite

State = Convention.State


def _active(
    catalogue, collectivite, admin, *, seed="000", signed_on=date(2025, 3, 10), starts_on=None
):
    convention = services.convention_create(
        model=catalogue[seed], collectivite=collectivite, acting_user=admin
    )
    services.convention_send(convention=convention, acting_user=admin)
    return services.convention_sign(
        convention=convention,
        signed_on=signed_on,
        starts_on=starts_on,
        acting_user=admin,
        today=signed_on,
    )


def test_draft_sent_signed_in_force_with_history_and_services(catalogue, tenant_a, platform_admin):
    convention = services.convention_create(
        model=catalogue["000"],
        collectivite=tenant_a,
        acting_user=platform_admin,
        applications=[Application.objects.get(code="sve")],
    )
    assert convention.state == State.DRAFT
    services.convention_send(convention=convention, acting_user=platform_admin)
    convention = services.convention_sign(
        convention=convention,
        signed_on=date(2025, 3, 10),
        acting_user=platform_admin,
        today=date(2025, 3, 10),
    )
    convention.refresh_from_db()
    assert convention.state == State.ACTIVE
    assert convention.starts_on == date(2025, 3, 10)
    period = Period.objects.get(convention=convention)
    assert (period.number, period.starts_on, period.ends_on) == (
        1,
        date(2025, 3, 10),
        date(2026, 3, 9),
    )
    assert [e.action for e in history_for(subject=convention)] == [
        "created",
        "sent",
        "signed",
        "in_force",
    ]
    assert history_verify(stream="conventions") == []
    # A member uses what its agreements in force cover.
    assert Collectivite.objects.get(pk=tenant_a.pk).services == ["sve"]
    assert convention.documents.get(kind="agreement").is_owed


def test_a_transition_from_the_wrong_state_is_refused_and_saves_nothing(
    catalogue, tenant_a, platform_admin
):
    convention = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    before = history_for(subject=convention).count()
    with pytest.raises(ConventionError, match="Brouillon"):
        services.convention_suspend(
            convention=convention, reason="Manquement", acting_user=platform_admin
        )
    convention.refresh_from_db()
    assert convention.state == State.DRAFT
    assert history_for(subject=convention).count() == before


def test_only_platform_admins_act(catalogue, tenant_a, user_factory):
    agent = user_factory()
    with pytest.raises(ConventionError, match="administrateur de la plateforme"):
        services.convention_create(model=catalogue["000"], collectivite=tenant_a, acting_user=agent)
    assert not Convention.objects.filter(collectivite=tenant_a).exists()


def test_a_second_live_convention_of_the_same_model_is_refused(catalogue, tenant_a, platform_admin):
    _active(catalogue, tenant_a, platform_admin)
    second = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    with pytest.raises(ConventionError, match="déjà une convention"):
        services.convention_sign(
            convention=second,
            signed_on=date(2025, 4, 1),
            acting_user=platform_admin,
            today=date(2025, 4, 1),
        )
    second.refresh_from_db()
    assert (second.state, second.signed_on) == (State.DRAFT, None)
    # The database itself holds the rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=second.pk).update(state=State.ACTIVE)


def test_an_application_outside_the_model_is_refused(catalogue, tenant_a, platform_admin):
    with pytest.raises(ConventionError, match="hors du modèle"):
        services.convention_create(
            model=catalogue["000"],
            collectivite=tenant_a,
            acting_user=platform_admin,
            applications=[Application.objects.get(code="helios")],
        )
    convention = _active(catalogue, tenant_a, platform_admin)
    with pytest.raises(ConventionError, match="hors du modèle"):
        services.amendment_request(
            convention=convention,
            add=[Application.objects.get(code="helios")],
            remove=[],
            requested_on=date(2025, 4, 1),
            effective_on=date(2025, 5, 1),
            acting_user=platform_admin,
        )
    assert not convention.amendments.exists()


def test_a_notice_dated_before_the_signature_is_refused(catalogue, tenant_a, platform_admin):
    convention = _active(catalogue, tenant_a, platform_admin)
    with pytest.raises(ConventionError, match="avant la signature"):
        services.notice_record(
            convention=convention,
            party="member",
            received_on=date(2025, 3, 1),
            means="registered_letter",
            acting_user=platform_admin,
        )
    assert not Notice.objects.exists()


def test_a_late_notice_is_recorded_and_says_when_it_takes_effect(
    catalogue, tenant_a, platform_admin
):
    convention = _active(catalogue, tenant_a, platform_admin)
    # Anniversary 10 March 2026: the last day to give notice is 10 December 2025.
    notice = services.notice_record(
        convention=convention,
        party="member",
        received_on=date(2025, 12, 11),
        means="registered_letter",
        acting_user=platform_admin,
    )
    assert (notice.on_time, notice.ends_on) == (False, date(2027, 3, 9))
    convention.refresh_from_db()
    assert convention.ends_on == date(2027, 3, 9)


def _pdf(name="scan.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_the_signed_scan_must_be_a_real_pdf(catalogue, tenant_a, platform_admin):
    convention = _active(catalogue, tenant_a, platform_admin)
    with pytest.raises(ConventionError, match="type accepté"):
        services.convention_scan_attach(
            convention=convention,
            uploaded=_pdf("scan.pdf", b"GIF89a not a pdf"),
            acting_user=platform_admin,
        )
    with pytest.raises(ConventionError, match="PDF complet"):
        services.convention_scan_attach(
            convention=convention,
            uploaded=_pdf(body=b"%PDF-1.4\ntruncated"),
            acting_user=platform_admin,
        )
    assert not convention.documents.filter(kind="signed").exists()
    document = services.convention_scan_attach(
        convention=convention, uploaded=_pdf(), acting_user=platform_admin
    )
    assert bytes(document.content).startswith(b"%PDF")


def test_suspension_blocks_the_back_office_with_the_reason(catalogue, tenant_a, platform_admin):
    convention = _active(catalogue, tenant_a, platform_admin)
    services.convention_suspend(
        convention=convention,
        reason="Mise en demeure du 2 mai restée sans effet",
        acting_user=platform_admin,
    )
    tenant_a.refresh_from_db()
    assert tenant_a.status == Collectivite.Status.SUSPENDED
    assert "Mise en demeure" in tenant_a.suspension_reason
    services.convention_resume(convention=convention, acting_user=platform_admin)
    tenant_a.refresh_from_db()
    assert tenant_a.status == Collectivite.Status.ACTIVE


def test_threshold_enters_into_force_the_day_it_is_exceeded(
    catalogue, collectivite_factory, platform_admin
):
    model = catalogue["004"]
    members = [collectivite_factory() for _ in range(4)]
    conventions = []
    for member, euros in zip(members, (200_000, 200_000, 100_000, 20_000), strict=True):
        conventions.append(
            services.convention_create(
                model=model,
                collectivite=member,
                acting_user=platform_admin,
                commitment_cents=euros * 100,
            )
        )
    for day, convention in zip((1, 2, 3), conventions[:3], strict=True):
        services.convention_sign(
            convention=convention,
            signed_on=date(2019, 5, day),
            acting_user=platform_admin,
            today=date(2019, 5, day),
        )
    # 500,000 € exactly: "dépasse" is not met yet.
    assert services.threshold_total(model=model) == 50_000_000
    assert {c.state for c in Convention.objects.filter(model=model, signed_on__isnull=False)} == {
        State.WAITING_THRESHOLD
    }
    services.convention_sign(
        convention=conventions[3],
        signed_on=date(2019, 6, 3),
        acting_user=platform_admin,
        today=date(2019, 6, 3),
    )
    for convention in conventions:
        convention.refresh_from_db()
        assert (convention.state, convention.starts_on, convention.ends_on) == (
            State.ACTIVE,
            date(2019, 6, 3),
            date(2020, 6, 2),
        )
    # Unused funds go back pro rata of what each paid, adding up to the cent.
    refunds = services.threshold_refunds(model=model, unused_cents=1_234_567)
    assert sum(cents for _, cents in refunds) == 1_234_567
    assert [cents for _, cents in refunds] == [474_834, 474_833, 237_417, 47_483]


def test_threshold_not_reached_by_the_last_day_lapses(
    catalogue, collectivite_factory, platform_admin
):
    model = catalogue["004"]
    convention = services.convention_create(
        model=model,
        collectivite=collectivite_factory(),
        acting_user=platform_admin,
        commitment_cents=2_000_000,
    )
    services.convention_sign(
        convention=convention,
        signed_on=date(2019, 5, 1),
        acting_user=platform_admin,
        today=date(2019, 5, 1),
    )
    services.conventions_daily(today=date(2019, 6, 30))
    convention.refresh_from_db()
    assert convention.state == State.WAITING_THRESHOLD
    services.conventions_daily(today=date(2019, 7, 1))
    convention.refresh_from_db()
    assert convention.state == State.EXPIRED
    assert "non atteint" in convention.state_reason
    late = services.convention_create(
        model=model,
        collectivite=collectivite_factory(),
        acting_user=platform_admin,
        commitment_cents=100,
    )
    with pytest.raises(ConventionError, match="trop tardive"):
        services.convention_sign(
            convention=late,
            signed_on=date(2019, 7, 1),
            acting_user=platform_admin,
            today=date(2019, 7, 2),
        )


@pytest.mark.parametrize("kind", ["agreement", "usage_report"])
def test_convention_documents_are_tagged_and_archivable(catalogue, tenant_a, platform_admin, kind):
    """Issue 26: read back from the issued file, the structure tree for assistive
    technologies and the PDF/A-3 declaration, output intent and embedded fonts."""
    from tests.pdf_structure import accessibility_problems, pdfa_problems, seal_status

    convention = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    if kind == "agreement":
        services.convention_send(convention=convention, acting_user=platform_admin)
        document = convention.documents.get(kind="agreement")
        title = f"{catalogue['000'].name} — Commune A"
    else:
        services.convention_sign(
            convention=convention,
            signed_on=date(2025, 3, 10),
            acting_user=platform_admin,
            today=date(2025, 3, 10),
        )
        document = services.usage_report_request(
            convention=convention, year=2025, acting_user=platform_admin
        )
        title = "Compte rendu d'utilisation 2025 — Commune A"
    assert services.document_issue(document_id=document.pk)
    document.refresh_from_db()
    assert accessibility_problems(document.content, title=title) == []
    assert pdfa_problems(document.content) == []
    status = seal_status(document.content)
    assert status.intact and status.valid and status.trusted
