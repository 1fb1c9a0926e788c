"""``kg explain`` and the issue's ``kg show`` checks, on the hf-daily-papers store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]
PANFLOWNET = "paper/title-7bf922ca29df5ebf"


def _store(path: Path, inputs: list[Path], extractor: Any) -> Path:
    with Store.open(path, create=True) as store:
        store.lock()
        report = build(inputs, store, extractor=extractor)
    assert report.rejected == 0
    return path


@pytest.fixture(scope="module")
def hf(tmp_path_factory: pytest.TempPathFactory, corpus: Path, extractor: Any) -> Path:
    return _store(tmp_path_factory.mktemp("hf") / "store", [corpus / "hf-daily-papers"], extractor)


@pytest.fixture(scope="module")
def arxiv(tmp_path_factory: pytest.TempPathFactory, extractor: Any) -> Path:
    return _store(tmp_path_factory.mktemp("arxiv") / "store",
                  [ROOT / "examples" / "arxiv-listing-sample.jsonl"], extractor)


def kg(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_show_dpo_by_abbreviation_name_and_case_is_one_neighbourhood(hf: Path) -> None:
    outs = []
    for query in ("dpo", "Direct Preference Optimization", "DPO"):
        result = kg("show", query, "--store", str(hf), "--format", "json")
        assert result.exit_code == 0, (query, result.output)
        outs.append(json.loads(result.output))
    assert outs[0] == outs[1] == outs[2]
    assert outs[0]["concept"]["id"] == "method/direct-preference-optimization"
    assert "DPO" in outs[0]["concept"]["aliases"]
    assert any(n["type"] == "Paper" and n["evidence"] and "DPO" in n["evidence"]["sentence"]
               for n in outs[0]["neighbors"])


def test_show_misspelt_pan_sharpening(hf: Path) -> None:
    result = kg("show", "pan-sharpning", "--store", str(hf), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["concept"]["id"] == "task/pan-sharpening"
    # further off it is not guessed but suggested
    result = kg("show", "pansharp", "--store", str(hf))
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: no entity matches 'pansharp'; closest: pan-sharpening (task/pan-sharpening)")


def test_explain_finds_a_paper_by_id_and_title_words(hf: Path) -> None:
    a = kg("explain", PANFLOWNET, "--store", str(hf), "--format", "json")
    b = kg("explain", "flow-based deep network pan-sharpening", "--store", str(hf), "--format", "json")
    assert a.exit_code == b.exit_code == 0, (a.output, b.output)
    assert a.output == b.output
    assert json.loads(a.output)["paper"]["title"] == \
        "PanFlowNet: A Flow-Based Deep Network for Pan-sharpening"


def test_explain_shows_every_mention_with_its_evidence(hf: Path) -> None:
    with Store.open(hf) as store:
        stored = store.mentions_of(PANFLOWNET)
        paper = store.get_paper(PANFLOWNET)
        edges = list(store.conn.execute(
            "SELECT rel, target FROM edges WHERE paper_id=? AND rel != 'IN_DOMAIN'", (PANFLOWNET,)))
    assert paper is not None and len(stored) > 5
    data = json.loads(kg("explain", PANFLOWNET, "--store", str(hf), "--format", "json").output)
    assert len(data["mentions"]) == len(stored)
    text = paper.title + "\n" + paper.abstract
    for m in data["mentions"]:
        field = paper.title if m["field"] == "title" else paper.abstract
        assert field[m["start"]:m["end"]] == m["text"]
        assert m["text"] in m["sentence"] and m["rule"] and 0 < m["confidence"] <= 1
        # a linked mention names the edge it supports; an unlinked one says why
        assert (m["entity"] and m["edge"]) or (m["entity"] is None and m["note"])
    assert {(e["relation"], e["target"]) for e in data["edges"]} == {(r[0], r[1]) for r in edges}
    out = kg("explain", PANFLOWNET, "--store", str(hf)).output
    for m in data["mentions"]:
        assert f'"{m["text"]}"' in out and f'({m["rule"]}, {m["confidence"]})' in out
        assert " ".join(m["sentence"].split()) in out
    assert text  # the record is there too
    assert "Pan-sharpening" in out.splitlines()[0]


def test_explain_gives_the_words_that_chose_each_domain(hf: Path) -> None:
    data = json.loads(kg("explain", PANFLOWNET, "--store", str(hf), "--format", "json").output)
    text = (data["paper"]["title"] + " " + data["paper"]["abstract"]).lower()
    assert 1 <= len(data["domains"]) <= 3
    assert data["domains"][0]["id"] == "domain/pan-sharpening"
    for d in data["domains"]:
        assert d["why"], d
        for w in d["why"]:
            if w.startswith("arXiv "):
                assert w[6:] in data["paper"]["categories"]
            else:
                assert w.strip("'").lower() in text, (d["id"], w)
    out = kg("explain", PANFLOWNET, "--store", str(hf)).output
    assert "because: 'Pan-sharpening', 'multispectral'" in out


def test_explain_by_arxiv_id(arxiv: Path) -> None:
    outs = {kg("explain", q, "--store", str(arxiv)).output
            for q in ("2510.08589", "arXiv:2510.08589v2", "paper/arxiv-2510.08589")}
    assert len(outs) == 1
    (out,) = outs
    assert out.startswith("Paper Beyond CNNs: Efficient Fine-Tuning of Multi-Modal LLMs")
    assert "arxiv_id:   2510.08589" in out and "categories: cs.CV; cs.AI" in out
    with Store.open(arxiv) as store:
        n = len(store.mentions_of("paper/arxiv-2510.08589"))
    assert f"Mentions ({n}, " in out and out.count("  -> ") == n


def test_explain_errors(hf: Path) -> None:
    result = kg("explain", "zzzz qqqq", "--store", str(hf))
    assert result.exit_code == 1
    assert result.output.startswith("Error: no paper matches 'zzzz qqqq'")
    result = kg("explain", "diffusion", "--store", str(hf))
    assert result.exit_code == 1
    assert result.output.startswith("Error: 'diffusion' matches several papers, among them: paper/")
