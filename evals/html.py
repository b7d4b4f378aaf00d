"""`ghostpen eval html`: how often the closing-tag engine offers the end tag the author wrote.

For every real end tag `</x>` in each `.html` file under --dir (found by the engine's own
tokenizer, so text in comments, raw text and attribute values does not count) the engine sees
the text up to and including `</` and must offer `x>` (x compared case-insensitively, spelled
as in its start tag). After the `>` of each start tag it must offer `</name>` when the file
later has an end tag of that name, and nothing for void elements; self-closing (`<x/>`) non-void
tags are not counted. Files are read once and the engine runs incrementally through them, as
in an editor. If --dir holds `html5lib-tree-construction/*.dat`, every `#data` input is also
cut at many points and fed to the engine (HTML and XML modes, forwards and backwards) to
count exceptions, which must be zero. Prints JSON with --json, else a short summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ghostpen import argtypes
from ghostpen.textio import TextReadError, read_text

MAX_FAILURES = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", required=True, type=Path, help="folder of .html files")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--limit",
        type=argtypes.positive_int,
        default=None,
        help="use only the first N .html files and N .dat inputs",
    )


def _collect(text: str) -> list[tuple[int, str, str | None]]:
    """The cases of one file: (cut, kind, expected) sorted by cut; expected None = nothing."""
    from ghostpen.suggest.html.elements import VOID
    from ghostpen.suggest.html.parse import HtmlParser

    tokens: list[tuple[str, str, str, int, int, bool]] = []
    HtmlParser().feed(text, hook=lambda *tok: tokens.append(tok))
    last_end: dict[str, int] = {}
    for kind, name, _, start, _, _ in tokens:
        if kind == "end":
            last_end[name] = start
    cases = []
    for kind, name, written, start, end, closing in tokens:
        if kind == "end":
            cases.append((start + 2, "end", written))
        elif name in VOID:
            cases.append((end, "start", None))
        elif not closing and last_end.get(name, -1) > start:
            cases.append((end, "start", written))
    cases.sort(key=lambda c: c[0])
    return cases


def _check_file(path: Path, text: str, failures: list[dict]) -> tuple[int, int, int, int]:
    """Run one file's cases; returns (end cases, end passed, start cases, start passed)."""
    from ghostpen.suggest.html.close import TagCloser
    from ghostpen.suggest.html.tokens import ascii_lower

    closer = TagCloser("html")
    counts = [0, 0, 0, 0]
    for cut, kind, expected in _collect(text):
        got = closer.suggest(text[:cut])
        if kind == "end":
            want = f"{expected}>"
            ok = (
                got is not None
                and got.text == got.name + ">"
                and got.cursor_offset == len(got.text)
                and ascii_lower(got.name) == ascii_lower(expected or "")
            )
        else:
            want = None if expected is None else f"</{expected}>"
            ok = (
                (got is None)
                if want is None
                else (got is not None and got.text == want and got.cursor_offset == 0)
            )
        slot = 0 if kind == "end" else 2
        counts[slot] += 1
        counts[slot + 1] += ok
        if not ok and len(failures) < MAX_FAILURES:
            failures.append(
                {
                    "file": path.name,
                    "offset": cut,
                    "kind": kind,
                    "expected": want,
                    "got": None if got is None else got.text,
                    "context": text[max(0, cut - 60) : cut],
                }
            )
    return counts[0], counts[1], counts[2], counts[3]


