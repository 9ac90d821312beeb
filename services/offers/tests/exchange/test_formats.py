"""Streaming readers: records split across chunks, quoted newlines, encodings, bad files."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from offers.exchange.formats import FileError, RawRow, read_csv, read_jsonl

COLUMNS = frozenset({"record", "name", "tags", "note"})
LISTS = frozenset({"tags"})


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def csv_rows(data: bytes, size: int = 3) -> list[RawRow]:
    return [row async for rows in read_csv(chunked(data, size), LISTS, COLUMNS) for row in rows]


async def test_csv_rows_survive_any_chunking() -> None:
    data = (
        "\ufeffrecord,name,tags,note\r\n"
        'offer,Électricité,a|b,"deux\nlignes, et une virgule"\r\n'
        "\r\n"
        'offer,"Cuisine ""maison""",,\n'
        "offer,الكهرباء,c,"
    ).encode()
    for size in (1, 2, 3, 7, 1000):
        rows = await csv_rows(data, size)
        assert [row.line for row in rows] == [2, 5, 6]
        assert rows[0].fields == {
            "record": "offer",
            "name": "Électricité",
            "tags": ["a", "b"],
            "note": "deux\nlignes, et une virgule",
        }
        assert rows[1].fields == {"record": "offer", "name": 'Cuisine "maison"'}
        assert rows[2].fields == {"record": "offer", "name": "الكهرباء", "tags": ["c"]}


async def test_csv_row_with_wrong_cell_count_is_an_error_of_its_line() -> None:
    rows = await csv_rows(b"record,name\noffer,a,b\noffer,c\n")
    assert rows[0].line == 2
    assert rows[0].error == "3 cells where the header has 2"
    assert rows[1].fields == {"record": "offer", "name": "c"}


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"", 1, "empty"),
        (b"name\nx\n", 1, "no 'record' column"),
        (b"record,colour\nx,y\n", 1, "unknown column 'colour'"),
        (b"record,name,name\n", 1, "appears twice"),
        (b'record,name\noffer,"never closed\n', 2, "never closed"),
        (b"record,name\noffer,\xff\n", 2, "not UTF-8"),
    ],
)
async def test_unreadable_csv_files(data: bytes, line: int, reason: str) -> None:
    with pytest.raises(FileError) as caught:
        await csv_rows(data)
    assert caught.value.line == line
    assert reason in caught.value.reason


async def test_json_lines() -> None:
    data = '{"record": "offer", "name": "a", "note": null}\n\n[1]\n{"record": \n{"name": "é"}'
    rows = [row async for chunk in read_jsonl(chunked(data.encode(), 4)) for row in chunk]
    assert [(row.line, row.error is None) for row in rows] == [
        (1, True),
        (3, False),
        (4, False),
        (5, True),
    ]
    assert rows[0].fields == {"record": "offer", "name": "a"}
    assert rows[1].error == "each line must be a JSON object"
    assert (rows[2].error or "").startswith("not JSON")
    assert rows[3].fields == {"name": "é"}
