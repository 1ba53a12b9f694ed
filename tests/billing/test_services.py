import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from billing.liquidation import liquidate
from billing.models import Campaign, Payment, Tariff, TariffLine, Titre, TitreSequence
from billing.selectors import titre_balance_cents
from billing.services import (
    campaign_create,
    payment_record,
    population_override_set,
    tariff_save,
    titre_contest,
    titre_correct,
    titre_issue,
    titre_render,
    titre_send,
)
from billing.services.titres import issuer_snapshot
from portal.audit.history import history_verify

pytestmark = pytest.mark.django_db


def _issue_all(year=2026, today=date(2026, 9, 1)):
    liquidation = liquidate(year=year, model_ids=[m.model.pk for m in liquidation_models(year)])
    return [
        titre_issue(bill=bill, year=year, issuer=issuer_snapshot(), today=today)
        for bill in liquidation.members
    ]


def liquidation_models(year):
    return Tariff.objects.filter(year=year)


def test_preview_writes_the_bases_and_reconciles(laverune_setup, share_model):
    liquidation = liquidate(year=2026, model_ids=[share_model.pk])
    assert liquidation.errors == []
    laverune = next(m for m in liquidation.members if m.convention.collectivite.name == "Lavérune")
    assert [line.amount_cents for line in laverune.lines] == [6734, 4649, 3628]
    assert laverune.total_ttc == 15011
    assert (
        "1\u202f000\u00a0hab. × (13\u202f468,00\u00a0€ − 6\u202f734,00\u00a0€) ÷ 100\u202f000\u00a0hab."
        in (laverune.lines[0].basis)
    )
    assert "population totale, millésime 2023" in laverune.lines[0].basis
    (model_bill,) = liquidation.models
    assert all(total.reconciled for total in model_bill.applications)


def test_issue_numbers_and_records_history(laverune_setup):
    titres = _issue_all()
    assert sorted(t.number for t in titres) == [1, 2, 3]
    assert TitreSequence.objects.get(year=2026).last_number == 3
    assert history_verify(stream="billing") == []
    titre = Titre.objects.get(collectivite__name="Lavérune")
    assert titre.total_ttc_cents == 15011 and titre.lines.count() == 3


def test_running_again_issues_nothing_and_consumes_no_number(laverune_setup):
    _issue_all()
    assert _issue_all() == [None, None, None]
    assert Titre.objects.count() == 3
    assert TitreSequence.objects.get(year=2026).last_number == 3


