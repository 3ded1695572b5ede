"""Identity matching: the engine against a known truth, then the services, job and CLI around it."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.verification.engine.matching import (
    DEFAULT_THRESHOLD_WEIGHT,
    digest,
    match_snapshot,
    raw_number_features,
)
from minzheng.verification.engine.pinyin import name_pinyin
from minzheng.verification.tests import matching_fixtures as fx

# --- the engine ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> list[fx.Resident]:
    return fx.county(tmp_path_factory.mktemp("county"), 4000, seed=11)


@pytest.fixture(scope="module")
def registry(people: list[fx.Resident]) -> pa.Table:
    return fx.registry_table(people)


def best_links(links: pa.Table) -> dict[int, dict]:
    """Per row, the id/digest link or the highest-weight Splink candidate."""
    best: dict[int, dict] = {}
    for link in links.to_pylist():
        old = best.get(link["_row"])
        if old is None or (link["match_weight"] or 0) > (old["match_weight"] or 0):
            best[link["_row"]] = link
    return best


def test_pinyin_reads_surnames_and_joins_homophones() -> None:
    assert name_pinyin("张伟") == name_pinyin("章伟") == ("zhang", "zhang wei")
    readings = {n: name_pinyin(n)[0] for n in ("曾", "单雄", "解缙", "仇英", "区家麟", "查良镛", "朴槿惠", "尉迟恭")}
    assert readings == {
        "曾": "zeng",
        "单雄": "shan",
        "解缙": "xie",
        "仇英": "qiu",
        "区家麟": "ou",
        "查良镛": "zha",
        "朴槿惠": "piao",
        "尉迟恭": "yuchi",
    }
    assert name_pinyin("欧阳修") == ("ouyang", "ouyang xiu")


def test_raw_number_keeps_a_plausible_birth_date_only() -> None:
    assert raw_number_features("330212197803154411", dt.date(2026, 6, 1)) == ("330212197803154411", "19780315")
    assert raw_number_features("330212197813154412", dt.date(2026, 6, 1)) == ("330212197813154412", None)
    # an old 15-digit number is compared in its 18-digit form
    assert raw_number_features("330212780315441", dt.date(2026, 6, 1))[0].startswith("33021219780315441")
    assert raw_number_features("12", dt.date(2026, 6, 1)) == (None, None)


def test_hand_made_cases_with_known_truth(registry: pa.Table, people: list[fx.Resident]) -> None:
    """张伟/章伟 with a transposed digit, a wrong check digit, a missing number, a stranger, a digest."""
    zhang = next(p for p in people if p.id_number[17] != "X")
    extra = pa.table(
        {
            "id_number": ["330212198801013316"],
            "name": ["张伟"],
            "birth_date": pa.array([dt.date(1988, 1, 1)], pa.date32()),
            "sex": ["M"],
            "division_code": [zhang.division],
        }
    )
    reg = pa.concat_tables([registry, extra])
    rows = fx.snapshot_table(
        [
            "330212198801013361",  # 张伟's number with its last two digits swapped, written 章伟
            zhang.id_number[:17] + ("0" if zhang.id_number[17] != "0" else "1"),  # wrong check digit
            "",  # no number: the name alone
            fx.outsider(random.Random(3)),  # noqa: S311 - a valid number nobody in the county has
            zhang.id_number,  # an exact match
            "",  # a digest feed's row
        ],
        ["章伟", zhang.name, people[10].name, zhang.name, zhang.name, None],
        [None, None, None, None, None, digest(people[20].id_number, DIGEST_KEY)],
    )
    result = match_snapshot(rows, reg, feed="deposit", as_of=fx.AS_OF, digest_key=DIGEST_KEY)
    best = best_links(result.links)
    assert best[2]["person_id_number"] == "330212198801013316" and best[2]["method"] == "splink"
    assert "姓名同音" in best[2]["evidence"] and "对调" in best[2]["evidence"]
    assert best[3]["person_id_number"] == zhang.id_number and best[3]["match_weight"] > 20
    assert best[4]["person_id_number"] == people[10].id_number or best[4]["match_weight"] < 0
    assert 5 not in best or best[5]["person_id_number"] != zhang.id_number  # the stranger is nobody's
    assert best[6] == best[6] | {"person_id_number": zhang.id_number, "method": "id", "match_weight": None}
    assert best[7]["method"] == "digest" and best[7]["person_id_number"] == people[20].id_number
    assert result.counts()["id"] == 1 and result.counts()["digest"] == 1


def measure(links: pa.Table, truth: list[str | None]) -> dict[str, float]:
    """Row-level figures: recall = true person linked (or top candidate) / rows with a true person."""
    best = best_links(links)
    wanted = [(row, t) for row, t in enumerate(truth, start=2) if t is not None]
    hits = sum(1 for row, t in wanted if row in best and best[row]["person_id_number"] == t)
    linked = [row for row in best if best[row]["match_weight"] is None or best[row]["match_weight"] >= 0]
    right = sum(1 for row in linked if best[row]["person_id_number"] == truth[row - 2])
    return {"recall": hits / len(wanted), "precision_at_0": right / len(linked), "linked_at_0": len(linked)}


def test_demo_feeds_recall_and_precision(people: list[fx.Resident], registry: pa.Table) -> None:
    """The demo's own mess (no number, wrong check digit, 15-digit, spaces, homophones)."""
    for feed in ("deposit", "vehicle", "death"):
        rows, truth = fx.demo_feed(people, feed, seed=11)
        result = match_snapshot(rows, registry, feed=feed, as_of=fx.AS_OF)
        figures = measure(result.links, truth)
        ids = pc.equal(result.links["method"], "id")
        exact = result.links.filter(ids).to_pylist()
        assert all(link["person_id_number"] == truth[link["_row"] - 2] for link in exact)  # id never wrong
        assert figures["recall"] >= 0.99, (feed, figures)
        assert figures["precision_at_0"] >= 0.99, (feed, figures)


