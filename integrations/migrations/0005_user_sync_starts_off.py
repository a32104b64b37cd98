"""User synchronization starts off for new connections. Existing connections keep what their admins chose."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0004_app_redirect_uris_help"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entraconnection",
            name="feature_user_sync",
            field=models.BooleanField(default=False, verbose_name="User and extension provisioning"),
        ),
    ]