def test_issued_titre_is_immutable(laverune_setup):
    titre = _issue_all()[0]
    with pytest.raises(Exception, match="immutable|cannot be changed"):
        with transaction.atomic():
            Titre.objects.filter(pk=titre.pk).update(total_ttc_cents=1)
    with pytest.raises(Exception, match="cannot be changed"):
        with transaction.atomic():
            Titre.objects.filter(pk=titre.pk).update(document="memoire")
    with pytest.raises(Exception, match="immutable"):
        with transaction.atomic():
            titre.lines.update(amount_ttc_cents=1)
    with pytest.raises(Exception, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM billing_titre WHERE id = %s", [titre.pk])


def test_member_without_population_blocks_the_campaign(
    laverune_setup, member, convention_for, share_model
):
    convention_for(member("Sans chiffre", None), share_model)
    liquidation = liquidate(year=2026, model_ids=[share_model.pk])
    assert any("population inconnue pour Sans chiffre" in e for e in liquidation.errors)


def test_override_with_source_is_used_and_written(laverune_setup, share_model):
    laverune = laverune_setup[0].collectivite
    with pytest.raises(ValidationError, match="source"):
        population_override_set(
            collectivite=laverune, year=2026, population=2000, source="", acting_user=None
        )
    population_override_set(
        collectivite=laverune,
        year=2026,
        population=2_000,
        source="Recensement complémentaire 2025",
        acting_user=None,
    )
    bill = next(
        m
        for m in liquidate(year=2026, model_ids=[share_model.pk]).members
        if m.convention.collectivite_id == laverune.pk
    )
    assert bill.population == 2_000
    assert "Recensement complémentaire 2025" in bill.lines[0].basis


def test_campaign_for_a_year_without_tariff_is_refused(share_model, issuer):
    with pytest.raises(ValidationError, match="aucun tarif n'est saisi pour 2031"):
        campaign_create(year=2031, model_ids=[share_model.pk], acting_user=None)
    assert not Campaign.objects.exists()


def test_the_campaign_and_its_preview_refuse_a_year_without_tariff_in_the_same_words(
    share_model, issuer
):
    # Issue 27 §3: the blocking checks were written twice, with different words.
    with pytest.raises(ValidationError) as refused:
        campaign_create(year=2031, model_ids=[share_model.pk], acting_user=None)
    preview = liquidate(year=2031, model_ids=[share_model.pk])
    assert refused.value.messages == preview.errors
    assert preview.errors == [
        f"« {share_model.name} » : aucun tarif n'est saisi pour 2031 ; saisissez-le avant la "
        "campagne."
    ]


@pytest.mark.parametrize(
    "amount,participation,message",
    [(-100, 0, "négatif"), (1000, 2000, "dépasse le coût annuel"), (10**12, 0, "invraisemblable")],
)
def test_bad_tariff_is_refused_and_nothing_saved(share_model, amount, participation, message):
    from conventions.models import Application

    line = TariffLine(
        kind=TariffLine.Kind.APPLICATION,
        label="X",
        application=Application.objects.get(code="e-administration"),
        amount_cents=amount,
        participation_cents=participation,
    )
    with pytest.raises(ValidationError, match=message):
        tariff_save(model=share_model, year=2030, decision="", lines=[line], acting_user=None)
    assert not Tariff.objects.filter(year=2030).exists()


def _deliver(titre, today):
    titre_render(titre_id=titre.pk, today=today)
    assert titre_send(titre_id=titre.pk, today=today)
    titre.refresh_from_db()
    return titre


def test_notification_fixes_dates_and_mail_is_sent_once(
    laverune_setup, user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    from tenants.models import Membership

    titre = _issue_all()[0]
    Membership.objects.create(
        user=user_factory(email="admin@membre.example.fr"),
        collectivite=titre.collectivite,
        role=Membership.Role.ADMIN,
    )
    titre_render(titre_id=titre.pk, today=date(2026, 7, 3))  # the notification date
    with django_capture_on_commit_callbacks(execute=True):
        # Friday 3 July 2026: 8 clear days end on Sunday 12 July -> Monday 13 July.
        assert titre_send(titre_id=titre.pk, today=date(2026, 7, 3))
        assert not titre_send(titre_id=titre.pk, today=date(2026, 7, 4))
    titre.refresh_from_db()
    assert titre.contest_until == date(2026, 7, 13)
    assert titre.due_on == date(2026, 8, 2)
    assert titre.notified_on == date(2026, 7, 3)
    (mail,) = mailoutbox
    assert mail.to == ["admin@membre.example.fr"]
    assert mail.attachments[0][0] == titre.filename
    assert "13/07/2026" in mail.body and "02/08/2026" in mail.body


def test_contest_within_window_then_refused_after(laverune_setup):
    first, second, _ = [_deliver(t, date(2026, 6, 1)) for t in _issue_all()]
    with pytest.raises(ValidationError, match="reçue dans le futur"):
        titre_contest(
            titre=second,
            received_on=date(2026, 6, 4),
            means="email",
            reason="Trop",
            acting_user=None,
            today=date(2026, 6, 3),
        )
    with pytest.raises(ValidationError, match="expiré le 10/06/2026"):
        titre_contest(
            titre=first,
            received_on=date(2026, 6, 11),
            means="email",
            reason="Trop",
            acting_user=None,
        )
    titre_contest(
        titre=second,
        received_on=date(2026, 6, 10),
        means="email",
        reason="Population erronée",
        acting_user=None,
    )
    second.refresh_from_db()
    assert second.status == Titre.Status.CONTESTED
    with pytest.raises(ValidationError, match="déjà contesté"):
        titre_contest(
            titre=second, received_on=date(2026, 6, 10), means="email", reason="x", acting_user=None
        )


def test_correction_cancels_and_reissues_with_new_numbers(laverune_setup, share_model):
    titres = [_deliver(t, date(2026, 9, 1)) for t in _issue_all()]
    laverune_titre = next(t for t in titres if t.collectivite.name == "Lavérune")
    population_override_set(
        collectivite=laverune_titre.collectivite,
        year=2026,
        population=1_500,
        source="Erreur de millésime",
        acting_user=None,
    )
    annulation, new = titre_correct(
        titre=laverune_titre,
        reason="Population corrigée",
        acting_user=None,
        today=date(2026, 9, 20),
    )
    assert (annulation.number, new.number) == (4, 5)
    assert annulation.kind == Titre.Kind.ANNULATION and annulation.corrects == laverune_titre
    assert annulation.total_ttc_cents == laverune_titre.total_ttc_cents
    assert new.replaces == laverune_titre and new.total_ttc_cents != laverune_titre.total_ttc_cents
    laverune_titre.refresh_from_db()
    assert laverune_titre.status == Titre.Status.CANCELLED
    assert titre_balance_cents(laverune_titre) == 0
    # The corrected titre's payment falls due 30 days after its own notification.
    new = _deliver(new, date(2026, 9, 21))
    assert new.due_on == date(2026, 10, 21)
    with pytest.raises(ValidationError, match="déjà annulé"):
        titre_correct(titre=laverune_titre, reason="encore", acting_user=None)
    assert TitreSequence.objects.get(year=2026).last_number == 5
    assert history_verify(stream="billing") == []


def test_payments_partial_balance_and_refusal_above_balance(laverune_setup):
    titre = _issue_all()[0]
    payment_record(
        titre=titre, paid_on=date(2026, 10, 1), amount_cents=1000, reference="V1", acting_user=None
    )
    assert titre_balance_cents(titre) == titre.total_ttc_cents - 1000
    with pytest.raises(ValidationError, match="dépasse le solde restant dû"):
        payment_record(
            titre=titre,
            paid_on=date(2026, 10, 2),
            amount_cents=titre.total_ttc_cents,
            reference="V2",
            acting_user=None,
        )
    assert Payment.objects.count() == 1
    payment_record(
        titre=titre,
        paid_on=date(2026, 10, 3),
        amount_cents=titre.total_ttc_cents - 1000,
        reference="V3",
        acting_user=None,
    )
    assert titre_balance_cents(titre) == 0


def test_payment_dated_in_the_future_or_before_the_titre_is_refused(laverune_setup):
    titre = _issue_all()[0]  # issued on 1 September 2026
    for paid_on, message in [
        (date(2026, 10, 2), "est dans le futur"),
        (date(2026, 8, 31), "précède l'émission du titre"),
    ]:
        with pytest.raises(ValidationError, match=message):
            payment_record(
                titre=titre,
                paid_on=paid_on,
                amount_cents=100,
                reference="V",
                acting_user=None,
                today=date(2026, 10, 1),
            )
    assert not Payment.objects.exists()
    payment_record(
        titre=titre,
        paid_on=date(2026, 10, 1),
        amount_cents=100,
        reference="V",
        acting_user=None,
        today=date(2026, 10, 1),
    )


def test_correction_refused_once_the_exercice_is_closed(laverune_setup):
    """CGCT L1612-11: titres of exercice 2026 may be issued until 31 January 2027."""
    first, second = _issue_all()[:2]
    with pytest.raises(ValidationError, match="L'exercice 2026 est clos depuis le 31/01/2027"):
        titre_correct(titre=first, reason="Erreur", acting_user=None, today=date(2027, 2, 1))
    assert TitreSequence.objects.get(year=2026).last_number == 3
    first.refresh_from_db()
    assert first.status != Titre.Status.CANCELLED
    annulation, new = titre_correct(
        titre=second, reason="Erreur", acting_user=None, today=date(2027, 1, 31)
    )
    assert (annulation.year, annulation.number, new.number) == (2026, 4, 5)


@pytest.fixture
def as_the_worker(django_capture_on_commit_callbacks):
    """Run a daily job so that what it owes is sent as the worker sends it: each owed
    reminder's task runs (eagerly) when the owing transaction commits."""
    from portal.celery import app

    app.conf.task_always_eager = app.conf.task_eager_propagates = True

    def run(job, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return job(**kwargs)

    yield run
    app.conf.task_always_eager = app.conf.task_eager_propagates = False


def test_overdue_reminder_once_per_step(laverune_setup, user_factory, mailoutbox, as_the_worker):
    from billing.jobs import overdue_reminders
    from tenants.models import Membership

    titre = _deliver(_issue_all(today=date(2026, 6, 1))[0], date(2026, 6, 1))  # due 1 July
    admin = user_factory(email="maire@laverune.example.fr")
    Membership.objects.create(
        user=admin, collectivite=titre.collectivite, role=Membership.Role.ADMIN
    )
    assert as_the_worker(overdue_reminders, today=date(2026, 7, 2)) == 1
    assert as_the_worker(overdue_reminders, today=date(2026, 7, 3)) == 0
    assert as_the_worker(overdue_reminders, today=date(2026, 7, 31)) == 1  # step 30
    payment_record(
        titre=titre,
        paid_on=date(2026, 8, 1),
        amount_cents=titre.total_ttc_cents,
        reference="",
        acting_user=None,
    )
    assert as_the_worker(overdue_reminders, today=date(2026, 9, 1)) == 0
    reminders = [m for m in mailoutbox if m.subject.startswith("Relance")]
    assert len(reminders) == 2 and reminders[0].to == ["maire@laverune.example.fr"]


def test_campaign_reminder_from_first_september(
    laverune_setup, user_factory, mailoutbox, as_the_worker
):
    from billing.jobs import campaign_reminder

    user_factory(email="finance@operateur.example.fr", is_finance=True)
    assert as_the_worker(campaign_reminder, today=date(2026, 8, 31)) == 0
    assert as_the_worker(campaign_reminder, today=date(2026, 9, 1)) == 1
    assert as_the_worker(campaign_reminder, today=date(2026, 9, 1)) == 0  # once a day
    assert [m.subject for m in mailoutbox if "30/09/2026" in m.subject]
    _issue_all()
    assert (
        as_the_worker(campaign_reminder, today=date(2026, 9, 2)) == 0
    )  # issued: no more reminders


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_leaves_no_gap_and_no_duplicate(
    member, convention_for, share_model, share_tariff, issuer
):
    conventions = [convention_for(member(f"Commune {i}", 100 + i), share_model) for i in range(12)]
    liquidation = liquidate(year=2026, model_ids=[share_model.pk])
    bills = liquidation.members
    snapshot = issuer_snapshot()
    errors = []

    def work(chunk):
        try:
            for bill in chunk:
                titre_issue(bill=bill, year=2026, issuer=snapshot, today=date(2026, 9, 1))
                # And a failing issue in the middle: rolled back with its number.
                try:
                    with transaction.atomic():
                        from billing.services.titres import _next_number

                        _next_number(2026, snapshot)
                        raise RuntimeError("échec simulé")
                except RuntimeError:
                    pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # Every thread tries every member (duplicates must be refused), in different orders.
    threads = [
        threading.Thread(target=work, args=(bills[i::1] if i % 2 else bills[::-1],))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Titre.objects.filter(year=2026).values_list("number", flat=True))
    assert numbers == list(range(1, len(conventions) + 1))
    assert TitreSequence.objects.get(year=2026).last_number == len(conventions)