def test_hard_mess_recall_and_precision(people: list[fx.Resident], registry: pa.Table) -> None:
    rows, truth = fx.hard_mess(people, 40, seed=5)
    result = match_snapshot(rows, registry, feed="deposit", as_of=fx.AS_OF)
    assert result.counts()["id"] == 0 and result.residue == rows.num_rows
    best = best_links(result.links)
    by_kind = {}
    for kind, label in enumerate(("transposed", "substituted", "check+homophone", "missing")):
        rows_of_kind = range(2 + kind, 2 + 160, 4)
        by_kind[label] = sum(1 for r in rows_of_kind if r in best and best[r]["person_id_number"] == truth[r - 2])
    assert by_kind["transposed"] >= 39 and by_kind["substituted"] >= 39 and by_kind["check+homophone"] >= 39
    # The name alone: namesakes tie with the true person, so it must be among the candidates queued
    # (a reviewer tells them apart), and no namesake may outrank it.
    missing = range(5, 162, 4)
    queued = {r: [c for c in result.links.to_pylist() if c["_row"] == r] for r in missing}
    found = [r for r in missing if any(c["person_id_number"] == truth[r - 2] for c in queued[r])]
    assert len(found) >= 39
    for r in found:
        true_weight = next(c["match_weight"] for c in queued[r] if c["person_id_number"] == truth[r - 2])
        assert true_weight == max(c["match_weight"] for c in queued[r])
    strangers = [r for r in range(162, 202) if r in best]
    assert all(best[r]["match_weight"] < DEFAULT_THRESHOLD_WEIGHT + 10 for r in strangers)
    assert all(best[r]["match_weight"] < 0 for r in strangers)  # never above even odds


def test_exact_tiers_never_reach_splink_and_rerun_is_identical(registry: pa.Table, people: list[fx.Resident]) -> None:
    rows, _ = fx.demo_feed(people, "deposit", seed=11)
    first = match_snapshot(rows, registry, feed="deposit", as_of=fx.AS_OF)
    again = match_snapshot(rows, registry, feed="deposit", as_of=fx.AS_OF)
    assert first.links.equals(again.links)  # fixed m/u: the same weights every run
    splink_rows = set(first.links.filter(pc.equal(first.links["method"], "splink"))["_row"].to_pylist())
    id_rows = set(first.links.filter(pc.equal(first.links["method"], "id"))["_row"].to_pylist())
    assert splink_rows and not splink_rows & id_rows


# --- services, job, CLI -------------------------------------------------------------------------


