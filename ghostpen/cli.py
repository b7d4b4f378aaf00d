"""The `ghostpen` command: one entry point, one sub-command per job.

Each sub-command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`;
only the module of the command given is imported (`build_parser(words)`), and modules import
MXNet and Qt lazily inside `run`, so `ghostpen --help` and every command start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ghostpen import __version__, check_python
from ghostpen.model.library import ModelNotFound, resolve_model

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "edit": ("ghostpen.editor.cli", "open the editor (the default when no command is given)"),
    "train": ("ghostpen.training.train_cli", "train a character-level model on a corpus"),
    "launch": ("ghostpen.training.launch_cli", "run a training on several processes/machines"),
    "sample": ("ghostpen.model.sample_cli", "generate text from a model"),
    "train-gan": ("ghostpen.training.gan_cli", "train the DCGAN avatar generator on images"),
    "avatars": ("ghostpen.model.avatars_cli", "draw avatars with a DCGAN generator"),
    "models": ("ghostpen.model.models_cli", "list the bundled and your own models"),
    "wordlm": ("ghostpen.training.wordlm_cli", "build the word n-gram model of a checkpoint"),
    "export": ("ghostpen.training.export_cli", "make a training checkpoint shippable"),
}

# the commands that train or read training weights, so need MXNet (the others decode with
# numpy and never import it)
TRAINING_COMMANDS = ("train", "train-gan", "launch", "export")

# `ghostpen eval KIND`: name -> (module, help)
EVALS: dict[str, tuple[str, str]] = {
    "bpc": ("ghostpen.evals.bpc", "bits per character on the tail of a text"),
    "ksr": ("ghostpen.evals.ksr", "keystroke savings of a simulated typist"),
    "html": ("ghostpen.evals.html", "closing-tag accuracy on a folder of HTML"),
    "speed": ("ghostpen.evals.speed", "decode step, suggestion and training speed"),
    "latency": ("ghostpen.evals.latency", "keystroke-to-ghost-text latency in the window"),
    "startup": ("ghostpen.evals.startup", "launch to window and first ghost; idle memory"),
    "gan": ("ghostpen.evals.gan", "avatar generator speed, FID (PCA), diversity, novelty"),
    "probes": ("ghostpen.evals.probes", "try every known bad input; check nothing is lost"),
    "wordlm": ("ghostpen.evals.wordlm_eval", "word n-gram model: perplexity, top-1, size"),
    "dist": ("ghostpen.evals.dist_net", "distributed training across namespaces: steps/s, bytes"),
}


def build_parser(words: list[str] | None = None) -> argparse.ArgumentParser:
    """The `ghostpen` parser. Every sub-command is listed; the modules whose flags are added
    are those `words` (the command line) names, or all when `words` is None: `ghostpen train …`
    imports the training modules only, `ghostpen --help` none."""
    parser = argparse.ArgumentParser(
        prog="ghostpen", description="Predictive-text editor with ghost-text completions."
    )
    parser.add_argument("--version", action="version", version=f"ghostpen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    first = None if words is None else (words[:1] or [""])[0]
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if first is None or first == name:
            mod = importlib.import_module(module)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run, _command=name)  # (`launch` has its own `command`)
    ev = sub.add_parser("eval", help="measure a model, the engine or the editor (JSON)")
    ev_sub = ev.add_subparsers(dest="eval_kind", metavar="KIND", required=True)
    kind = None if words is None else (words[1:2] or [""])[0] if first == "eval" else ""
    for name, (module, help_) in EVALS.items():
        p = ev_sub.add_parser(name, help=help_, description=help_)
        if kind is None or kind == name:
            mod = importlib.import_module(module)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    check_python()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        argv = ["edit"]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    _resolve_model_name(args)
    from ghostpen.mxcompat import MXNetMissing, missing_reason, mxnet_installed

    command = getattr(args, "_command", "eval")
    if command in TRAINING_COMMANDS and not mxnet_installed():
        print(f"ghostpen {command}: {missing_reason()}", file=sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except MXNetMissing as exc:  # a command that needed MXNet after all (eval speed's training)
        print(f"ghostpen {command}: {exc}", file=sys.stderr)
        return 2


def _resolve_model_name(args: argparse.Namespace) -> None:
    """`--model NAME` wherever a model is taken: a name that is not a folder here becomes the
    user or bundled model of that name (`ghostpen models`); anything else is left to the
    command, which reports a missing checkpoint itself."""
    spec = getattr(args, "model", None)
    if isinstance(spec, str) and spec:
        try:
            args.model = str(resolve_model(spec))
        except ModelNotFound:
            pass


def run_as(words: list[str], argv: list[str] | None = None) -> int:
    """A command module's own `main(argv)`: `ghostpen WORDS… ARGV…` (argv None: sys.argv)."""
    return main([*words, *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
