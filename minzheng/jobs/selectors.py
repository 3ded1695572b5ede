from __future__ import annotations

from django.http import Http404

from minzheng.accounts.models import User
from minzheng.jobs.models import Job


def job_get_for_user(*, user: User, job_id: int) -> Job:
    """A job is visible only to the user who queued it."""
    try:
        job = Job.objects.get(pk=job_id)
    except Job.DoesNotExist:
        raise Http404("任务不存在") from None
    if job.created_by_id != user.pk:  # its files hold personal data: the creator only
        raise Http404("任务不存在")
    return job
