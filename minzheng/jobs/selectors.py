from __future__ import annotations

from django.http import Http404

from minzheng.accounts.access import can_admin_users
from minzheng.accounts.models import User
from minzheng.jobs.models import Job


def job_get_for_user(*, user: User, job_id: int, admin_ok: bool = False) -> Job:
    """A job is visible only to the user who queued it (admin_ok: and to system administrators).

    Administrators see a job's progress and may cancel it; its files (rejects) stay the creator's.
    """
    try:
        job = Job.objects.get(pk=job_id)
    except Job.DoesNotExist:
        raise Http404("任务不存在") from None
    if job.created_by_id != user.pk and not (admin_ok and can_admin_users(user)):
        raise Http404("任务不存在")  # its files hold personal data: the creator only
    return job


def job_may_cancel(*, user: User, job: Job) -> bool:
    return job.status in (Job.Status.QUEUED, Job.Status.RUNNING) and (
        job.created_by_id == user.pk or can_admin_users(user)
    )
