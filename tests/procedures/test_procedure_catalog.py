"""The catalog loader: the shipped catalog is valid; bad files are rejected with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.services.procedures.catalog import DEFAULT_CATALOG, CatalogRejected, load_catalog
from bot.services.procedures.guides import FIELDS, Guide

REQUIRED_TOPICS = {  # the issue's list, by national code
    "birth": "1.001193",
    "death": "1.000656",
    "marriage": "1.000894",
    "marital status": "1.004873",
    "parents/children": "1.001022",
    "guardianship": "1.004837",
    "correction": "1.004859",
    "extract copies": "2.000635",
    "birth re-registration": "1.004884",
    "birth + residence + insurance": "2.000986",
    "certified copies": "2.000815",
    "signature": "2.000884",
    "contract": "2.001035",
    "will": "2.001019",
    "permanent residence": "1.004222",
    "temporary residence": "1.004194",
    "temporary absence": "1.003677",
    "residence confirmation": "1.010041",
    "social allowance": "1.001776",
    "disability": "1.001699",
    "funeral support": "1.001731",
    "poor households": "1.011606",
    "land mediation": "1.012812",
    "household business": "1.001612",
    "building permit": "1.013225",
}


def test_shipped_catalog_is_valid_and_covers_the_issue(shipped_guides: list[Guide]) -> None:
    codes = {g.code for g in shipped_guides}
    assert len(shipped_guides) >= 40
    missing = {topic: code for topic, code in REQUIRED_TOPICS.items() if code not in codes}
    assert not missing
    assert {g.field for g in shipped_guides} <= set(FIELDS)
    for g in shipped_guides:
        assert g.cases and all(c.documents and c.steps_vi for c in g.cases), g.code


def test_uncertain_codes_keep_their_check_at_counter_note(shipped_guides: list[Guide]) -> None:
    """README "To verify" codes must tell residents to check at the counter."""
    readme = (DEFAULT_CATALOG / "README.md").read_text(encoding="utf-8")
    to_verify = readme.split("## To verify", 1)[1]
    by_code = {g.code: g for g in shipped_guides}
    listed = [c for c in by_code if f"`{c}`" in to_verify]
    assert len(listed) >= 10
    for code in listed:
        assert by_code[code].check_at_counter_vi and by_code[code].check_at_counter_en, code


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "procedures"
    shutil.copytree(DEFAULT_CATALOG, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bad_files_are_rejected_whole_with_file_and_line(copy: Path) -> None:
    birth = copy / "ho_tich" / "1.001193.yaml"
    _edit(birth, "    documents:\n      - name_vi", "    documents:\n      - nme_vi")
    _edit(copy / "ho_tich" / "1.000656.yaml", "status: in_force", "status: valid")
    (copy / "cu_tru" / "broken.yaml").write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogRejected) as exc:
        load_catalog(copy)
    problems = exc.value.problems
    line = next(i for i, t in enumerate(birth.read_text().splitlines(), 1) if "nme_vi" in t)
    assert f"ho_tich/1.001193.yaml:{line}: unknown key 'nme_vi'" in problems
    assert any(p.startswith("ho_tich/1.001193.yaml:") and "'name_vi'" in p for p in problems)
    assert any(p.startswith("ho_tich/1.000656.yaml:") and "'status'" in p for p in problems)
    assert any(p.startswith("cu_tru/broken.yaml:") for p in problems)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code: "1.001193"', 'code: "1.001194"', "differs from the file name"),
        ("field: ho_tich", "field: cu_tru", "differs from the folder"),
        ("online: true", "online: maybe", "'online' must be true or false"),
        ("        count: 1\n", "        count: 0\n", "'count' must be a whole number"),
        ("        kind: form\n", "        kind: paper\n", "'kind' must be one of"),
        ("verified_on: null", 'verified_on: "last year"', "'verified_on' must be"),
        ("verified_on: null", 'verified_on: "2026-11-01"', "both be set or both be null"),
        ("  - {about: fee,", "  - {about: price,", "'about' must be one of"),
        ("  - {about: time,", "  - {about: where,", "has no source 'about: time'"),
        ('label_vi: "Quá 60 ngày từ ngày sinh"', 'label_vi: "' + "x" * 33 + '"', "at most 32"),
        ("replaced_by: null", 'replaced_by: "1.000001"', "'replaced_by' must be null"),
        ("  - id: late\n", "  - id: on_time\n", "duplicate case id 'on_time'"),
        ('title_en: "Birth registration"\n', "", "missing 'title_en'"),
        ("summary_vi:", "summary_vi: x\nsummary_vi:", "duplicate key 'summary_vi'"),
    ],
)
def test_each_rule_names_the_problem(copy: Path, old: str, new: str, message: str) -> None:
    _edit(copy / "ho_tich" / "1.001193.yaml", old, new)
    with pytest.raises(CatalogRejected) as exc:
        load_catalog(copy)
    assert any(message in p and p.startswith("ho_tich/1.001193.yaml:") for p in exc.value.problems)


def test_steps_must_match_in_both_languages(copy: Path) -> None:
    _edit(
        copy / "ho_tich" / "1.001193.yaml",
        '      - "Nhận Giấy khai sinh bản chính',
        '      - "Thêm một bước."\n      - "Nhận Giấy khai sinh bản chính',
    )
    with pytest.raises(CatalogRejected) as exc:
        load_catalog(copy)
    assert any("'steps_en' has 4 steps, 'steps_vi' 5" in p for p in exc.value.problems)


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogRejected, match="problem"):
        load_catalog(tmp_path / "nowhere")
    with pytest.raises(CatalogRejected) as exc:
        load_catalog(tmp_path)
    assert "no .yaml procedure files" in exc.value.problems[0]


def test_one_file_can_be_loaded(copy: Path) -> None:
    (guide,) = load_catalog(copy / "ho_tich" / "1.001193.yaml")
    assert guide.title_vi == "Thủ tục đăng ký khai sinh"
    assert [c.id for c in guide.cases] == ["on_time", "late", "no_birth_notice"]
