import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_at"),
        migrations.AddField(
            model_name="user",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_comment="创建人",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="changed_by",
            field=models.ForeignKey(
                blank=True,
                db_comment="最后修改人",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, db_comment="过期时间", null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, db_comment="吊销时间", null=True),
        ),
        migrations.CreateModel(
            name="UserChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_comment="时间", default=django.utils.timezone.now)),
                ("what", models.CharField(db_comment="修改内容", max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        db_comment="修改人",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_comment="被修改的账号",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table_comment": "账号修改记录（用于双人复核的独立性检查）",
                "indexes": [models.Index(fields=["user", "actor"], name="accounts_us_user_id_494131_idx")],
            },
        ),
        migrations.CreateModel(
            name="LoginThrottle",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("username", models.CharField(db_comment="登录时输入的账号", max_length=150)),
                ("client_ip", models.CharField(db_comment="客户端地址", max_length=45)),
                ("failures", models.PositiveIntegerField(db_comment="连续失败次数", default=0)),
                ("last_failure_at", models.DateTimeField(db_comment="最近一次失败时间")),
                ("blocked_until", models.DateTimeField(blank=True, db_comment="在此之前拒绝登录", null=True)),
            ],
            options={
                "db_table_comment": "登录失败计数（账号 + 地址）",
                "constraints": [models.UniqueConstraint(fields=("username", "client_ip"), name="login_throttle_pair")],
            },
        ),
    ]
