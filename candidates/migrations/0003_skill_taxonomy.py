"""The skill taxonomy: a small, fixed list so that skills can be matched instead of free text.

Idempotent (update_or_create by code), so names can be corrected by editing this list and running
the migration on a fresh database; the reverse leaves the rows, since candidates may point at them.
"""

from __future__ import annotations

from django.db import migrations

# (code, English, Finnish, Swedish)
SKILLS = [
    ("till-work", "Till work", "Kassatyö", "Kassaarbete"),
    ("product-advice", "Product advice", "Tuoteneuvonta", "Produktrådgivning"),
    ("phone-service", "Phone service", "Puhelinpalvelu", "Telefonservice"),
    (
        "chat-email-service",
        "Chat and email service",
        "Chat- ja sähköpostipalvelu",
        "Chatt- och e-postservice",
    ),
    (
        "complaint-handling",
        "Complaint handling",
        "Reklamaatioiden käsittely",
        "Reklamationshantering",
    ),
    ("sales", "Sales", "Myyntityö", "Försäljning"),
    ("upselling", "Upselling", "Lisämyynti", "Merförsäljning"),
    ("returns-exchanges", "Returns and exchanges", "Palautukset ja vaihdot", "Returer och byten"),
    ("b2b-service", "B2B customer service", "Yritysasiakaspalvelu", "Företagskundservice"),
    (
        "tech-support",
        "Technical support (first line)",
        "Tekninen tuki (ensimmäinen taso)",
        "Teknisk support (första linjen)",
    ),
    (
        "fashion-beauty",
        "Fashion and beauty advice",
        "Muoti- ja kauneusneuvonta",
        "Mode- och skönhetsrådgivning",
    ),
    ("electronics-advice", "Electronics advice", "Elektroniikkaneuvonta", "Elektronikrådgivning"),
    (
        "fresh-counter",
        "Grocery and fresh counter",
        "Päivittäistavarat ja palvelutiski",
        "Dagligvaror och betjäningsdisk",
    ),
    ("crm-systems", "CRM systems", "CRM-järjestelmät", "CRM-system"),
]


def add_skills(apps, schema_editor):
    Skill = apps.get_model("candidates", "Skill")
    for code, name_en, name_fi, name_sv in SKILLS:
        Skill.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_fi": name_fi, "name_sv": name_sv}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(add_skills, migrations.RunPython.noop),
    ]
