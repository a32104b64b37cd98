"""API keys get scopes. Keys that exist already could do everything (caller ID with any user's personal contacts,
call events), so they keep exactly that, marked as legacy so the API keys page can say so."""

from django.db import migrations, models

import organizations.models

EVERY_SCOPE_BEFORE = ["caller-id", "caller-id-personal", "call-events"]


def existing_keys_keep_what_they_could_do(apps, schema_editor):
    apps.get_model("organizations", "OrganizationApiKey").objects.update(scopes=EVERY_SCOPE_BEFORE,
                                                                         legacy_scopes=True)


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0003_sign_in_failure_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="organizationapikey",
            name="legacy_scopes",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="organizationapikey",
            name="scopes",
            field=models.JSONField(default=organizations.models.default_api_scopes),
        ),
        migrations.RunPython(existing_keys_keep_what_they_could_do, migrations.RunPython.noop),
    ]
