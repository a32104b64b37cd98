"""Celery entry points of SCIM provisioning: thin, call one service."""

from celery import shared_task

from integrations.scim.housekeeping import scim_grace_period_apply


@shared_task(name="scim.grace_period", ignore_result=True)
def grace_period() -> dict:
    return scim_grace_period_apply()
