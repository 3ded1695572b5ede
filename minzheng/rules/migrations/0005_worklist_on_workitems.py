"""The worklist's follow-up moves to the 待办: each row's handled state goes to its WorkItem, then the
row's own status columns go. A row handled before the 待办 existed gets a settled WorkItem, so the
next run does not put it back on anyone's list; a pending row of the latest run without one gets an
open WorkItem, so nothing drops off the page."""

from django.db import migrations
from django.utils import timezone

MISSING_LABEL = {"missing": "应享未享（预判）", "undue": "不应享而享（预判）"}


def _fingerprint(row):
    return f"rules:{row.kind}:{row.policy_id}:{row.household_id}:{row.person_id or 0}"


def _new(WorkItem, row, **settled):
    return WorkItem(
        source="rules_worklist",
        kind=row.kind,
        title=f"{MISSING_LABEL.get(row.kind, row.kind)}：{row.policy_name}（户 {row.household.household_no}）",
        subject_type="household",
        subject_id=str(row.household_id),
        division_code=row.division_code,
        role="town_officer",
        fingerprint=_fingerprint(row),
        data={"household_no": row.household.household_no, "policy_id": row.policy_id, "policy_name": row.policy_name, "person_id": row.person_id,
              "entity": row.entity, "amount_fen": row.amount_fen, "reason": row.reason, "run": row.run_id},
        **settled,
    )


def forward(apps, schema_editor):
    Row = apps.get_model("rules", "WorklistItem")
    Run = apps.get_model("rules", "EligibilityRun")
    WorkItem = apps.get_model("workitems", "WorkItem")
    for row in Row.objects.select_related("household").filter(status="handled").order_by("handled_at", "pk").iterator():
        settled = {"status": "resolved", "resolution": row.handled_note[:300] or "已处理",
                   "resolved_by_id": row.handled_by_id, "resolved_at": row.handled_at or timezone.now()}
        item = WorkItem.objects.filter(fingerprint=_fingerprint(row)).first()
        if item is None:
            _new(WorkItem, row, **settled).save()
        elif item.status == "open":
            WorkItem.objects.filter(pk=item.pk).update(**settled)
    latest = Run.objects.filter(status="done").order_by("-finished_at", "-id").values_list("pk", flat=True).first()
    for row in Row.objects.select_related("household").filter(run_id=latest, status="pending").iterator():
        if not WorkItem.objects.filter(fingerprint=_fingerprint(row)).exists():
            _new(WorkItem, row).save()



class Migration(migrations.Migration):

    dependencies = [
        ('rules', '0004_summary_undecided'),
        ('workitems', '0002_workitem_source_index'),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AlterModelTableComment(
            name='worklistitem',
            table_comment='应享未享 / 不应享而享 判定发现（每次运行；跟进在待办）',
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
    ]
