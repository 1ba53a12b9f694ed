from portal.jobs.registry import tenant_job


@tenant_job("jobs.heartbeat")
def heartbeat() -> dict:
    """Nothing to do but be recorded: shows operators that each tenant's jobs still run."""
    return {}
