from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS reviews_review_search ON reviews_review "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reviews_review_search")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0005_pr_sections_search")]

    operations = [migrations.RunPython(create, drop)]