def dat_inputs(folder: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """The `#data` sections of html5lib tree-construction tests: (file name, input)."""
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.dat")):
        lines = path.read_bytes().decode("utf-8", errors="surrogateescape").split("\n")
        data: list[str] | None = None
        for line in lines:
            if line == "#data":
                data = []
            elif data is not None and line.startswith("#errors"):
                out.append((path.name, "\n".join(data)))
                data = None
            elif data is not None:
                data.append(line)
    return out[:limit] if limit is not None else out


def _cuts(n: int) -> list[int]:
    step = 1 if n <= 200 else 7
    return sorted(set(range(0, n + 1, step)) | {n})


def check_dat(inputs: list[tuple[str, str]]) -> tuple[int, int, list[str]]:
    """Feed every input cut at many points; returns (calls, exceptions, first errors)."""
    from ghostpen.suggest.html.close import TagCloser

    calls = exceptions = 0
    errors: list[str] = []
    for name, data in inputs:
        for mode in ("html", "xml"):
            closer = TagCloser(mode, checkpoint_every=16)
            cuts = _cuts(len(data))
            for cut in cuts + cuts[::-1]:
                calls += 1
                try:
                    closer.suggest(data[:cut], data[cut:])
                except Exception as exc:  # counted, not raised: that is what is measured
                    exceptions += 1
                    if len(errors) < MAX_FAILURES:
                        errors.append(f"{name} {mode} cut {cut}: {exc!r} in {data[:80]!r}")
    return calls, exceptions, errors


def evaluate(folder: Path, limit: int | None = None) -> dict:
    """The report for a folder (see the module docstring)."""
    started = time.perf_counter()
    files = sorted(p for p in folder.rglob("*.html") if p.is_file())
    if limit is not None:
        files = files[:limit]
    failures: list[dict] = []
    unreadable: list[str] = []
    end_cases = end_ok = start_cases = start_ok = 0
    for path in files:
        try:
            text = read_text(path)  # the editor's reader: what the closer sees when typing
        except TextReadError as exc:
            unreadable.append(f"{path}: {exc.reason}")
            continue
        e, eo, s, so = _check_file(path, text, failures)
        end_cases, end_ok, start_cases, start_ok = (
            end_cases + e, end_ok + eo, start_cases + s, start_ok + so
        )  # fmt: skip
    cases = end_cases + start_cases
    report: dict = {
        "accuracy": round((end_ok + start_ok) / cases, 6) if cases else None,
        "cases": cases,
        "end_tag_cases": end_cases,
        "end_tag_accuracy": round(end_ok / end_cases, 6) if end_cases else None,
        "start_tag_cases": start_cases,
        **({"unreadable": unreadable} if unreadable else {}),
        "start_tag_accuracy": round(start_ok / start_cases, 6) if start_cases else None,
        "failures": failures,
        "files": len(files),
        "dat_inputs": 0,
        "dat_calls": 0,
        "dat_exceptions": 0,
        "dat_errors": [],
    }
    dat_dir = folder / "html5lib-tree-construction"
    if dat_dir.is_dir():
        inputs = dat_inputs(dat_dir, limit)
        calls, exceptions, errors = check_dat(inputs)
        report.update(
            dat_inputs=len(inputs), dat_calls=calls, dat_exceptions=exceptions, dat_errors=errors
        )
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report


def run(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    if not folder.is_dir():
        print(f"ghostpen eval html: {folder} is not a folder", file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("ghostpen eval html: --limit must be at least 1", file=sys.stderr)
        return 2
    report = evaluate(folder, args.limit)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    if report["cases"]:
        print(
            f"closing tags: {report['accuracy']:.2%} right of {report['cases']} cases "
            f"({report['end_tag_cases']} end tags, {report['start_tag_cases']} start tags) "
            f"in {report['files']} files"
        )
    else:
        print(f"closing tags: no cases in {report['files']} .html files")
    if report["dat_inputs"]:
        print(
            f"parser edge cases: {report['dat_inputs']} inputs, {report['dat_calls']} calls, "
            f"{report['dat_exceptions']} exceptions"
        )
    for f in report["failures"][:5]:
        print(f"  {f['file']}@{f['offset']}: expected {f['expected']!r}, got {f['got']!r}")
    for line in report["dat_errors"][:5]:
        print(f"  {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from ghostpen.cli import run_as

    return run_as(["eval", "html"], argv)


if __name__ == "__main__":
    sys.exit(main())
