"""Issue 9 item 1 and 7: the hostile-file corpus through every way a file comes in.

Each file (hostile.CORPUS) goes through the resident import page and CLI and the department feed
page and CLI. Each must be refused with its Chinese reason naming what is wrong (and the row, for
CSV), with nothing written, and this process (which runs the job inline here) still alive: before
the guard, the sparse files made python-calamine abort the process outright.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from minzheng.jobs.models import Job
from minzheng.jobs.tests.hostile import CORPUS, TEST_LIMITS
from minzheng.registry.models import Household, Person
from minzheng.testing import Cast
from minzheng.verification.models import FeedDelivery

NAMES = sorted(CORPUS)


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    for name, value in TEST_LIMITS.items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: builder(folder) for name, (builder, _reason) in CORPUS.items()}


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def _nothing_written(settings: Any) -> None:
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert FeedDelivery.objects.count() == 0
    assert not list(Path(settings.REJECTS_DIR).glob("*")) if Path(settings.REJECTS_DIR).exists() else True
    store = Path(settings.FEEDS_DIR) / "store"
    assert not any(p.name == "data.parquet" for p in store.rglob("*")) if store.exists() else True


@pytest.mark.parametrize("name", NAMES)
def test_import_page_refuses_in_chinese(name: str, cast: Cast, corpus: dict[str, Path], settings: Any) -> None:
    client = _client(cast.village_worker)
    answer = client.post("/registry/import/", {"file": _upload(corpus[name])})
    assert answer.status_code == 302, answer.content.decode()[:500]
    page = client.get(answer["Location"]).content.decode()
    assert "居民信息导入失败：" in page and CORPUS[name][1] in page
    assert "排队等待" not in page and "Traceback" not in page
    assert Job.objects.get().status == Job.Status.FAILED
    _nothing_written(settings)


@pytest.mark.parametrize("name", NAMES)
def test_import_cli_refuses_in_chinese(name: str, county: None, corpus: dict[str, Path], settings: Any) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `import residents`
    from minzheng.cli import app

    out = CliRunner().invoke(app, ["import", "residents", str(corpus[name])])
    assert out.exit_code == 1, out.output
    assert CORPUS[name][1] in out.output and "Traceback" not in out.output
    _nothing_written(settings)


@pytest.mark.parametrize("name", NAMES)
def test_feed_page_refuses_in_chinese(name: str, cast: Cast, corpus: dict[str, Path], settings: Any) -> None:
    client = _client(cast.verification_center)
    form = {"feed_id": "vehicle", "as_of": "2026-12-01", "file": _upload(corpus[name])}
    answer = client.post("/verification/feeds/", form)
    assert answer.status_code == 302, answer.content.decode()[:500]
    page = client.get(answer["Location"]).content.decode()
    assert CORPUS[name][1] in page and "Traceback" not in page
    assert Job.objects.get().status == Job.Status.FAILED
    _nothing_written(settings)


@pytest.mark.parametrize("name", NAMES)
def test_feed_cli_refuses_in_chinese(name: str, county: None, corpus: dict[str, Path], settings: Any) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `feeds ingest`
    from minzheng.cli import app

    out = CliRunner().invoke(app, ["feeds", "ingest", "vehicle", str(corpus[name]), "--as-of", "2026-12-01"])
    assert out.exit_code == 1, out.output
    assert CORPUS[name][1] in out.output and "Traceback" not in out.output
    _nothing_written(settings)


def test_a_plain_xlsx_still_imports(cast: Cast, tmp_path: Path) -> None:
    """The guard passes an ordinary workbook (written by xlsxwriter, as Excel writes it)."""
    import xlsxwriter

    path = tmp_path / "村里.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "公民身份号码", "户编号", "与户主关系", "现住址区划代码"])
    sheet.write_row(1, 0, ["张建国", "330212197803154412", "H1", "户主", "330212100201"])
    book.close()
    answer = _client(cast.village_worker).post("/registry/import/", {"file": _upload(path)})
    assert answer.status_code == 302 and Job.objects.get().status == Job.Status.DONE
    assert Person.objects.count() == 1