def _load_county(tmp_path: Path, persons: int = 800, seed: int = 4) -> tuple[Path, list[fx.Resident]]:
    from minzheng.demo.feeds import write_feeds
    from minzheng.registry.importing import residents_import

    residents = tmp_path / "residents.csv"
    fx.write_residents_file(residents, persons=persons, seed=seed)
    result = residents_import(path=residents, actor=None, original_name=residents.name)
    assert result.rejected == 0
    write_feeds(residents, tmp_path / "feeds", as_of=fx.AS_OF, seed=seed)
    return tmp_path / "feeds", fx.read_residents(residents, fx.AS_OF)


def _ingest(feeds_dir: Path, feed: str) -> None:
    from django.conf import settings

    from minzheng.demo.feeds import feed_path
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    ingest_file(feed, feed_path(feeds_dir, feed, fx.AS_OF), fx.AS_OF, FeedStore(settings.FEEDS_DIR), today=fx.AS_OF)


@pytest.fixture
def loaded(cast: object, tmp_path: Path, settings: object) -> tuple[Path, list[fx.Resident]]:
    settings.FEED_DIGEST_KEY = DIGEST_KEY  # type: ignore[attr-defined]
    feeds_dir, people = _load_county(tmp_path)
    for feed in ("deposit", "securities"):
        _ingest(feeds_dir, feed)
    return feeds_dir, people


@pytest.mark.django_db
def test_matching_run_queues_candidates_and_rerun_keeps_reviews(loaded: tuple, cast: object) -> None:
    from minzheng.audit.models import AuditEvent
    from minzheng.verification import services_matching
    from minzheng.verification.models import MatchCandidate

    actor = cast.verification_center  # type: ignore[attr-defined]
    first = services_matching.matching_run(actor=actor, feed_id="deposit", as_of=fx.AS_OF)
    assert first["id"] > 0 and first["queued"] > 0 and first["queued"] == MatchCandidate.objects.count()
    assert all(c.status == MatchCandidate.Status.PENDING for c in MatchCandidate.objects.all())
    confirmed = MatchCandidate.objects.order_by("-match_weight").first()
    rejected = MatchCandidate.objects.exclude(row=confirmed.row).order_by("match_weight").first()
    services_matching.match_confirm(actor=actor, candidate=confirmed, reason="户籍信息核实")
    services_matching.match_reject(actor=actor, candidate=rejected, reason="出生日期不符")
    again = services_matching.matching_run(actor=actor, feed_id="deposit", as_of=fx.AS_OF)
    assert again["queued"] == 0 and MatchCandidate.objects.count() == first["queued"]
    confirmed.refresh_from_db()
    rejected.refresh_from_db()
    assert (confirmed.status, confirmed.reason) == (MatchCandidate.Status.CONFIRMED, "户籍信息核实")
    assert rejected.status == MatchCandidate.Status.REJECTED and rejected.reviewed_by == actor
    actions = list(AuditEvent.objects.filter(action__startswith="verification.match").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        [
            "verification.matching_run",
            "verification.match_confirm",
            "verification.match_reject",
            "verification.matching_run",
        ]
    )


@pytest.mark.django_db
def test_digest_feed_matches_by_digest(loaded: tuple, cast: object) -> None:
    from minzheng.verification import services_matching

    result = services_matching.matching_run(actor=cast.verification_center, feed_id="securities", as_of=fx.AS_OF)  # type: ignore[attr-defined]
    assert result["digest"] == result["rows"] and result["id"] == 0 and result["queued"] == 0


@pytest.mark.django_db
def test_confirmed_links_feed_the_evaluation(loaded: tuple, cast: object) -> None:
    from minzheng.verification import selectors, services_matching
    from minzheng.verification.models import MatchCandidate

    actor = cast.verification_center  # type: ignore[attr-defined]
    services_matching.matching_run(actor=actor, feed_id="deposit", as_of=fx.AS_OF)
    assert selectors.confirmed_links().num_rows == 0  # candidates alone never act
    candidate = MatchCandidate.objects.order_by("-match_weight").first()
    services_matching.match_confirm(actor=actor, candidate=candidate)
    links = selectors.confirmed_links(["deposit"], fx.AS_OF)
    assert links.column_names == ["feed", "feed_as_of", "as_of", "_row", "id_number", "match_weight"]
    assert links.to_pylist() == [
        {
            "feed": "deposit",
            "feed_as_of": fx.AS_OF,
            "as_of": fx.AS_OF,
            "_row": candidate.row,
            "id_number": candidate.person.id_number,
            "match_weight": candidate.match_weight,
        }
    ]
    assert selectors.confirmed_links(["vehicle"]).num_rows == 0
    assert selectors.confirmed_links(as_of=fx.AS_OF - dt.timedelta(days=1)).num_rows == 0
    # the row's other candidates were set aside; confirming a second person for the row is refused
    others = MatchCandidate.objects.filter(row=candidate.row).exclude(pk=candidate.pk)
    assert all(o.status == MatchCandidate.Status.REJECTED for o in others)
    for other in others:
        with pytest.raises(services_matching.MatchingError, match="已确认匹配到另一居民"):
            services_matching.match_confirm(actor=actor, candidate=other)


