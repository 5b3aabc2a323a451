"""The held-out corpora for ``secrets_bench.py``: committed files in ``bench/corpus/secrets-heldout*``,
whole config and source files in the styles of other projects, several labelled lines per file.

Each was written and committed before the rule changes it then showed were needed; all but
``HELDOUT_4`` drove one round of them (``HELDOUT_5``: ops, CI, API-client, game, IoT, CMS and
home-directory styles the first four lack; ``HELDOUT_6``: GitOps, IaC-runner, BaaS, package-manager,
shell-history and server-daemon styles the first five lack). Every value is random and fake.
"""

from __future__ import annotations

from pathlib import Path

from secrets_corpus import Sample

HELDOUT = Path(__file__).resolve().parent / "corpus" / "secrets-heldout"
HELDOUT_2 = HELDOUT.with_name("secrets-heldout-2")
HELDOUT_3 = HELDOUT.with_name("secrets-heldout-3")
HELDOUT_4 = HELDOUT.with_name("secrets-heldout-4")
HELDOUT_5 = HELDOUT.with_name("secrets-heldout5")
HELDOUT_6 = HELDOUT.with_name("secrets-heldout6")
LABELS = "LABELS.tsv"


def load_heldout(root: Path) -> list[Sample]:
    """The committed held-out corpus: its files, labelled line by line in ``LABELS.tsv``
    (``path<TAB>first-last<TAB>pos|neg<TAB>shape``); unlabelled lines count for nothing."""
    samples, texts = [], {}
    for row in (root / LABELS).read_text(encoding="utf-8").splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        path, span, kind, shape = row.split("\t")
        first, _, last = span.partition("-")
        if path not in texts:
            texts[path] = (root / path).read_text(encoding="utf-8")
        samples.append(Sample(path, texts[path], (int(first), int(last)), shape, positive=kind == "pos"))
    return samples
