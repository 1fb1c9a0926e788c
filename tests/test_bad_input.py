"""``kg build`` on a directory where every kind of bad input sits among real records.

Readers' own handling of each bad record is tested in test_sources.py; this is the whole
command: one run over all of them must store every good record, list every bad one in
STORE/rejects.jsonl with its file, place and reason, name each on stderr, exit 0 and say that
records were rejected (``--strict``: exit 1), and never print a traceback.

The good records are real arXiv records from ``../shared/corpus/arxiv-oai-sample`` (their id,
title and abstract), written in each format.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html import escape
from pathlib import Path
from typing import Any

import pytest

from kg.store import Store

KG = str(Path(sys.executable).with_name("kg"))


def real_records(corpus: Path, n: int) -> list[dict[str, Any]]:
    path = corpus / "arxiv-oai-sample" / "arxiv-metadata-oai-snapshot.head200.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:n]]


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def bib_entry(rec: dict[str, Any]) -> str:
    return (f"@article{{k{rec['id'].replace('.', '')},\n  title={{{rec['title']}}},\n"
            f"  eprint={{{rec['id']}}},\n  archivePrefix={{arXiv}},\n  abstract={{{rec['abstract']}}}\n}}\n")


def atom_entry(rec: dict[str, Any], title: str | None = None) -> str:
    return (f"<entry><id>http://arxiv.org/abs/{rec['id']}v1</id><title>{title or escape(rec['title'])}</title>"
            f"<summary>{escape(rec['abstract'])}</summary></entry>")


FEED = '<feed xmlns="http://www.w3.org/2005/Atom">'


@pytest.fixture(scope="module")
def bad_input(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> dict[str, Any]:
    """A directory of files mixing good records and every kind of bad one.

    Returns the directory, the arXiv ids that must be stored, and the rejects expected as
    ``{(file name, location): words the reason must contain}``.
    """
    d = tmp_path_factory.mktemp("bad-input")
    recs = real_records(corpus, 24)
    good: list[str] = []
    expected: dict[tuple[str, str], str] = {}

    def line(rec: dict[str, Any]) -> bytes:
        good.append(rec["id"])
        return json.dumps(rec, ensure_ascii=False).encode()

    r = iter(recs)
    # JSON Lines in the OAI snapshot format, bad lines between good ones
    lines = [line(next(r)),
             b'{"id": "0704.9001", "title": "Bad \xff\xfe bytes", "abstract": "x"}',       # invalid UTF-8
             line(next(r)),
             b'{"id": "0704.9002", "title": "Nul\x00byte", "abstract": "x"}',               # a NUL byte
             line(next(r)),
             json.dumps(next(r))[:150].encode(),                                               # truncated
             line(next(r)),
             b'{"id": "0704.9003", "title": ["not", "text"], "abstract": "x"}',            # wrong type
             line(next(r)),
             json.dumps({"id": "0704.9008", "title": "Huge", "abstract": "word " * 2_100_000}).encode(),       # 10 MB abstract
             line(next(r)),
             b'{"id": "0704.9004", "title": "", "abstract": "  "}',                         # empty title+abstract
             line(next(r)),
             b'{"id": "0704.9009", "title": "Lone \\ud800 surrogate", "abstract": "x"}',   # not Unicode
             line(next(r))]
    (d / "records.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    expected.update({("records.jsonl", "line 2"): "UTF-8", ("records.jsonl", "line 4"): "NUL",
                     ("records.jsonl", "line 6"): "not valid JSON", ("records.jsonl", "line 8"): "should be text",
                     ("records.jsonl", "line 10"): "1,000,000-character limit",
                     ("records.jsonl", "line 12"): "neither a title nor an abstract",
                     ("records.jsonl", "line 14"): "lone surrogate U+D800"})
    # a duplicate id with different content: kept once, merged (the longer title and abstract)
    dup = next(r)
    good.append(dup["id"])
    (d / "dup-a.jsonl").write_text(json.dumps({**dup, "abstract": dup["abstract"][:80]}) + "\n", encoding="utf-8")
    (d / "dup-b.jsonl").write_text(json.dumps({**dup, "title": dup["title"] + " (extended version)"}) + "\n",
                                   encoding="utf-8")
    # CSV with a missing and an extra column
    rows = []
    for i in range(3):
        rec = next(r)
        good.append(rec["id"])
        title, abstract = (" ".join(rec[k].split()) for k in ("title", "abstract"))
        rows.append(f"{rec['id']},{csv_field(title)},{csv_field(abstract)}")
    rows.insert(1, "0704.9005,Missing a column")
    rows.insert(3, "0704.9006,Extra,abstract,surplus")
    (d / "table.csv").write_text("id,title,abstract\n" + "\n".join(rows) + "\n", encoding="utf-8")
    expected.update({("table.csv", "line 3"): "2 fields but the header has 3",
                     ("table.csv", "line 5"): "4 fields but the header has 3"})
    # BibTeX with unbalanced braces between good entries
    a, b = next(r), next(r)
    good += [a["id"], b["id"]]
    (d / "refs.bib").write_text(bib_entry(a) + "\n@article{broken,\n  title={Unbalanced {braces},\n  year=2020\n}\n\n"
                                + bib_entry(b), encoding="utf-8")
    expected[("refs.bib", "entry broken")] = "unbalanced braces"
    # Atom: a billion-laughs bomb and an external entity, each in a feed with a good entry
    secret = d.parent / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    for name, dtd, ref in (("bomb.xml", f'<!ENTITY lol0 "lol">{lol}', "&lol9;"),
                           ("xxe.xml", f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">', "&xxe;")):
        ok = next(r)
        good.append(ok["id"])
        (d / name).write_text(f'<?xml version="1.0"?>\n<!DOCTYPE feed [{dtd}]>\n{FEED}{atom_entry(ok)}'
                              f'<entry><id>http://arxiv.org/abs/0704.9007v1</id><title>{ref}</title>'
                              f"<summary>S</summary></entry></feed>", encoding="utf-8")
        expected[(name, "document")] = "DTD"
        expected[(name, "entry 2")] = "undefined entity"
    # files in no known format
    (d / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (d / "notes.txt").write_text("Some notes about papers I liked.\nNothing structured here.\n", encoding="utf-8")
    (d / "empty.jsonl").write_bytes(b"")
    expected.update({("figure.png", "file"): "not in a format kg recognises", ("notes.txt", "file"): "not in a format kg recognises",
                     ("empty.jsonl", "file"): "empty"})
    return {"dir": d, "good": good, "expected": expected, "dup": dup["id"]}


@pytest.fixture(scope="module")
def built(bad_input: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("bad-store") / "store"
    run = subprocess.run([KG, "build", str(bad_input["dir"]), "--store", str(store), "--jobs", "1"],
                         capture_output=True, text=True, cwd=store.parent)
    return {"store": store, "run": run}


def test_good_records_are_all_stored(bad_input: dict[str, Any], built: dict[str, Any]) -> None:
    run = built["run"]
    assert run.returncode == 0, run.stderr
    with Store.open(built["store"]) as store:
        stored = {p.arxiv_id for p in store.iter_papers()}
        dup = store.get_paper(f"paper/arxiv-{bad_input['dup']}")
    assert stored == set(bad_input["good"])  # every good one, and nothing else
    assert len(bad_input["good"]) == 16
    # the duplicate id with different content is one paper: the longer title and abstract
    assert dup is not None and dup.title.endswith(" (extended version)") and len(dup.abstract) > 80
    assert "dup-a.jsonl" in dup.source and "dup-b.jsonl" in dup.source


def test_every_bad_record_is_in_the_rejects_report(bad_input: dict[str, Any], built: dict[str, Any]) -> None:
    rejects = [json.loads(x) for x in (built["store"] / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    found = {(Path(r["source"]).name, r["location"]): r["reason"] for r in rejects}
    assert sorted(found) == sorted(bad_input["expected"])
    for key, words in bad_input["expected"].items():
        assert words in found[key], (key, found[key])
    assert all(len(r["excerpt"]) <= 160 for r in rejects)
    assert not any("TOP-SECRET" in json.dumps(r) or "lollol" in json.dumps(r) for r in rejects)


def test_the_command_names_each_reject_and_says_records_were_rejected(
        bad_input: dict[str, Any], built: dict[str, Any]) -> None:
    run = built["run"]
    n = len(bad_input["expected"])
    assert "Traceback" not in run.stderr + run.stdout
    assert f"rejected: {n}" in run.stdout
    assert f"rejects report: {built['store'] / 'rejects.jsonl'}" in run.stdout
    named = [line for line in run.stderr.splitlines() if line.startswith("rejected ")]
    assert len(named) == n
    for (name, location), words in bad_input["expected"].items():
        assert any(f"{bad_input['dir'] / name}:{location}: " in line and words in line for line in named), (
            name, location, named)


def test_strict_exits_1(bad_input: dict[str, Any], built: dict[str, Any]) -> None:
    run = subprocess.run([KG, "build", str(bad_input["dir"]), "--store", str(built["store"]), "--strict",
                          "--jobs", "1", "-q"], capture_output=True, text=True, cwd=built["store"].parent)
    n = len(bad_input["expected"])
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        f"Error: {n} record(s) rejected (see {built['store'] / 'rejects.jsonl'})")
    assert "Traceback" not in run.stderr
    with Store.open(built["store"]) as store:  # the good records are stored all the same
        assert {p.arxiv_id for p in store.iter_papers()} == set(bad_input["good"])
