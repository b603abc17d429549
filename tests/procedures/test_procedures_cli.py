"""`loa procedures ...` as an IT officer uses it; QR codes decoded back, posters read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from bot.cli.main import app
from bot.services.procedures.catalog import DEFAULT_CATALOG
from bot.services.procedures.posters import qr_matrix

runner = CliRunner()


def test_import_reimport_export(env: Path) -> None:
    first = runner.invoke(app, ["procedures", "import", str(DEFAULT_CATALOG)])
    assert first.exit_code == 0, first.output
    assert "57 guides: 57 created" in first.output
    again = runner.invoke(app, ["procedures", "import", str(DEFAULT_CATALOG)])
    assert "57 unchanged" in again.output
    out = runner.invoke(app, ["procedures", "export", "--out-dir", str(env / "out")])
    assert out.exit_code == 0 and "wrote 57 files" in out.output
    assert (env / "out" / "ho_tich" / "1.001193.yaml").exists()
    back = runner.invoke(app, ["procedures", "import", str(env / "out")])
    assert "57 unchanged" in back.output, back.output
    one = env / "out" / "ho_tich" / "1.001193.yaml"
    one.write_text(one.read_text(encoding="utf-8").replace("Làm giấy", "Làm giấy", 1))
    single = runner.invoke(app, ["procedures", "import", str(one)])
    assert "1 guides: 0 created, 0 updated, 0 removed, 1 unchanged" in single.output
    assert "57 unchanged" in runner.invoke(app, ["procedures", "import", str(env / "out")]).output


def test_bad_catalog_is_rejected_whole(env: Path) -> None:
    copy = env / "catalog"
    shutil.copytree(DEFAULT_CATALOG, copy)
    path = copy / "cu_tru" / "1.004222.yaml"
    text = path.read_text(encoding="utf-8").replace("online: true", "online: yes please", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("online:"))
    result = runner.invoke(app, ["procedures", "import", str(copy)])
    assert result.exit_code == 1
    assert f"cu_tru/1.004222.yaml:{line}: 'online' must be true or false" in result.output
    assert "nothing was written" in result.output
    empty = runner.invoke(app, ["procedures", "search", "khai sinh", "--json"])
    assert json.loads(empty.output)[0]["code"] == "1.001193"  # shipped catalog, auto-imported


def test_search_json_and_errors(env: Path) -> None:
    result = runner.invoke(app, ["procedures", "search", "bao tu", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 2 and rows[0]["code"] == "1.000656"
    assert set(rows[0]) >= {"code", "title_vi", "title_en", "score"}
    text = runner.invoke(app, ["procedures", "search", "nhập hộ khẩu"])
    assert "1.004222  Đăng ký thường trú" in text.output
    empty = runner.invoke(app, ["procedures", "search", "  "])
    assert empty.exit_code == 1 and "Hãy gõ việc cần làm" in empty.output
    long = runner.invoke(app, ["procedures", "search", "x" * 300])
    assert long.exit_code == 1 and "Câu tìm kiếm dài quá" in long.output


def test_qr_codes_decode_to_the_deep_link(env: Path) -> None:
    png = env / "birth.png"
    result = runner.invoke(
        app, ["procedures", "qr", "1.001193", "--out", str(png), "--place", "mot_cua"]
    )
    assert result.exit_code == 0, result.output
    link = "https://t.me/loa_phuong_bot?start=p-1_001193-mot_cua"
    (decoded,) = zxingcpp.read_barcodes(Image.open(png))
    assert decoded.text == link
    svg = env / "birth.svg"
    assert runner.invoke(app, ["procedures", "qr", "1.001193", "--out", str(svg)]).exit_code == 0
    assert svg.read_text().lstrip().startswith("<?xml")

    unknown = runner.invoke(app, ["procedures", "qr", "9.999999", "--out", str(png)])
    assert unknown.exit_code == 1 and "Không có thủ tục nào mã 9.999" in unknown.output
    bad_place = runner.invoke(
        app, ["procedures", "qr", "1.001193", "--out", str(png), "--place", "Tổ 13"]
    )
    assert bad_place.exit_code == 1 and "Mã nơi đặt chỉ gồm" in bad_place.output
    bad_ext = runner.invoke(app, ["procedures", "qr", "1.001193", "--out", str(env / "a.jpg")])
    assert bad_ext.exit_code == 1


def test_posters_pdf(env: Path) -> None:
    out = env / "posters.pdf"
    result = runner.invoke(
        app,
        [
            "procedures",
            "posters",
            "--out",
            str(out),
            "--code",
            "1.001193",
            "--code",
            "1.004222",
            "--place",
            "nha_van_hoa",
        ],
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert "Thủ tục đăng ký khai sinh" in first  # Vietnamese survives into the text layer
    assert "Quét mã bằng camera" in first
    assert "https://t.me/loa_phuong_bot?start=p-1_001193-nha_van_hoa" in first
    assert "Đăng ký thường trú" in reader.pages[1].extract_text()
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points

    everything = runner.invoke(app, ["procedures", "posters", "--out", str(env / "all.pdf")])
    assert everything.exit_code == 0
    assert len(PdfReader(env / "all.pdf").pages) == 57


def test_poster_code_is_the_link_s_qr_matrix() -> None:
    """The poster draws exactly the modules qrcode computes for the link (decodable)."""
    matrix = qr_matrix("https://t.me/loa_phuong_bot?start=p-1_001193")
    size = len(matrix)
    assert size >= 29 and all(len(row) == size for row in matrix)
    img = Image.new("L", (size * 8, size * 8), 255)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                img.paste(0, (c * 8, r * 8, c * 8 + 8, r * 8 + 8))
    (decoded,) = zxingcpp.read_barcodes(img)
    assert decoded.text == "https://t.me/loa_phuong_bot?start=p-1_001193"