@pytest.mark.django_db
def test_only_the_verification_center_reviews(loaded: tuple, cast: object) -> None:
    from django.http import Http404

    from minzheng.verification import services_matching
    from minzheng.verification.models import MatchCandidate

    services_matching.matching_run(actor=cast.verification_center, feed_id="deposit", as_of=fx.AS_OF)  # type: ignore[attr-defined]
    candidate = MatchCandidate.objects.first()
    for user in (cast.town_officer, cast.county_approver, cast.sysadmin, cast.village_worker):  # type: ignore[attr-defined]
        with pytest.raises(Http404):
            services_matching.match_confirm(actor=user, candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.PENDING


@pytest.mark.django_db
def test_missing_snapshot_is_a_chinese_error(cast: object) -> None:
    from minzheng.verification import services_matching

    with pytest.raises(services_matching.MatchingError, match="没有数据时点 2026-06-01 的快照"):
        services_matching.matching_run(actor=cast.verification_center, feed_id="death", as_of=fx.AS_OF)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_job_and_cli(loaded: tuple, cast: object, capsys: pytest.CaptureFixture[str]) -> None:
    from typer.testing import CliRunner

    from minzheng import cli_extra  # noqa: F401 - registers the domain commands
    from minzheng.cli import app
    from minzheng.jobs.services import job_enqueue, job_run_now
    from minzheng.verification.models import MatchCandidate
    from minzheng.verification.tasks import MATCH_KIND

    job = job_enqueue(kind=MATCH_KIND, params={"feed_id": "deposit", "as_of": fx.AS_OF.isoformat()})
    done = job_run_now(job)
    assert done is not None and done.status == "done" and done.result["queued"] == MatchCandidate.objects.count()
    out = CliRunner().invoke(app, ["feeds", "match", "deposit", "--as-of", fx.AS_OF.isoformat(), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["feed"] == "deposit" and data["queued"] == 0 and data["pending"] == done.result["queued"]
    assert data["id"] == done.result["id"]
    text = CliRunner().invoke(app, ["feeds", "match", "deposit", "--as-of", fx.AS_OF.isoformat()])
    assert text.exit_code == 0 and "待复核" in text.output
    bad = CliRunner().invoke(app, ["feeds", "match", "death", "--as-of", fx.AS_OF.isoformat()])
    assert bad.exit_code == 1 and "没有数据时点" in bad.output


@pytest.mark.django_db
def test_demo_matches_every_ingested_feed(loaded: tuple) -> None:
    from types import SimpleNamespace

    from minzheng.verification.demo import demo_feeds_match
    from minzheng.verification.models import MatchCandidate

    steps: list[str] = []
    results = demo_feeds_match(SimpleNamespace(as_of=fx.AS_OF), steps.append)
    assert sorted(results) == ["deposit", "securities"] and steps == ["身份匹配（部门数据 → 居民库）"]
    assert results["securities"]["digest"] == results["securities"]["rows"]
    assert results["deposit"]["queued"] == MatchCandidate.objects.filter(feed_id="deposit").count() > 0


def test_real_estate_division_comes_from_the_unit_number(people: list[fx.Resident], registry: pa.Table) -> None:
    """不动产单元号 opens with the 12-digit code: the same village raises the weight of a name-only row."""
    person = next(p for p in people if p.division)
    rows = fx.snapshot_table(["", ""], [person.name, person.name])
    rows = rows.append_column("unit_no", pa.array([f"{person.division}GB00001F00010001", "bad"], pa.string()))
    best = best_links(match_snapshot(rows, registry, feed="real_estate", as_of=fx.AS_OF).links)
    assert best[2]["person_id_number"] == person.id_number and "村（社区）一致" in best[2]["evidence"]
    assert best[2]["match_weight"] > best[3]["match_weight"] + 5
