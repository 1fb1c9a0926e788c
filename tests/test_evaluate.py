"""``kg eval``: gold readers on the real gold files, the scorer on hand-built cases, the CLI.

Expected counts come from the files themselves (grep, the datasets' READMEs), not from the
readers: pwc dev-abs has 653 METHOD and 407 RESEARCH_PROBLEM mentions (its README); TDMSci
test has 396 B-TASK and 192 B-DATASET tags (``grep -c``); SciERC dev has 216 Method, 127 Task
and 71 Material mentions.
"""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.evaluate.cli import eval_command
from kg.evaluate.gold import (
    GoldDoc, GoldEntity, detect_format, find_occurrences, group_mentions, read_gold,
)
from kg.evaluate.score import (
    DocResult, error_listing, predicted_entities, score_doc, summarize,
)
from kg.model import Mention
from kg.schema import NodeType, RelType

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD = SHARED / "gold"
KG_GOLD = ROOT / "tests" / "data" / "gold"


def _mention_counts(docs: list[GoldDoc]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in docs:
        for e in d.entities:
            out[e.type] = out.get(e.type, 0) + len(e.spans)
    return out


def _spans_match(doc: GoldDoc) -> None:
    for e in doc.entities:
        for a, b in e.spans:
            assert doc.full_text[a:b].lower() in {s.lower() for s in e.surfaces}, (doc.id, e)


# -- readers on real files -------------------------------------------------------------------

def test_scierc_dev() -> None:
    path = GOLD / "scierc" / "dev.json"
    assert detect_format(path) == "scierc"
    docs = list(read_gold(path))
    assert len(docs) == 50
    assert _mention_counts(docs) == {"Method": 216, "Task": 127, "Dataset": 71}
    first = docs[0]
    assert first.title == "" and first.text.startswith("This paper presents an algorithm for computing")
    texts = [(e.type, first.full_text[slice(*e.spans[0])]) for e in first.entities[:3]]
    assert texts == [
        ("Task", "computing optical flow , shape , motion , lighting , and albedo"),
        ("Dataset", "image sequence"),
        ("Dataset", "rigidly-moving Lambertian object"),
    ]
    for d in docs:
        _spans_match(d)


def test_scierc_brackets_are_restored_and_abbreviations_join() -> None:
    docs = list(read_gold(GOLD / "scierc" / "dev.json"))
    assert not any("-LRB-" in d.text for d in docs)
    # "convolutional neural networks ( CNNs )" and a later "CNNs" are one entity
    cnn = next(e for e in docs[25].entities if e.name.startswith("convolutional neural"))
    assert cnn.type == "Method" and len(cnn.spans) == 2
    assert {"convolutional neural networks", "CNNs"} <= set(cnn.surfaces)
    assert [docs[25].full_text[a:b] for a, b in cnn.spans] == [
        "convolutional neural networks ( CNNs )", "CNNs"]


def test_bioes_pwc_dev_abs() -> None:
    path = GOLD / "cs-ner-orkg" / "pwc" / "dev-abs.data"
    assert detect_format(path) == "bioes"
    docs = list(read_gold(path))
    assert len(docs) == 356
    assert _mention_counts(docs) == {"Method": 653, "Task": 407}
    first = docs[0]
    assert first.text.startswith("Spoken Language Understanding (SLU) systems parse")
    ent = first.entities[0]
    assert ent.type == "Task"
    assert first.full_text[slice(*ent.spans[0])] == "Spoken Language Understanding"
    for d in docs[:50]:
        _spans_match(d)


def test_bioes_acl_datasets() -> None:
    docs = list(read_gold(GOLD / "cs-ner-orkg" / "acl" / "dev.data"))
    assert len(docs) == 1142
    assert _mention_counts(docs)["Dataset"] == 39  # the README's count
    first = docs[0]
    assert first.text.startswith("Reinforcement Learning of Multi-Issue Negotiation")
    assert [(e.type, first.full_text[slice(*e.spans[0])]) for e in first.entities] == [
        ("Method", "Reinforcement Learning")]  # RESOURCE is not scored


def test_conll_tdmsci_test_keeps_offsets() -> None:
    path = GOLD / "tdmsci" / "conll" / "test_500_v2.conll"
    assert detect_format(path) == "conll"
    docs = list(read_gold(path))
    assert len(docs) == 487
    assert _mention_counts(docs) == {"Task": 396, "Dataset": 192}
    assert docs[0].text.startswith("As shown in, all DNN-based models")
    assert [(e.type, e.name) for e in docs[0].entities] == [("Task", "response selection")]
    assert [(e.type, docs[1].full_text[slice(*e.spans[0])]) for e in docs[1].entities][:2] == [
        ("Dataset", "IMDB"), ("Dataset", "Elec")]
    for d in docs:
        _spans_match(d)


def test_dataset_sentences() -> None:
    path = GOLD / "dataset-sentences" / "ner_dataset_recognition_sentences.json"
    assert detect_format(path) == "dataset-sentences"
    docs = list(read_gold(path))
    assert len(docs) == 6000
    # 3,684 spans in the file, one of them listed twice
    assert _mention_counts(docs) == {"Dataset": 3683}
    assert [e.name for e in docs[0].entities] == ["CAP data sets"]
    assert docs[0].full_text[56:69] == "CAP data sets"


def test_scirex_dev_title_and_abstract() -> None:
    path = GOLD / "scirex" / "dev.jsonl"
    assert detect_format(path) == "scirex"
    docs = list(read_gold(path))
    assert len(docs) == 66
    first = docs[0]
    assert first.title == "Attention Boosted Sequential Inference Model"
    assert first.text.startswith("Attention mechanism has been proven effective")
    assert "section :" not in first.text
    ent = first.entities[0]
    assert ent.type == "Method" and "aESIM" in ent.surfaces  # one coreference cluster
    assert any(e.type == "Dataset" and e.name == "SNLI" for e in first.entities)
    for d in docs:
        _spans_match(d)


def test_kg_gold_dev_hf() -> None:
    path = KG_GOLD / "dev-hf.jsonl"
    assert detect_format(path) == "kg"
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    docs = list(read_gold(path))
    assert len(docs) == len(raw) == 20
    n_methods = sum(len(r["methods_proposed"]) + len(r["methods_used"]) for r in raw)
    n_datasets = sum(len(r["datasets"]) for r in raw)
    assert sum(e.type == "Method" for d in docs for e in d.entities) == n_methods
    assert sum(e.type == "Dataset" for d in docs for e in d.entities) == n_datasets
    first = docs[0]
    assert first.domains == ("graph learning",) and first.has_roles
    hist = next(e for e in first.entities if e.name == "HISTOGRAPH")
    assert hist.role == "PROPOSES" and len(hist.spans) == 3
    assert all(first.full_text[a:b] == "HISTOGRAPH" for a, b in hist.spans)
    gnn = next(e for e in first.entities if e.name == "graph neural network")
    assert gnn.role == "USES" and "GNN" in gnn.surfaces
    assert first.full_text[slice(*gnn.spans[0])] == "Graph Neural Networks"  # in the title
    for d in docs:
        _spans_match(d)


def test_find_occurrences_whole_words_only() -> None:
    assert find_occurrences("CNN and NN", "NN") == [(8, 10)]
    assert find_occurrences("WHAM! and WHAMR!", "WHAM!") == [(0, 5)]


def test_group_mentions_joins_bracketed_abbreviation() -> None:
    text = "Long Short-Term Memory (LSTM) beats LSTMs"
    ents = group_mentions(text, [("Method", 0, 22), ("Method", 23, 29), ("Method", 36, 41)])
    assert len(ents) == 1
    assert ents[0].surfaces == ("Long Short-Term Memory", "LSTM", "LSTMs")


# -- scorer on hand-built cases --------------------------------------------------------------

def _m(text: str, start: int, kind: NodeType = NodeType.METHOD, role: RelType = RelType.USES,
       key: str = "", field: str = "abstract") -> Mention:
    return Mention(paper_id="p", text=text, start=start, end=start + len(text), field=field,
                   type=kind, role=role, rule="test", confidence=0.9, sentence="", key=key)


def _doc(text: str, ents: list[GoldEntity], domains: tuple[str, ...] = (),
         roles: bool = False) -> GoldDoc:
    return GoldDoc("d", "", text, tuple(ents), domains, has_roles=roles)


def _gold(kind: str, name: str, text: str, *surfaces: str, role: str | None = None) -> GoldEntity:
    surf = (name, *surfaces)
    spans = tuple(sorted({s for x in surf for s in find_occurrences(text, x)}))
    return GoldEntity(kind, name, surf, role, spans)


TEXT = "We apply BERT and ResNet-50 to ImageNet for image classification."


def _score(doc: GoldDoc, mentions: list[Mention], domains: tuple[str, ...] = ()) -> DocResult:
    return score_doc(doc, predicted_entities(mentions, doc.title), domains)


def _gold_doc() -> GoldDoc:
    return _doc(TEXT, [_gold("Method", "BERT", TEXT), _gold("Method", "ResNet-50", TEXT),
                       _gold("Dataset", "ImageNet", TEXT),
                       _gold("Task", "image classification", TEXT)])


def test_perfect_prediction_scores_one() -> None:
    doc = _gold_doc()
    preds = [_m("BERT", 9), _m("ResNet-50", 18), _m("ImageNet", 31, NodeType.DATASET),
             _m("image classification", 44, NodeType.TASK)]
    assert TEXT[44:64] == "image classification"
    s = summarize([_score(doc, preds)])
    for kind in ("Method", "Dataset", "Task"):
        for mode in ("strict", "lenient"):
            assert s["types"][kind][mode] == {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                              "tp": 1 + (kind == "Method")}
    assert s["types"]["Method"]["support"] == 2 and s["types"]["Method"]["predicted"] == 2


def test_empty_prediction_has_zero_recall() -> None:
    s = summarize([_score(_gold_doc(), [])])
    for kind in ("Method", "Dataset", "Task"):
        assert s["types"][kind]["strict"]["recall"] == 0.0
        assert s["types"][kind]["predicted"] == 0


def test_one_false_positive_and_one_false_negative() -> None:
    # BERT right, ResNet-50 missed, "apply" wrongly predicted: P = R = 1/2
    r = _score(_gold_doc(), [_m("BERT", 9), _m("apply", 3)])
    m = summarize([r])["types"]["Method"]["strict"]
    assert (m["precision"], m["recall"], m["f1"]) == (0.5, 0.5, 0.5)
    assert r.false_positives == [("Method", "apply", "")]
    assert r.false_negatives[0][:2] == ("Method", "ResNet-50")
    errs = error_listing([r], 5)
    assert errs["Method"]["fp"][0]["text"] == "apply"
    assert errs["Method"]["fn"][0]["sentence"] == TEXT


def test_strict_versus_lenient() -> None:
    doc = _gold_doc()
    # "image classification" predicted with an extra word: overlap only
    text2 = "We apply BERT and ResNet-50 to ImageNet for image classification."
    r = _score(doc, [_m("for image classification", text2.index("for image"), NodeType.TASK)])
    t = summarize([r])["types"]["Task"]
    assert t["strict"]["tp"] == 0 and t["lenient"]["tp"] == 1
    assert t["lenient"]["precision"] == 1.0


def test_abbreviation_alias_counts_as_match() -> None:
    text = "Direct Preference Optimization (DPO) aligns models; DPO is simple."
    doc = _doc(text, [_gold("Method", "Direct Preference Optimization", text, "DPO")])
    # kg found only the short form, keyed by its own text
    r = _score(doc, [_m("DPO", text.index("DPO"), key="dpo")])
    assert summarize([r])["types"]["Method"]["strict"]["recall"] == 1.0
    # and two predicted entities cannot both take the one gold entity
    r2 = _score(doc, [_m("DPO", 32, key="dpo"),
                      _m("Direct Preference Optimization", 0, key="direct-preference-optimization")])
    m = summarize([r2])["types"]["Method"]["strict"]
    assert (m["tp"], m["precision"], m["recall"]) == (1, 0.5, 1.0)


def test_title_offsets() -> None:
    doc = GoldDoc("d", "BERT for NER", "We study BERT.",
                  (GoldEntity("Method", "BERT", ("BERT",), None, ((0, 4), (23, 27))),), ())
    assert doc.full_text[23:27] == "BERT"
    preds = predicted_entities([_m("BERT", 0, field="title"), _m("BERT", 9)], doc.title)
    assert preds[0].spans == ((0, 4), (23, 27))


def test_role_accuracy() -> None:
    text = "We propose FooNet, built on BERT, and release BarSet; we test on ImageNet."
    doc = _doc(text, [
        _gold("Method", "FooNet", text, role="PROPOSES"), _gold("Method", "BERT", text, role="USES"),
        _gold("Dataset", "BarSet", text, role="INTRODUCES"),
        _gold("Dataset", "ImageNet", text, role="EVALUATES_ON")], roles=True)
    preds = [_m("FooNet", text.index("FooNet"), role=RelType.PROPOSES),
             _m("BERT", text.index("BERT"), role=RelType.PROPOSES),  # wrong
             _m("BarSet", text.index("BarSet"), NodeType.DATASET, RelType.INTRODUCES),
             _m("ImageNet", text.index("ImageNet"), NodeType.DATASET, RelType.EVALUATES_ON)]
    r = _score(doc, preds)
    s = summarize([r])
    assert s["types"]["Method"]["role_accuracy"] == 0.5 and s["types"]["Method"]["role_n"] == 2
    assert s["types"]["Dataset"]["role_accuracy"] == 1.0
    assert r.role_errors[0][:4] == ("Method", "BERT", "USES", "PROPOSES")


def test_domain_accuracy() -> None:
    d1 = _doc(TEXT, [], ("computer vision", "other (neural network architectures)"))
    d2 = _doc(TEXT, [], ("computer vision",))
    d3 = _doc(TEXT, [], ("robotics",))
    results = [score_doc(d1, [], ["other", "robotics"]),            # first hit (other)
               score_doc(d2, [], ["robotics", "computer vision"]),  # any only
               score_doc(d3, [], [])]                                # nothing predicted
    dom = summarize(results)["domains"]
    assert dom == {"first": round(1 / 3, 4), "any": round(2 / 3, 4), "n": 3}
    assert summarize([score_doc(_doc(TEXT, []), [], ["robotics"])])["domains"] is None


# -- the command -----------------------------------------------------------------------------

def test_cli_table_and_json() -> None:
    runner = CliRunner()
    gold = str(KG_GOLD / "dev-hf.jsonl")
    result = runner.invoke(eval_command, [gold, "--errors", "2"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0] for line in result.output.splitlines() if line.strip()}
    assert {"Method", "Dataset", "Task", "domains:"} <= rows
    assert "-- Method false negatives" in result.output

    result = runner.invoke(eval_command, [gold, "--format", "json", "--types", "method,task",
                                          "--limit", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert isinstance(data, list) and len(data) == 1
    res = data[0]
    assert set(res) == {"gold", "format", "docs", "types", "domains", "limit", "seconds"}
    assert res["format"] == "kg" and res["docs"] == 5 and res["limit"] == 5
    assert set(res["types"]) == {"Method", "Task"}
    method = res["types"]["Method"]
    assert set(method) == {"strict", "lenient", "support", "predicted", "role_accuracy", "role_n"}
    assert set(method["strict"]) == {"precision", "recall", "f1", "tp"}
    assert set(res["domains"]) == {"first", "any", "n"} and res["domains"]["n"] == 5


def test_cli_unknown_format() -> None:
    result = CliRunner().invoke(eval_command, [str(KG_GOLD / "dev-hf.md")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "not in any known format (known: bioes, conll, dataset-sentences, kg" in result.output


@pytest.mark.parametrize("fmt,path", [
    ("scierc", GOLD / "scierc" / "test.json"),
    ("bioes", GOLD / "cs-ner-orkg" / "ftd" / "dev-abs.data"),
    ("scirex", GOLD / "scirex" / "train_docs.jsonl"),
    ("kg", KG_GOLD / "dev-arxiv-a.jsonl"),
])
def test_every_reader_yields_consistent_spans(fmt: str, path: Path) -> None:
    assert detect_format(path) == fmt
    for doc in islice(read_gold(path, fmt), 30):
        _spans_match(doc)
