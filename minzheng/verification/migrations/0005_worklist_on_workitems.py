"""The 核对工作清单's follow-up moves to the 待办: each row's handled state goes to its WorkItem, then
the row's own status columns go. A row without a WorkItem gets one (settled if the row was), so
nothing drops off the page and nothing settled comes back."""

from django.db import migrations, models
from django.utils import timezone


def forward(apps, schema_editor):
    Row = apps.get_model("verification", "WorklistItem")
    WorkItem = apps.get_model("workitems", "WorkItem")
    for row in Row.objects.select_related("run", "household").order_by("pk").iterator():
        fingerprint = "verification:" + row.fingerprint
        settled = {}
        if row.status == "handled":
            settled = {"status": "resolved", "resolution": row.handled_note[:300] or "已处理",
                       "resolved_by_id": row.handled_by_id, "resolved_at": row.handled_at or timezone.now()}
        item = WorkItem.objects.filter(fingerprint=fingerprint).first()
        if item is None:
            WorkItem.objects.create(
                source="verification_worklist", kind=row.kind, title=f"核对发现（户 {row.household.household_no}）",
                subject_type="household", subject_id=str(row.household_id), division_code=row.division_code,
                role="town_officer", fingerprint=fingerprint,
                data={"household_no": row.household.household_no, "person_id": row.person_id, "detail": row.detail[:500], "as_of": row.run.as_of.isoformat(),
                      "run": row.run_id},
                **settled,
            )
        elif settled and item.status == "open":
            WorkItem.objects.filter(pk=item.pk).update(**settled)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_person_division_index'),
        ('verification', '0004_feeddelivery'),
        ('workitems', '0002_workitem_source_index'),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name='worklistitem',
            options={'ordering': ['-created_at', 'id']},
        ),
        migrations.AlterModelTableComment(
            name='worklistitem',
            table_comment='核对发现（每次批量复核；跟进在待办）',
        ),
        migrations.RemoveIndex(
            model_name='worklistitem',
            name='verificatio_divisio_73f1f0_idx',
        ),
        migrations.RemoveField(
            model_name='worklistitem',
            name='handled_at',
        ),
        migrations.RemoveField(
            model_name='worklistitem',
            name='handled_by',
        ),
        migrations.RemoveField(
            model_name='worklistitem',
            name='handled_note',
        ),
        migrations.RemoveField(
            model_name='worklistitem',
            name='status',
        ),
        migrations.AddIndex(
            model_name='worklistitem',
            index=models.Index(fields=['division_code', 'kind'], name='verificatio_divisio_0e0fc8_idx'),
        ),
    ]
