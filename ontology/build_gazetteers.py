#!/usr/bin/env python3
"""Rebuild kg's gazetteers from the public lexicon sources and the curated lists.

Inputs
------
* ``SOURCES/pwc-methods/methods.json.gz`` (Papers with Code methods, CC BY-SA 4.0) -> Method entries;
* ``SOURCES/cso-labels/concepts.csv`` (Computer Science Ontology labels, CC BY 4.0) -> Task entries;
* ``ontology/gazetteers/curated/{methods,datasets,tasks}.jsonl`` (kg-curated, CC0-1.0): the
  hand-made entries, which win every conflict;
* ``ontology/gazetteers/curated/pwc_overrides.tsv``, ``ambiguous_forms.txt`` and
  ``cso_exclude.txt``: the per-entry decisions about the derived lists;
* ``ontology/gazetteers/generic.txt``: phrases that are never an entity.

Outputs (in ``--out``, default ``ontology/gazetteers``): ``methods.jsonl``, ``datasets.jsonl``,
``tasks.jsonl`` (one entry per line, sorted by id) and ``dropped.tsv`` (every derived entry or
name left out, with the rule that removed it). The output depends only on the inputs: running the
script twice gives byte-identical files.

Usage: ``python ontology/build_gazetteers.py [SOURCES] [--out DIR]``; ``SOURCES`` defaults to
``../shared/lexicon-sources`` relative to the repository root. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

__all__ = ["slugify", "acronym_like", "is_initialism", "build", "main"]

REPO = Path(__file__).resolve().parents[1]
GAZ = REPO / "ontology" / "gazetteers"
LICENCE = {"pwc": "CC BY-SA 4.0", "cso": "CC BY 4.0", "kg-curated": "CC0-1.0"}
TYPES = {"methods": "Method", "datasets": "Dataset", "tasks": "Task"}
# A Papers-with-Code acronym (all capitals/digits, at most 5 characters, or any all-capitals name
# without an expansion) is kept only for methods cited by at least this many papers: rare
# acronyms collide with the acronyms that papers coin for their own methods.
MIN_PAPERS_FOR_ACRONYM = 20
MAX_EXPANSION_WORDS = 7
STOPWORDS = {"of", "and", "for", "the", "with", "to", "in", "on", "via", "by", "a", "an", "using",
             "from", "as", "at"}
PLURAL_HEADS = {"networks", "units", "flows", "ensembles", "autoencoders", "auto-encoders",
                "machines", "models", "connections", "convolutions", "encodings", "embeddings",
                "layers", "blocks", "modules", "transformers", "fields", "coresets", "maps",
                "operators", "kernels", "mechanisms", "trees", "forests", "encoders", "decoders"}
COUNTABLE_HEADS = {h[:-1] for h in PLURAL_HEADS} | {"net", "function", "loss", "classifier"}
TASK_HEADS = {"recognition", "detection", "classification", "segmentation", "estimation",
              "prediction", "forecasting", "translation", "retrieval", "generation", "extraction",
              "summarization", "tracking", "localization", "reconstruction", "parsing", "tagging",
              "answering", "verification", "identification", "denoising", "deblurring",
              "disambiguation", "enhancement", "separation", "completion", "registration",
              "super-resolution", "labeling", "understanding", "synthesis", "captioning",
              "inpainting", "diarization"}
# CSO labels whose first word makes them a technique or a setting rather than a task.
CSO_METHOD_MODIFIERS = {"automatic", "automated", "adaptive", "robust", "real-time", "fast", "blind",
                        "iterative", "bayesian", "fuzzy", "maximum", "maximum-likelihood", "svm",
                        "decision", "nearest", "ensemble", "supervised", "semi-blind", "canny",
                        "harris", "mean", "mean-shift", "watershed", "level", "monte", "cfar",
                        "accurate", "joint", "sequential", "distributed", "decentralized",
                        "cooperative", "passive", "iterative", "manual", "traditional", "global",
                        "block", "block-based", "differential", "noncoherent", "heterodyne",
                        "multiple", "multi-user", "multiuser", "imperfect", "exact", "approximate",
                        "probabilistic", "associative", "incremental", "hmm-based", "computer-aided",
                        "computer", "set-point", "output", "force", "envelope", "attitude", "speckle",
                        "fiber", "carrier", "cfo", "time", "instantaneous", "frequency", "delay",
                        "range", "angle", "available", "bandwidth", "covariance", "channel",
                        "semi-supervised", "over", "post", "data", "signal", "concept",
                        "noise", "wavelet", "photo", "probability", "random", "radio",
                        "radiofrequency", "tag", "service", "ontology", "schema", "string", "regular-expression",
                        "impedance", "phase", "quasi", "lsb", "color", "skin-color", "minutiae"}

_GREEK = str.maketrans({
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
})
_NON_SLUG = re.compile(r"[^\w.+]+|_+")
_SHORT_ACRONYM = re.compile(r"[A-Z0-9][A-Z0-9\-]{1,4}")


def slugify(text: str) -> str:
    """The entity slug of ``text``; the same algorithm as ``kg.schema.slugify``.

    >>> slugify("Long Short-Term Memory")
    'long-short-term-memory'
    >>> slugify("β-VAE")
    'beta-vae'
    """
    norm = unicodedata.normalize("NFKD", text)
    norm = "".join(c for c in norm if not unicodedata.combining(c)).lower().translate(_GREEK)
    return _NON_SLUG.sub("-", norm).strip("-.")


def acronym_like(form: str) -> bool:
    """True if ``form`` must be matched case-sensitively: an acronym, a CamelCase name or a
    form of at most three characters.

    >>> [acronym_like(f) for f in ("LSTM", "ResNet-18", "K-means", "gradient descent", "o1")]
    [True, True, False, False, True]
    """
    if len(form) <= 3:
        return True
    for tok in re.split(r"[\s\-/]+", form):
        if len(tok) >= 2 and (tok.isupper() or any(c.isupper() for c in tok[1:])):
            return True
    return False


def is_initialism(short: str, long: str) -> bool:
    """True if each letter of ``short`` is the first letter of one word of ``long``, in order
    (GUIDELINES section 2); hyphenated parts count as words, function words may be skipped.

    >>> is_initialism("LSTM", "Long Short-Term Memory"), is_initialism("ADMM", "Alternating Direction Method of Multipliers")
    (True, True)
    >>> is_initialism("ResNet", "Residual Network"), is_initialism("BiLSTM", "Bidirectional LSTM")
    (False, False)
    """
    letters = [c.lower() for c in short if c.isalpha()]
    words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in re.split(r"[\s\-/]+", long)]
    words = [w for w in words if w]
    if len(letters) < 2 or not words or short.lower() in words:
        return False

    def match(li: int, wi: int) -> bool:
        if wi == len(words):
            return li == len(letters)
        if words[wi] in STOPWORDS and match(li, wi + 1):
            return True
        return li < len(letters) and letters[li] == words[wi][0] and match(li + 1, wi + 1)

    return match(0, 0)


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().rstrip(".").strip()


def _singular(name: str) -> str:
    head, _, last = name.rpartition(" ")
    if last.lower() in PLURAL_HEADS:
        return (head + " " if head else "") + last[:-1]
    return name


def _case_variants(form: str) -> list[str]:
    """Lower-case, sentence-case and title-case spellings of a multi-word form without acronyms,
    for case-sensitive entries (whose matcher would otherwise miss "Long short-term memory")."""
    if " " not in form or acronym_like(form):
        return []
    low = form.lower()
    title = " ".join(w if (w in STOPWORDS and i) else "-".join(p[:1].upper() + p[1:] for p in w.split("-"))
                     for i, w in enumerate(low.split(" ")))
    sentence = form[:1].upper() + form[1:] if any(c.isupper() for c in form[1:]) else low[:1].upper() + low[1:]
    return [low, sentence, title]


def _plural(form: str) -> str:
    if _SHORT_ACRONYM.fullmatch(form) or not form[-1:].islower():
        return form + "s"
    if re.search(r"(s|x|sh|ch)$", form):
        return form + "es"
    return form + "s"


def _plural_variants(forms: list[str]) -> list[str]:
    """Plurals of the forms of an entry whose canonical name ends in a countable noun."""
    head = forms[0].rsplit(" ", 1)[-1].lower()
    if head not in COUNTABLE_HEADS:
        return []
    return [_plural(f) for f in forms
            if f.rsplit(" ", 1)[-1].lower() in COUNTABLE_HEADS or _SHORT_ACRONYM.fullmatch(f)]


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            lines.append(line)
    return lines


def _entry(name, typ, aliases, cs, source, source_id, url=None):
    e = {"id": slugify(name), "name": name, "type": typ, "aliases": aliases, "case_sensitive": cs,
         "source": source, "source_id": source_id}
    if url:
        e["url"] = url
    e["licence"] = LICENCE[source]
    return e


def _finish_forms(e: dict, extra: list[str]) -> None:
    """Add case variants (case-sensitive entries) and ``extra`` forms; de-duplicate."""
    forms = [e["name"]] + list(e["aliases"]) + extra
    if e["case_sensitive"]:
        for f in list(forms):
            forms += _case_variants(f)
    seen, out = set(), []
    for f in forms:
        key = f if e["case_sensitive"] else f.casefold()
        if key not in seen:
            seen.add(key)
            out.append(f)
    e["aliases"] = sorted(out[1:], key=lambda a: (a.casefold(), a))


def load_pwc(sources: Path, overrides: dict, ambiguous: set, generic: set, dropped: list) -> list:
    """Method entries derived from Papers with Code, with their num_papers for ranking."""
    records = json.loads(gzip.open(sources / "pwc-methods" / "methods.json.gz").read())
    out = []
    for r in records:
        sid = r["url"].rstrip("/").rsplit("/", 1)[-1]
        name, full = _clean(r["name"]), _clean(r.get("full_name"))
        ov = overrides.get(sid, {})

        def drop(rule, detail=""):
            dropped.append(("pwc", sid, name, rule, detail))

        if "exclude" in ov:
            drop("excluded", ov["exclude"])
            continue
        papers, extra = r.get("num_papers") or 0, []
        parts = []
        for text in (name, full):
            m = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", text)
            if m:  # "Harris Hawks optimization (HHO)": an acronym in parentheses is an alias
                text = m.group(1)
                if acronym_like(m.group(2)) and " " not in m.group(2):
                    extra.append(m.group(2))
            parts.append(text)
        name, full = parts
        if full.casefold() == name.casefold():
            full = ""
        if full and (re.search(r"[:,;()_\u2014]", full) or len(full.split()) > MAX_EXPANSION_WORDS
                     or full.isupper() or not full[-1].isalnum() or full.split()[0] in ("A", "An", "The")):
            drop("expansion-not-a-name", full)
            full = ""
        if "_" in name or not re.search(r"[A-Za-z]", name):
            drop("not-a-name", name)
            continue
        if full and is_initialism(name, full):
            canonical, aliases = _singular(full), [name, full]
        else:
            canonical, aliases = _singular(name), [name] + ([full] if full else [])
        canonical = ov.get("rename", canonical)
        kept = []
        for f in dict.fromkeys([canonical] + aliases + extra):
            short = _SHORT_ACRONYM.fullmatch(f) or (f.isupper() and f == name and not full)
            if f.casefold() in generic:
                drop("generic", f)
            elif f in ambiguous or f in ov.get("drop-alias", ()):
                drop("ambiguous-form", f)
            elif short and papers < MIN_PAPERS_FOR_ACRONYM:
                drop("rare-acronym", f"{f} ({papers} papers)")
            elif len(f) < 2:
                drop("too-short", f)
            else:
                kept.append(f)
        if not kept or kept[0] != canonical:
            drop("no-usable-name", canonical)
            continue
        cs = ov.get("case-sensitive", any(acronym_like(f) for f in kept))
        e = _entry(canonical, "Method", kept[1:], cs, "pwc", sid, r.get("url"))
        _finish_forms(e, _plural_variants(kept))
        out.append((papers, e))
    out.sort(key=lambda pe: (-pe[0], pe[1]["id"]))
    return [e for _, e in out]


def load_cso_tasks(sources: Path, exclude: set, generic: set, dropped: list) -> list:
    """Task entries from CSO labels whose head noun names a problem (see TASK_HEADS)."""
    with open(sources / "cso-labels" / "concepts.csv", encoding="utf-8", newline="") as f:
        labels = sorted({row[0].strip() for row in csv.reader(f) if row and row[0] != "Label"})
    groups: dict[str, list[str]] = {}
    for label in labels:
        words = label.split()
        if len(words) < 2 or words[-1] not in TASK_HEADS:
            continue
        if label in exclude or label in generic:
            dropped.append(("cso", label, label, "excluded", "not a task"))
            continue
        if words[0] in CSO_METHOD_MODIFIERS or re.search(r"[()&,]", label):
            dropped.append(("cso", label, label, "technique-or-setting", words[0]))
            continue
        groups.setdefault(re.sub(r"[^a-z0-9]", "", label.replace("objects", "object")), []).append(label)
    out = []
    for variants in groups.values():
        variants.sort(key=lambda v: (v.count(" "), len(v), v))
        label = variants[0]
        url = "https://cso.kmi.open.ac.uk/topics/" + label.replace(" ", "_")
        e = _entry(label, "Task", variants[1:], False, "cso", label, url)
        _finish_forms(e, [])
        out.append(e)
    return sorted(out, key=lambda e: e["id"])


def load_curated(curated: Path, generic: set) -> dict[str, list]:
    out = {}
    for stem, typ in TYPES.items():
        entries = []
        for n, line in enumerate((curated / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            e = json.loads(line)
            where = f"{curated / stem}.jsonl:{n}"
            if e.get("type") != typ or e.get("source") != "kg-curated" or e.get("id") != slugify(e["name"]):
                raise SystemExit(f"{where}: need type {typ!r}, source 'kg-curated' and id = slug(name)")
            bad = [f for f in [e["name"]] + e["aliases"] if f.casefold() in generic]
            if bad:
                raise SystemExit(f"{where}: {bad} are in generic.txt; remove them from the entry")
            e = _entry(e["name"], typ, list(e["aliases"]), bool(e["case_sensitive"]), "kg-curated",
                       e["source_id"], e.get("url"))
            _finish_forms(e, [])
            entries.append(e)
        out[typ] = entries
    return out


def _read_overrides(path: Path) -> dict:
    ov: dict[str, dict] = {}
    for line in _read_lines(path):
        sid, action, arg = (line.split("\t") + ["", ""])[:3]
        if action == "drop-alias":
            ov.setdefault(sid, {}).setdefault("drop-alias", set()).add(arg)
        elif action == "case-sensitive":
            ov.setdefault(sid, {})[action] = arg.lower() != "false"
        elif action in ("exclude", "rename"):
            ov.setdefault(sid, {})[action] = arg
        else:
            raise SystemExit(f"{path}: unknown action {action!r} for {sid!r} "
                             "(known: exclude, rename, drop-alias, case-sensitive)")
    return ov


def _resolve(groups: list[tuple[str, list]], dropped: list) -> dict[str, list]:
    """Give every surface form to the first entry (in priority order) that claims it.

    Forms clash when they are equal ignoring case, except case-sensitive forms that differ in
    case when one of them is an acronym (``ViTs``/``VITS``, ``Dreamer``/``DREAMER`` name
    different things).
    """
    claims: dict[str, list[tuple[str, bool, bool, str]]] = {}  # casefold -> (form, cs, acronym, owner)
    ids: set[tuple[str, str]] = set()
    out: dict[str, list] = {t: [] for t in TYPES.values()}

    def owner_of(form: str, cs: bool) -> str | None:
        acr = acronym_like(form)
        for other, other_cs, other_acr, owner in claims.get(form.casefold(), ()):
            if other == form or not (cs and other_cs and (acr or other_acr)):
                return owner
        return None

    for _, entries in groups:
        for e in entries:
            cs, me = e["case_sensitive"], f"{e['type']}:{e['id']}"
            owner = owner_of(e["name"], cs) or (me if (e["type"], e["id"]) in ids else None)
            if owner:
                if e["source"] == "kg-curated":
                    raise SystemExit(f"curated {me} ({e['name']!r}) clashes with {owner}")
                dropped.append((e["source"], e["source_id"], e["name"], "superseded", owner))
                continue
            kept, taken = [], set()
            for f in e["aliases"]:
                other = owner_of(f, cs)
                if other is None:
                    kept.append(f)
                elif e["source"] == "kg-curated":
                    raise SystemExit(f"curated {me}: alias {f!r} is already a form of {other}")
                else:
                    taken.add(f.casefold())
                    dropped.append((e["source"], e["source_id"], e["name"], "form-taken", f"{f} -> {other}"))
            # a derived plural goes with its singular
            plurals_of_taken = {_plural(t).casefold() for t in taken}
            e["aliases"] = [f for f in kept if f.casefold() not in plurals_of_taken]
            for f in [e["name"]] + kept:
                claims.setdefault(f.casefold(), []).append((f, cs, acronym_like(f), me))
            ids.add((e["type"], e["id"]))
            out[e["type"]].append(e)
    return {t: sorted(es, key=lambda e: e["id"]) for t, es in out.items()}


def build(sources: Path, out_dir: Path, gaz: Path = GAZ) -> dict[str, int]:
    """Build the three gazetteers and ``dropped.tsv`` into ``out_dir``; return entry counts."""
    generic = {line.casefold() for line in _read_lines(gaz / "generic.txt")}
    curated_dir = gaz / "curated"
    dropped: list[tuple[str, ...]] = []
    curated = load_curated(curated_dir, generic)
    pwc = load_pwc(sources, _read_overrides(curated_dir / "pwc_overrides.tsv"),
                   set(_read_lines(curated_dir / "ambiguous_forms.txt")), generic, dropped)
    cso = load_cso_tasks(sources, set(_read_lines(curated_dir / "cso_exclude.txt")), generic, dropped)
    groups = [("curated", curated["Method"] + curated["Dataset"] + curated["Task"]),
              ("pwc", pwc), ("cso", cso)]
    result = _resolve(groups, dropped)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for stem, typ in TYPES.items():
        with open(out_dir / f"{stem}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for e in result[typ]:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
        counts[stem] = len(result[typ])
    with open(out_dir / "dropped.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write("source\tsource_id\tname\trule\tdetail\n")
        for row in sorted(set(dropped)):
            f.write("\t".join(c.replace("\t", " ") for c in row) + "\n")
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sources", nargs="?", type=Path, default=REPO.parent / "shared" / "lexicon-sources",
                   help="the lexicon-sources folder (default: ../shared/lexicon-sources from the repo root)")
    p.add_argument("--out", type=Path, default=GAZ, help="output folder (default: ontology/gazetteers)")
    args = p.parse_args(argv)
    if not (args.sources / "pwc-methods" / "methods.json.gz").is_file():
        p.error(f"no pwc-methods/methods.json.gz under {str(args.sources)!r}; pass the lexicon-sources folder")
    counts = build(args.sources, args.out)
    print(json.dumps(counts, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
