"""Store shortlists' replay inputs out of line but uncompressed.

Every match writes ~13 KB of inputs; PostgreSQL compressed them with pglz on the way in, which
cost about 0.5 ms of the database's CPU per shortlist (docs/performance.md) to save disk that a
shortlist's few kilobytes do not need. Reads are unaffected.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("staffing", "0005_reliability_answer")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE staffing_shortlist ALTER COLUMN inputs SET STORAGE EXTERNAL",
            "ALTER TABLE staffing_shortlist ALTER COLUMN inputs SET STORAGE EXTENDED",
        )
    ]
