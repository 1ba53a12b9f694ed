"""Documents the law says we owe someone (an acknowledgement, a decision, a notice, a
confirmation), kept in the database until they are issued.

The pattern, for every app that issues such a document from a worker:

1. In the transaction of the change that owes it, ``owed_record(kind=..., subject_id=...,
   task=...)``: a row (unique on kind and subject) says the document is owed, and the task
   (a Celery task name taking the subject's id) is queued when the transaction commits.
2. The task renders what it needs without holding any lock, then issues the document in
   ``with owed_issuing(kind=..., subject_id=...) as owed:`` — a short transaction holding
   only the owed row's lock; ``owed`` is False when it was issued already (a task delivered
   twice, a sweep), so a second run is a no-op. Whatever is stored and mailed inside the
   block commits together with the row's ``issued_at``.
3. The ``owed.sweep`` tenant job (beat, every few minutes) re-queues rows still owed after
   ``OWED_RESEND_AFTER_SECONDS``: a worker killed mid-task, a broker that lost its queue.
   The app is also a shared one: the public schema's e-mails (support desk, conventions'
   and billing's reminders) are owed in the public schema's table, swept by the
   ``owed.sweep_public`` public job.

Pages show "en cours d'envoi" for what ``owed_pending`` returns. Portal imports no app:
kinds are plain strings ("sve.aee", "rendezvous.confirmation") and tasks are named.
"""
