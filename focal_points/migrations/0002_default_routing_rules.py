from django.db import migrations

DEFAULT_RULES = [
    ("VBG : relais formés", "gbv", "gbv_relays"),
    ("VBG : service d'appui, avec le consentement de la personne", "gbv", "support"),
    ("Abus par des forces : organe de contrôle", "force_abuse", "oversight"),
    ("Tension intercommunautaire : médiateurs", "intercommunity", "mediators"),
]


def create_rules(apps, schema_editor):
    RoutingRule = apps.get_model("focal_points", "RoutingRule")
    for name, category, audience in DEFAULT_RULES:
        RoutingRule.objects.get_or_create(category=category, audience=audience, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("focal_points", "0001_initial")]
    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
