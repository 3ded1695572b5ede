"""The holiday table behind every deadline (KERNELS §1): 休 and 调休 班 days, and the years it covers."""

from __future__ import annotations

from django.db import models


class Holiday(models.Model):
    """One exceptional day: a public holiday (休) or a weekend made a working day (班, 调休)."""

    class Kind(models.TextChoices):
        REST = "rest", "休"
        WORK = "work", "班"

    day = models.DateField(unique=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    name = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=80, help_text="chinese-calendar 版本、导入文件名或“管理员”")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays are settled (the State Council's notice is in the table).

    Outside these years a deadline is computed on weekends only and shown as 未核定.
    """

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=80)
    settled_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
