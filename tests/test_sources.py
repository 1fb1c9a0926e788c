"""Readers (kg.sources) on the real corpus, on small samples of every format, and on broken input.

The corpus is ``../shared/corpus`` beside the repository (see its README.md); the samples of
the formats the corpus lacks are in ``tests/data/sources`` (see the README.md there). Broken
files are written into a temporary directory by each test, so the bytes are visible here.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Paper, Reject
from kg.sources import (
    MAX_ABSTRACT_CHARS,
    READERS,
    UnknownFormat,
    dedupe,
    detect_format,
    merge_papers,
    read_papers,
)

SAMPLES = Path(__file__).resolve().parent / "data" / "sources"


@pytest.fixture(scope="module")
def corpus() -> Path:
    """The shared corpus, ``../shared/corpus`` beside the repository."""
    path = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip(f"the shared corpus is not at {path}")
    return path


def split(records: list[Paper | Reject]) -> tuple[list[Paper], list[Reject]]:
    return ([r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Reject)])


def by_location(rejects: list[Reject]) -> dict[str, Reject]:
    return {r.location: r for r in rejects}


# --------------------------------------------------------------------------- hf-daily-papers

@pytest.fixture(scope="module")
def hf(corpus: Path) -> tuple[list[Paper], list[Paper]]:
    """(every paper read, the papers deduplicated) from the five page captures."""
    records = list(read_papers([corpus / "hf-daily-papers"]))
    papers, rejects = split(records)
    assert rejects == []
    return papers, [p for p in dedupe(records) if isinstance(p, Paper)]


def test_hf_listing_reads_all_five_files(hf: tuple[list[Paper], list[Paper]]) -> None:
    papers, unique = hf
    assert len({p.source for p in papers}) == 5
    assert len(unique) == 321
    assert len({p.id for p in unique}) == 321


def test_hf_listing_known_paper(hf: tuple[list[Paper], list[Paper]]) -> None:
    _, unique = hf
    [p] = [p for p in unique if p.title == "DeeperBrain: A Neuro-Grounded EEG Foundation Model Towards Universal BCI"]
    assert p.abstract.startswith("Electroencephalography (EEG) foundation models hold significant promise")
    assert p.abstract.endswith("The code will be publicly available.")
    assert len(p.abstract) > 1600
    assert p.author_count == 6
    assert (p.date, p.date_raw, p.year) == (None, "Jan 5", None)


def test_hf_listing_dates_and_code_urls(hf: tuple[list[Paper], list[Paper]]) -> None:
    _, unique = hf
    [p] = [p for p in unique if p.title.startswith("A Benchmark Dataset for Multimodal Prediction of Enzymatic")]
    assert (p.date, p.year, p.author_count) == ("2024-07-21", 2024, 6)
    urls = {u for p in unique for u in p.code_urls}
    assert "https://github.com/JarvisPei/CMoE" in urls
    assert len(urls) > 40
    assert sum(p.date is not None for p in unique) > 50


def test_hf_listing_no_page_noise_in_titles(hf: tuple[list[Paper], list[Paper]]) -> None:
    papers, _ = hf
    noise = re.compile(r"subscribe|submitted by|\bauthors?$|trending papers|^byak |daily papers$|^·$"
                       r"|^[A-Z][a-z]{2} \d{1,2}(, \d{4})?( \d+)?$|^\d+$|math-ai", re.IGNORECASE)
    for p in papers:
        assert not noise.search(p.title), p.title
        assert 10 <= len(p.title) <= 300 and p.abstract, p
    titles = {p.title for p in papers}
    assert "Self-Ablating Transformers: More Interpretability, Less Sparsity" in titles  # was "SubscribeSelf-..."
    assert "Residual Stream Duality in Modern Transformer Architectures" in titles  # before a "math-ai" submitter


def test_hf_listing_keeps_longest_abstract(hf: tuple[list[Paper], list[Paper]], tmp_path: Path) -> None:
    papers, unique = hf
    longest: dict[str, int] = defaultdict(int)
    for p in papers:
        longest[p.id] = max(longest[p.id], len(p.abstract))
    assert all(len(p.abstract) == longest[p.id] for p in unique)
    assert any(p.source.count("; ") >= 2 for p in unique)  # seen in three captures, merged
    # The corpus's repeats are identical, so also check a preview next to the full abstract.
    full = next(p for p in unique if p.title.startswith("DeeperBrain"))
    preview = tmp_path / "preview.txt"
    preview.write_text(f"Subscribe\n\n{full.title}\n\n{full.abstract[:200]}\n\n  • 6 authors\n·\nJan 5, 2026\n",
                       encoding="utf-8")
    capture = Path(full.source.split("; ")[0])
    orders: list[list[Path | str]] = [[preview, capture], [capture, preview]]
    for order in orders:
        merged = [p for p in dedupe(read_papers(order)) if isinstance(p, Paper) and p.id == full.id]
        assert [(m.abstract, m.date, m.date_raw) for m in merged] == [(full.abstract, "2026-01-05", None)]


# --------------------------------------------------------------------------- arXiv corpus

def test_arxiv_daily_counts_and_categories(corpus: Path) -> None:
    records = list(read_papers([corpus / "arxiv-daily"]))
    papers, rejects = split(records)
    assert rejects == [] and len(papers) == 2249
    unique = [p for p in dedupe(records) if isinstance(p, Paper)]
    assert len(unique) == 1659
    raw = [json.loads(line) for f in sorted((corpus / "arxiv-daily").glob("*.jsonl"))
           for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [p.categories for p in papers] == [tuple(r["categories"]) for r in raw]  # order kept
    first = papers[0]
    assert (first.id, first.arxiv_id, first.year, first.date) == ("paper/arxiv-2510.08589", "2510.08589", 2025, None)
    assert first.categories == ("cs.CV", "cs.AI")
    # A paper listed in several files (a cross-list) becomes one record naming every file.
    counts = Counter(r["id"] for r in raw)
    repeated = next(i for i, n in counts.items() if n >= 3)
    [merged] = [p for p in unique if p.arxiv_id == repeated]
    assert merged.categories == tuple(next(r["categories"] for r in raw if r["id"] == repeated))
    assert len(merged.source.split("; ")) >= 1


def test_arxiv_oai_sample(corpus: Path) -> None:
    papers, rejects = split(list(read_papers([corpus / "arxiv-oai-sample"])))
    assert rejects == [] and len(papers) == 200 and len({p.id for p in papers}) == 200
    p = papers[0]
    assert p.id == "paper/arxiv-0704.0001"
    assert p.doi == "10.1103/physrevd.76.013009"
    assert (p.date, p.year) == ("2007-04-02", 2007)  # versions[0].created "Mon, 2 Apr 2007 19:18:42 GMT"
    assert p.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")  # authors_parsed
    assert p.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert papers[1].categories == ("math.CO", "cs.CG")
    assert sum(p.doi is not None for p in papers) == 117
    assert all(p.date and p.abstract and p.authors for p in papers)


# --------------------------------------------------------------------------- format detection

SAMPLE_FORMATS = {
    "arxiv_api.atom.xml": "kg.arxiv-atom.v1",
    "openalex_page.json": "kg.openalex.v1",
    "s2_search.json": "kg.s2.v1",
    "hf_daily_papers_api.json": "kg.hf-api.v1",
    "papers.csv": "kg.csv.v1",
    "refs.bib": "kg.bibtex.v1",
    "papers.jsonl": "kg.json.v1",
    "papers_array.json": "kg.json.v1",
}


def test_detect_format_corpus(corpus: Path) -> None:
    expected = {"hf-daily-papers": "kg.hf-listing.v1", "arxiv-daily": "kg.arxiv-listing.v1",
                "arxiv-oai-sample": "kg.arxiv-oai.v1"}
    seen = 0
    for folder, name in expected.items():
        for f in sorted((corpus / folder).iterdir()):
            if f.name != "LICENSE":
                assert detect_format(f) == name, f
                seen += 1
    assert seen == 13


def test_samples_detected_and_read() -> None:
    assert sorted(p.name for p in SAMPLES.iterdir() if p.name != "README.md") == sorted(SAMPLE_FORMATS)
    for name, fmt in SAMPLE_FORMATS.items():
        assert detect_format(SAMPLES / name) == fmt, name
        papers, rejects = split(list(read_papers([SAMPLES / name])))
        assert papers and not rejects, name
    by_file = {name: split(list(read_papers([SAMPLES / name])))[0] for name in SAMPLE_FORMATS}
    atom = by_file["arxiv_api.atom.xml"]
    assert atom[0].title == "Attention Is All You Need" and atom[0].categories == ("cs.CL", "cs.LG")
    assert atom[1].code_urls == ("https://github.com/microsoft/LoRA",) and atom[1].date == "2021-06-17"
    oa = by_file["openalex_page.json"]
    assert oa[0].id == "paper/arxiv-1706.03762"  # from the arXiv DOI and landing page
    assert oa[0].abstract == "The dominant sequence transduction models are based on attention."
    assert oa[1].id == "paper/doi-10.1109-cvpr.2016.90" and oa[1].authors == ("Kaiming He",)
    s2 = by_file["s2_search.json"]
    assert s2[0].arxiv_id == "1706.03762" and s2[1].abstract.startswith("A new language representation")
    hf = by_file["hf_daily_papers_api.json"][0]
    assert (hf.arxiv_id, hf.date, hf.code_urls) == ("2502.01061", "2025-02-03", ("https://github.com/example/sparse-moe",))
    bib = by_file["refs.bib"]
    assert bib[0].authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar") and bib[0].categories == ("cs.CL",)
    assert bib[2].title.startswith("BERT: Pre-training") and bib[2].arxiv_id == "1810.04805"
    csv_papers = by_file["papers.csv"]
    assert csv_papers[1].categories == ("cs.CL", "cs.LG") and csv_papers[0].authors == ("Kaiming He", "Xiangyu Zhang")
    # One paper, five formats: one id, so they merge.
    ids = {p.id for papers in by_file.values() for p in papers if "Attention" in p.title}
    assert ids == {"paper/arxiv-1706.03762"}


def test_detect_format_by_content_not_extension(corpus: Path, tmp_path: Path) -> None:
    lines = (corpus / "arxiv-daily" / "2025-10-13.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    (tmp_path / "listing.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    oai = (corpus / "arxiv-oai-sample" / "arxiv-metadata-oai-snapshot.head200.jsonl").read_text(encoding="utf-8")
    (tmp_path / "oai.csv").write_text("\n".join(oai.splitlines()[:3]) + "\n", encoding="utf-8")
    (tmp_path / "refs.json").write_bytes((SAMPLES / "refs.bib").read_bytes())
    (tmp_path / "table.bib").write_bytes((SAMPLES / "papers.csv").read_bytes())
    (tmp_path / "page.jsonl").write_bytes((corpus / "hf-daily-papers" / "004_3eaf9e851b224881.txt").read_bytes())
    expected = {"listing.txt": "kg.arxiv-listing.v1", "oai.csv": "kg.arxiv-oai.v1", "refs.json": "kg.bibtex.v1",
                "table.bib": "kg.csv.v1", "page.jsonl": "kg.hf-listing.v1"}
    for name, fmt in expected.items():
        assert detect_format(tmp_path / name) == fmt, name
    assert len(split(list(read_papers([tmp_path / "listing.txt"])))[0]) == 5


def test_unknown_format(tmp_path: Path) -> None:
    png = tmp_path / "figure.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")
    prose = tmp_path / "notes.txt"
    prose.write_text("Some notes about papers I liked.\nNothing structured here.\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    for path in (png, prose, empty):
        with pytest.raises(UnknownFormat) as info:
            detect_format(path)
        message = str(info.value)
        assert str(path) in message and all(name in message for name in READERS)
        [reject] = list(read_papers([path]))
        assert isinstance(reject, Reject) and reject.location == "file" and "kg.csv.v1" in reject.reason
    [missing] = list(read_papers([tmp_path / "nope.json"]))
    assert isinstance(missing, Reject) and "cannot open" in missing.reason
    with pytest.raises(ValueError, match="kg.csv.v1"):
        list(read_papers([prose], format="kg.nope.v1"))


def test_read_papers_walks_directories(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    good = (SAMPLES / "papers.jsonl").read_bytes()
    for name in ("b/c/z.jsonl", "a.jsonl", ".hidden/x.jsonl", ".dot.jsonl", "README.md", "LICENSE", "LICENSE.txt"):
        (tmp_path / name).write_bytes(good)
    records = list(read_papers([tmp_path]))
    assert [Path(r.source).relative_to(tmp_path).as_posix() for r in records] == ["a.jsonl"] * 2 + ["b/c/z.jsonl"] * 2
    assert all(isinstance(r, Paper) for r in records)
    assert len(list(read_papers([str(tmp_path / "README.md")]))) == 2  # a file named explicitly is read


# --------------------------------------------------------------------------- broken input

def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_broken_json_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.jsonl", b"\n".join([
        b'{"id": "2101.00001", "title": "Good one", "abstract": "Fine."}',
        b'{"id": "2101.00002", "title": "Truncated", "abstr',
        b'{"id": "x3", "title": "Bad \xff\xfe bytes", "abstract": "a"}',
        b'{"id": "x4", "title": "Nul\x00 here", "abstract": "a"}',
        b'{"id": "x5", "title": 42, "abstract": "a"}',
        b'{"id": "x6", "title": ["a", "list"], "abstract": "b"}',
        b'{"id": "x7", "title": "", "abstract": "   "}',
        b'[1, 2, 3]',
        b'',
        b'{"id": "x10", "title": "Good two", "summary": "Also fine.", "authors": "A, B and C"}',
    ]) + b"\n")
    papers, rejects = split(list(read_papers([path])))
    assert [p.title for p in papers] == ["Good one", "Good two"]
    assert papers[1].authors == ("A", "B", "C")
    reasons = {loc: r.reason for loc, r in by_location(rejects).items()}
    assert sorted(reasons) == [f"line {n}" for n in range(2, 9)]
    assert "not valid JSON" in reasons["line 2"]
    assert "not valid UTF-8" in reasons["line 3"]
    assert "NUL" in reasons["line 4"]
    assert reasons["line 5"] == "'title' should be text, got a number"
    assert reasons["line 6"] == "'title' should be text, got a list"
    assert "neither a title nor an abstract" in reasons["line 7"]
    assert "expected a JSON object" in reasons["line 8"]
    assert all(r.source == str(path) and r.excerpt for r in rejects if r.location != "line 7")


def test_broken_json_array_and_apis(tmp_path: Path) -> None:
    array = write(tmp_path, "array.json", b'[{"title": "One", "abstract": "x"}, {"title": 5}, "text",\n'
                  b'{"title": "Four", "abstract": "\xc3\x28"}, {"title": "Five", "abstract": "y"}, {"title": "Six')
    papers, rejects = split(list(read_papers([array])))
    assert [p.title for p in papers] == ["One", "Five"]
    assert sorted(r.location for r in rejects) == ["record 2", "record 3", "record 4", "record 6"]
    openalex = write(tmp_path, "oa.json", json.dumps({"results": [
        {"id": "https://openalex.org/W1", "title": "Good", "abstract_inverted_index": {"a": [0]}},
        {"id": "https://openalex.org/W2", "title": "Bad", "abstract_inverted_index": {"a": "zero"}},
        {"id": "https://openalex.org/W3", "title": "Huge", "abstract_inverted_index": {"a": [10**12]}},
    ]}).encode())
    papers, rejects = split(list(read_papers([openalex])))
    assert [p.title for p in papers] == ["Good", "Huge"] and papers[1].abstract == "a"
    assert [r.location for r in rejects] == ["record 2"] and "positions" in rejects[0].reason
    s2 = write(tmp_path, "s2.json", b'[{"paperId": "abc", "title": "Good"}, null, {"paperId": "d", "title": {"x": 1}}]')
    papers, rejects = split(list(read_papers([s2])))
    assert [p.id for p in papers] == ["paper/s2-abc"]
    assert [(r.location, r.reason[:11]) for r in rejects] == [("record 2", "null record"), ("record 3", "'title' sho")]


def test_broken_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", b"id,title,abstract,authors\n"
                 b"1,Good one,Fine.,A;B\n"
                 b"2,Missing a column,x\n"
                 b"3,Extra,x,A,surplus\n"
                 b"4,Bad \xff bytes,x,A\n"
                 b'5,"Multi\nline title",x,C\n'
                 b"6,,,\n"
                 b"7,Good two,Fine.,D\n")
    papers, rejects = split(list(read_papers([path])))
    assert [p.title for p in papers] == ["Good one", "Multi line title", "Good two"]
    assert papers[0].authors == ("A", "B")
    reasons = {loc: r.reason for loc, r in by_location(rejects).items()}
    assert sorted(reasons) == ["line 3", "line 4", "line 5", "line 8"]
    assert "3 fields but the header has 4" in reasons["line 3"]
    assert "5 fields but the header has 4" in reasons["line 4"]
    assert "UTF-8" in reasons["line 5"] and "neither a title nor an abstract" in reasons["line 8"]


def test_broken_bibtex(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.bib", b"@article{good1, title={{Deep} Learning}, author={Doe, Jane}, year=2020}\n\n"
                 b"@article{broken, title={Unbalanced {braces}, year=2020\n}\n"
                 b"@misc{good2, title=\"Fine\", abstract={An abstract.}}\n"
                 b"@misc{good1, title={Duplicate key}}\n"
                 b"@misc{badutf, title={Bad \xff}}\n")
    papers, rejects = split(list(read_papers([path])))
    assert [(p.title, p.authors) for p in papers] == [("Deep Learning", ("Jane Doe",)), ("Fine", ())]
    reasons = {loc: r.reason for loc, r in by_location(rejects).items()}
    assert sorted(reasons) == ["entry badutf", "entry broken", "entry good1"]
    assert "unbalanced braces" in reasons["entry broken"] and "line 3" in reasons["entry broken"]
    assert "duplicate entry key" in reasons["entry good1"]


FEED = b'<feed xmlns="http://www.w3.org/2005/Atom">'
ENTRY = b"<entry><id>http://arxiv.org/abs/2101.0000%dv1</id><title>%s</title><summary>S</summary></entry>"


def test_xml_bomb_and_external_entity_are_refused(tmp_path: Path) -> None:
    lol = b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    bomb = write(tmp_path, "bomb.xml", b'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY lol0 "lol">' + lol + b"]>\n"
                 + FEED + ENTRY % (1, b"Good") + ENTRY % (2, b"&lol9;") + b"</feed>")
    secret = write(tmp_path, "secret.txt", b"TOP-SECRET-MARKER")
    ext = write(tmp_path, "ext.xml", b'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "'
                + secret.as_uri().encode() + b'">]>\n' + FEED + ENTRY % (1, b"Good") + ENTRY % (2, b"&xxe;") + b"</feed>")
    for path in (bomb, ext):
        assert detect_format(path) == "kg.arxiv-atom.v1"
        start = time.perf_counter()
        records = list(read_papers([path]))
        assert time.perf_counter() - start < 2
        papers, rejects = split(records)
        assert [p.title for p in papers] == ["Good"]
        assert [r.location for r in rejects] == ["document", "entry 2"]
        assert "DTD" in rejects[0].reason and "undefined entity" in rejects[1].reason
        assert not any("lollol" in repr(r) or "TOP-SECRET" in repr(r) for r in records)


def test_xml_one_bad_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.xml", FEED + ENTRY % (1, b"One") + ENTRY % (2, b"Bad \xff byte")
                 + ENTRY % (3, b"Three") + b"<entry><id>http://arxiv.org/abs/2101.00004")
    papers, rejects = split(list(read_papers([path])))
    assert [p.title for p in papers] == ["One", "Three"]
    assert [r.location for r in rejects] == ["entry 2"]


def test_hf_listing_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, "page.txt", b"Get trending papers in your email inbox!\n\nSubscribe\n\n"
                 b"First Title\n\nFirst abstract, long enough.\n\n  \xe2\x80\xa2 3 authors\n\xc2\xb7\nMar 3, 2024 7\n\n"
                 b"Second Title\n\nAbstract with \xff bad byte.\n\n"
                 b"Third Title\n\nThird abstract.\n\n"
                 b"Submitted by\nAK\nFourth Title\n" + b"Long fourth abstract. " * 20 + b"\n")
    papers, rejects = split(list(read_papers([path])))
    assert [(p.title, p.author_count, p.date) for p in papers] == [
        ("First Title", 3, "2024-03-03"), ("Third Title", None, None), ("Fourth Title", None, None)]
    assert [(r.location, r.reason[:12]) for r in rejects] == [
        ("line 15", "'abstract' c"), ("line 22", "skipped a sh")]
    assert "UTF-8" in rejects[0].reason


def test_huge_abstract_is_rejected_not_fatal(tmp_path: Path) -> None:
    big = "word " * 2_000_000  # 10 MB
    path = write(tmp_path, "big.jsonl", (json.dumps({"title": "Big", "abstract": big}) + "\n"
                                         + json.dumps({"title": "Small", "abstract": "ok"}) + "\n").encode())
    csv_path = write(tmp_path, "big.csv", f"id,title,abstract\n1,Big,{big}\n2,Small,ok\n".encode())
    for p in (path, csv_path):
        papers, rejects = split(list(read_papers([p])))
        assert [x.title for x in papers] == ["Small"]
        assert [r.location for r in rejects] == ["line 1" if p == path else "line 2"]
        assert f"{MAX_ABSTRACT_CHARS:,}" in rejects[0].reason and len(rejects[0].excerpt) < 200


# --------------------------------------------------------------------------- properties

HEADS = [b"", b'{"id": "2510.00001", "pdf": "p", "abs": "a", "summary": "', b'{"title": ', b"[{\"paper\": {",
         b'{"results": [{"abstract_inverted_index": ', b'{"paperId": "x", "title": ', b"@article{k, title={",
         b"id,title,abstract\n", b"Get trending papers in your email inbox!\n",
         b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2101.00001</id><title>',
         b'{"id": "0704.0001", "authors_parsed": [["A", "B", ""]], "versions": ']


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(head=st.sampled_from(HEADS), body=st.binary(max_size=600),
       fmt=st.sampled_from([None, *sorted(READERS)]))
def test_read_papers_never_raises(head: bytes, body: bytes, fmt: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.dat"
        path.write_bytes(head + body)
        for record in read_papers([path], format=fmt):
            assert isinstance(record, (Paper, Reject))


words = st.text(alphabet="abcXY ", max_size=6)


def lists(values: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), max_size=len(values)).map(tuple)


papers = st.builds(
    Paper, id=st.just("paper/x"), title=words, abstract=words,
    date=st.sampled_from([None, "2020-01-02", "2021-05-06"]),
    date_raw=st.sampled_from([None, "Jan 5", "Feb 29"]),
    year=st.sampled_from([None, 2019, 2020]),
    authors=lists(["A", "B", "C", "D"]),
    author_count=st.sampled_from([None, 1, 3]),
    categories=lists(["cs.LG", "cs.AI", "q-bio"]),
    doi=st.sampled_from([None, "10.1/a", "10.1/b"]),
    arxiv_id=st.sampled_from([None, "2101.00001", "2101.00002"]),
    code_urls=lists(["u", "v", "w"]),
    source=st.sampled_from(["f1", "f2", "f3"]))


@settings(max_examples=150, deadline=None)
@given(a=papers, b=papers, c=papers)
def test_merge_is_commutative_and_associative(a: Paper, b: Paper, c: Paper) -> None:
    assert merge_papers(a, b) == merge_papers(b, a)
    assert merge_papers(merge_papers(a, b), c) == merge_papers(a, merge_papers(b, c))
