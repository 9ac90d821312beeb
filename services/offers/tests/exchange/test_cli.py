"""``kafaat-offers import FILE``: the same import from a file, with a progress bar."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from fastapi import FastAPI

from ..helpers import Api

FILE = "\n".join(
    [
        "record,source,external_id,name,kind,region,status,provider_external_id,title_fr,"
        "description,sector,mode,duration_hours,cost_mad",
        "provider,cli,P1,Centre de Berkane,company,02,published,,,,,,,",
        "offer,cli,O1,,,,published,P1,Énergie solaire,Poser des panneaux.,renewable_energy,"
        "blended,120,0",
    ]
)


async def run_cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from offers.cli import main; main()",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_cli_imports_a_file(
    app: FastAPI, api: Api, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "offres.csv"
    path.write_text(FILE, encoding="utf-8")
    report_path = tmp_path / "report.json"
    code, out, err = await run_cli(
        "import", str(path), "--database-url", database_url, "--report", str(report_path)
    )
    assert code == 0, err
    assert "2 rows read; changes written" in out
    assert "[##############################] 100%" in err
    assert "offers          1 created" in out
    offers = (await api.request("GET", "/v1/offers", params={"q": "energie solaire"})).json()
    assert len(offers["items"]) == 1
    assert '"created":1' in report_path.read_text().replace(" ", "")
    code, out, _ = await run_cli("import", str(path), "--database-url", database_url)
    assert code == 0
    assert "offers          0 created       0 updated       1 unchanged" in out


async def test_cli_reports_bad_rows_and_fails(
    app: FastAPI, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "offres.csv"
    path.write_text(FILE.replace(",120,", ",cent vingt,"), encoding="utf-8")
    code, out, _ = await run_cli("import", str(path), "--database-url", database_url)
    assert code == 1
    assert "error line 3, duration_hours:" in out
    assert "nothing written: fix the errors" in out
    code, _, err = await run_cli("import", str(tmp_path / "missing.csv"))
    assert code == 2
    assert "no such file" in err
