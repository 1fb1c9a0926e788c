"""Extractor v1 on real abstracts from the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.pipeline import Extractor, PaperExtraction
from kg.model import Paper
from kg.schema import NodeType, RelType


def _hf_paper(corpus: Path, title_start: str) -> Paper:
    for f in sorted((corpus / "hf-daily-papers").glob("*.txt")):
        lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines()]
        for i, ln in enumerate(lines):
            if ln.startswith(title_start):
                abstract = next(x for x in lines[i + 1:] if x)
                return Paper(id="paper/test", title=ln, abstract=abstract)
    raise AssertionError(f"no paper titled {title_start!r} in the corpus")


def _by_text(ex: PaperExtraction) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in ex.mentions:
        out.setdefault(m.text, []).append(m)
    return out


def test_offsets_point_at_the_mention_text(extractor: Extractor, corpus: Path) -> None:
    records = [json.loads(line) for line in
               (corpus / "arxiv-daily" / "2025-10-13.jsonl").read_text().splitlines()[:60]]
    papers = [Paper(id=f"paper/{r['id']}", title=" ".join(r["title"].split()),
                    abstract=" ".join(r["summary"].split())) for r in records]
    n = 0
    for ex in extractor.extract(papers):
        for m in ex.mentions:
            text = ex.paper.title if m.field == "title" else ex.paper.abstract
            assert text[m.start:m.end] == m.text
            assert m.text in m.sentence
            assert 0.0 < m.confidence < 1.0
            assert m.rule
            n += 1
    assert n > 200  # the extractor finds things in real abstracts


def test_coined_name_in_title_and_proposal_is_proposed(extractor: Extractor, corpus: Path) -> None:
    ex = extractor.extract_one(_hf_paper(corpus, "DeeperBrain: A Neuro-Grounded EEG"))
    found = _by_text(ex)
    assert {m.role for m in found["DeeperBrain"]} == {RelType.PROPOSES}
    assert {m.field for m in found["DeeperBrain"]} == {"title", "abstract"}
    # "Masked EEG Reconstruction (MER)": the pair resolves to one key
    assert found["MER"][0].key == found["Masked EEG Reconstruction"][0].key
    assert ("MER", "Masked EEG Reconstruction") in ex.abbreviations


def test_known_methods_are_used_not_proposed(extractor: Extractor, corpus: Path) -> None:
    ex = extractor.extract_one(_hf_paper(corpus, "AgroSense"))
    found = _by_text(ex)
    assert found["AgroSense"][0].role is RelType.PROPOSES
    for name in ("ResNet-18", "XGBoost", "LightGBM", "TabNet"):
        assert name in found, name
        assert all(m.type is NodeType.METHOD and m.role is RelType.USES for m in found[name])


def test_generic_phrases_are_not_entities(extractor: Extractor, corpus: Path) -> None:
    ex = extractor.extract_one(_hf_paper(corpus, "DeeperBrain: A Neuro-Grounded EEG"))
    texts = {m.text.lower() for m in ex.mentions}
    for generic in ("eeg", "electroencephalography", "foundation model", "deep learning"):
        assert generic not in texts


def test_domains_come_from_the_taxonomy(extractor: Extractor, corpus: Path) -> None:
    ex = extractor.extract_one(_hf_paper(corpus, "DeeperBrain: A Neuro-Grounded EEG"))
    tops = [d.top for d in ex.domains]
    assert 1 <= len(tops) <= 3
    assert tops[0] in {"brain-computer interfaces", "neuroscience"}
    assert ex.domains[0].explanation


@pytest.mark.parametrize("cat,top", [("cs.CV", "computer vision"), ("cs.CL", "natural language processing")])
def test_arxiv_category_is_domain_evidence(extractor: Extractor, cat: str, top: str) -> None:
    paper = Paper(id="paper/x", title="A study", abstract="We report results.", categories=(cat,))
    ex = extractor.extract_one(paper)
    assert ex.domains[0].top == top
    assert any(cat in e for e in ex.domains[0].explanation)
