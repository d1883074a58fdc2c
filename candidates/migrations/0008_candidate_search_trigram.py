from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for the recruiters' pool search (names and typos) and GIN trigram indexes on the
    names and email it compares."""

    dependencies = [("candidates", "0007_retention_run_finished_at")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS candidate_name_trgm ON candidates_candidate USING gin "
            "((first_name || ' ' || last_name) gin_trgm_ops);"
            "CREATE INDEX IF NOT EXISTS candidate_email_trgm ON candidates_candidate USING gin "
            "(email gin_trgm_ops);",
            reverse_sql="DROP INDEX IF EXISTS candidate_name_trgm;"
            "DROP INDEX IF EXISTS candidate_email_trgm;",
        ),
    ]
