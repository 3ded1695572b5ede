from django.db import migrations, models


def seed(apps, schema_editor):
    # The State Council's notices 2004 onwards, as chinese-calendar ships them.
    from minzheng.workdays.services import seed_rows

    import chinese_calendar

    Holiday = apps.get_model("workdays", "Holiday")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    source = f"chinese-calendar {chinese_calendar.__version__}"
    rows = seed_rows()
    Holiday.objects.bulk_create([Holiday(day=d, kind=k, name=n, source=source) for d, k, n in rows], batch_size=500)
    years = sorted({d.year for d, _, _ in rows})
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source=source) for y in range(years[0], years[-1] + 1)])


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Holiday",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True)),
                ("kind", models.CharField(choices=[("rest", "休"), ("work", "班")], max_length=4)),
                ("name", models.CharField(blank=True, max_length=40)),
                ("source", models.CharField(help_text="chinese-calendar 版本、导入文件名或“管理员”", max_length=80)),
                ("changed_at", models.DateTimeField(auto_now=True)),
            ],
            options={"ordering": ["day"]},
        ),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(unique=True)),
                ("source", models.CharField(max_length=80)),
                ("settled_at", models.DateTimeField(auto_now=True)),
            ],
            options={"ordering": ["year"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
