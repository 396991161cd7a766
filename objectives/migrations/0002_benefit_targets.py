"""Load the fixed HT1–HT5 catalogue of national benefit targets (fi / sv / en)."""

from django.db import migrations

BENEFIT_TARGETS = [
    (1, "Palveluiden yhdenvertainen saatavuus, oikea-aikaisuus ja jatkuvuus paranevat",
     "Jämlik tillgång till tjänster, tjänster i rätt tid och kontinuitet förbättras",
     "Equal access, timeliness and continuity of services improve"),
    (2, "Ennaltaehkäisy ja ennakointi paranevat",
     "Det förebyggande arbetet och förutseendet förbättras",
     "Prevention and anticipation improve"),
    (3, "Palveluiden laatu ja vaikuttavuus paranevat",
     "Tjänsternas kvalitet och verkningsfullhet förbättras",
     "Quality and effectiveness of services improve"),
    (4, "Palveluiden monialaisuus ja yhteentoimivuus paranevat",
     "Tjänsternas mångprofessionalitet och interoperabilitet förbättras",
     "Multi-professional services and interoperability improve"),
    (5, "Kustannusten nousun hillintä",
     "Kostnadsökningen dämpas",
     "Curbing the growth of costs"),
]


def load(apps, schema_editor):
    BenefitTarget = apps.get_model("objectives", "BenefitTarget")
    for number, fi, sv, en in BENEFIT_TARGETS:
        BenefitTarget.objects.update_or_create(
            code=f"HT{number}",
            defaults={"number": number, "name_fi": fi, "name_sv": sv, "name_en": en},
        )


def unload(apps, schema_editor):
    apps.get_model("objectives", "BenefitTarget").objects.filter(
        code__in=[f"HT{n}" for n, *_ in BENEFIT_TARGETS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("objectives", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
