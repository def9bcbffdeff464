"""``assistant targets``: the table of targets and results of the indexed documents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import AssistantError
from .model import KIND_LABELS


def cmd_targets(args: argparse.Namespace) -> int:
    from ..index.store import IndexStore
    from ..settings import Settings
    from .table import filter_rows, load_rows, to_csv, to_json

    settings = Settings(index_dir=Path(args.index)) if args.index else Settings()
    store = IndexStore.open(Path(settings.index_dir))
    try:
        if args.doc and args.doc not in store.metas:
            raise AssistantError(f"{args.doc}: no such document in the index (see `assistant docs`)")
        rows, stored = load_rows(store)
        if not stored:
            print("note: this index has no stored targets table; extracted now (run `assistant ingest` to store it)",
                  file=sys.stderr)
        rows = filter_rows(rows, store.metas, doc=args.doc, province=args.province, kind=args.kind)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(to_json(rows) + "\n")
    elif args.csv:
        sys.stdout.write(to_csv(rows))
    else:
        if not rows:
            print("Không có chỉ tiêu nào.")
        for r in rows:
            period = f" ({r.period})" if r.period else ""
            comp = f"{r.comparator} " if r.comparator else ""
            print(f"[{KIND_LABELS.get(r.kind, r.kind)}] {r.indicator or '—'}: {comp}{r.figure}{period}\n   {r.citation}")
    return 0


def add_parser(sub) -> None:
    """The ``targets`` subcommand, registered on the main parser's subparsers."""
    p = sub.add_parser("targets", help="table of targets and results (chỉ tiêu) extracted from the documents")
    p.add_argument("--doc", help="one document id")
    p.add_argument("--province", help="province, e.g. 'Quảng Trị'")
    p.add_argument("--kind", choices=tuple(KIND_LABELS), help="only targets, results or baselines")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="a JSON array of rows")
    out.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.add_argument("--index", help="index directory (default: index/)")
    p.set_defaults(func=cmd_targets)
