from portal.jobs.registry import tenant_job
from sve.services.implicit import implicit_decisions_run


@tenant_job("sve.implicit_decisions")
def implicit_decisions() -> dict:
    """Nightly, per tenant: implicit acceptances and refusals whose date has passed."""
    return implicit_decisions_run()
