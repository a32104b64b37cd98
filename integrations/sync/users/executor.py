"""The user-sync executor the run machinery calls (registered in apps.py): a whole run, or "Sync this user"."""

from integrations.sync.models import SyncRun
from integrations.sync.users.engine import UserSync, user_sync_settings
from integrations.sync.users.single_user import sync_single_user


def execute(ctx) -> None:
    settings = user_sync_settings(ctx.organization)
    if ctx.run.trigger == SyncRun.Trigger.SINGLE_USER:
        sync_single_user(ctx, settings)
    else:
        UserSync(ctx, settings).run()
