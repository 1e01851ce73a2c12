"""Each action carries its review's team, for the dashboard's team-filtered scans."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery
import django.db.models.deletion


def copy_team(apps, schema_editor):
    ActionItem = apps.get_model("actions", "ActionItem")
    Review = apps.get_model("reviews", "Review")
    ActionItem.objects.filter(team__isnull=True).update(
        team=Subquery(Review.objects.filter(pk=OuterRef("review_id")).values("team_id")[:1])
    )


OPEN = ["open", "in_progress"]
CLOSED = ["done", "wont_do"]


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_settings_resurfacing"),
        ("reviews", "0008_hint_dismissals"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitem",
            name="team",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="action_items",
                to="reviews.team",
            ),
        ),
        migrations.RunPython(copy_team, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="actionitem",
            name="team",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="action_items",
                to="reviews.team",
            ),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=Q(status__in=OPEN),
                fields=["team", "due_on"],
                name="actions_open_team_due",
            ),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(fields=["team", "created_at"], name="actions_team_created"),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=Q(status__in=CLOSED),
                fields=["team", "closed_at", "status", "created_at", "due_on"],
                name="actions_closed_team_at",
            ),
        ),
    ]
