"""``shumao bases …`` as a person runs it: the JSON answers and the written files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
from docx import Document

from shumao.bases import demo
from shumao.web.demo import ENTERPRISES

ROOT = Path(__file__).resolve().parents[2]


def shumao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "shumao"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_evaluate_list_rereview_and_files(
    cli_env: dict[str, str], demo_data: Path, tmp_path: Path
) -> None:
    for name in ("table3_bases_2020_2022.csv", "table4_base_output_2020_2022.csv"):
        assert (
            shumao(cli_env, "import", "report2022", str(demo_data / "report2022" / name)).returncode
            == 0
        )
    listed = json.loads(shumao(cli_env, "bases", "list", "--json").stdout)
    assert len(listed) == 12 and listed[4]["name"] == "中国（南京）软件谷"
    done = shumao(
        cli_env, "bases", "evaluate", "--json", "--docx", str(tmp_path), "--xlsx", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    docs = {d["base"]: d for d in json.loads(done.stdout)}
    assert len(docs) == 12 and all(d["verdict"] == "missing" for d in docs.values())
    out = {c["code"]: c for c in docs["DSEB01"]["criteria"]}
    assert (out["OUTPUT"]["outcome"], out["OUTPUT"]["value"]) == ("pass", 4759.0)
    assert out["OUTPUT"]["evidence"][0]["dataflow"] == "MOFCOM_BASE_OUTPUT"
    text = "\n".join(
        p.text for p in Document(str(tmp_path / "DSEB01_2022_申报条件审核.docx")).paragraphs
    )
    assert "中关村软件园（DSEB01）" in text and "结论：待补材料" in text
    book = openpyxl.load_workbook(tmp_path / "DSEB01_2022_申报条件审核.xlsx")
    assert book.sheetnames == ["评审结果", "依据", "推演"]
    assert str(book["依据"]["E2"].value).startswith("商务部《中国数字贸易发展报告2022》表4")
    what = shumao(
        cli_env,
        "bases",
        "evaluate",
        "DSEB06",
        "--json",
        "--what-if",
        "ICT_OUTPUT=150",
        "--what-if",
        "SI_EXPORT@2022=70",
        "--what-if",
        "ENTERPRISES=101",
    )
    crit = {c["code"]: c["outcome"] for c in json.loads(what.stdout)[0]["criteria"]}
    assert crit["ICT_OUTPUT"] == crit["SI_EXPORT"] == crit["ENTERPRISES"] == "pass"
    rr = json.loads(
        shumao(cli_env, "bases", "rereview", "DSEB09", "--cycle", "2022", "--json").stdout
    )[0]
    assert (rr["verdict"], rr["due"], rr["years"]) == ("fail", "2022-04-01", ["2020", "2021"])
    park = shumao(cli_env, "bases", "evaluate", "DSEB06", "--as", "park:DSEB05")
    assert park.returncode == 1 and "无权查看基地 DSEB06" in park.stderr


def test_publicity_command(cli_env: dict[str, str]) -> None:
    done = shumao(cli_env, "bases", "publicity", "2025-01-24")
    assert "2025-01-24 至 2025-02-06" in done.stdout and "2025-01-26（调休）" in done.stdout


def test_the_demo_roster_is_what_the_generator_makes(tmp_path: Path) -> None:
    made = demo.write([demo.Known(e.uscc, e.name, e.park) for e in ENTERPRISES], tmp_path)
    shipped = ROOT / "demo" / "data" / "bases" / demo.FILE
    assert made.read_bytes() == shipped.read_bytes()


def test_demo_counts_and_review_queue(cli_env: dict[str, str]) -> None:
    assert shumao(cli_env, "demo", "users").returncode == 0
    done = shumao(cli_env, "demo", "bases", "--quiet")
    assert done.returncode == 0, done.stderr
    count = json.loads(
        shumao(
            cli_env,
            "bases",
            "count-enterprises",
            "DSEB05",
            "--year",
            demo.YEAR,
            "--latest",
            "--list",
            "--json",
        ).stdout
    )
    assert (count["total"], count["both"], count["pending"]) == (45, 3, 1)
    assert {m["source"] for m in count["list"]} == {"both", "roster"}
    queue = json.loads(shumao(cli_env, "bases", "link-review", "--json").stdout)
    assert [q["name"] for q in queue] == ["示范软件科技有限公司（演示）"]
    pair = f"{queue[0]['run_id']}:{queue[0]['id']}"
    shumao(cli_env, "bases", "link-review", "--accept", pair, "--note", "同一企业（名录漏填城市）")
    after = json.loads(
        shumao(
            cli_env, "bases", "count-enterprises", "DSEB05", "--year", demo.YEAR, "--json"
        ).stdout
    )
    assert (after["total"], after["pending"]) == (44, 0)
