"""massact from Python: the native engine, TransformerLens-style, numpy in and out.

    import massact
    m = massact.load("path/to/model")        # a Hugging Face folder or a .gguf file
    logits, cache = m.run_with_cache("Summer is warm.", names=["blocks.*.hook_resid_post"])
    cache["blocks.3.hook_resid_post"].shape   # (1, tokens, d_model): a leading batch axis
    result = massact.scan(m, "Summer is warm.")  # the dict that `massact scan --json` prints

Errors are massact.InputError (a ValueError) for bad input, with the CLI's message, and
massact.InternalError for a bug. The forward pass runs with the GIL released; Ctrl-C stops it at
the next layer, and a study at its next sequence.
"""

import fnmatch
import functools
import os

import numpy as np

from ._massact import (InputError, InternalError, Tokenizer, __version__, run_command,
                       set_compute, set_gemm, set_threads)
from ._massact import load as _load_native

for _cls in (InputError, InternalError, Tokenizer):
    _cls.__module__ = "massact"

__all__ = ["load", "Model", "Tokenizer", "InputError", "InternalError", "set_threads",
           "set_gemm", "set_compute", "inspect", "scan", "profile", "stats", "intervene",
           "attention", "decompose", "command", "__version__"]


class Model:
    """A loaded model: its spec, tokenizer and hook points, and hooked forward passes."""

    def __init__(self, native):
        self._native = native

    @property
    def path(self):
        return self._native.path

    @property
    def tokenizer(self):
        """The model's tokenizer (None when its folder has none: give token ids then)."""
        return self._native.tokenizer

    @property
    def hook_names(self):
        """Every hook point this model fires, in forward order."""
        return self._native.hook_names

    @functools.cached_property
    def spec(self):
        """The architecture as a dict: the "architecture" of `massact inspect --json`."""
        return inspect(self)["architecture"]

    def to_tokens(self, input):
        """(batch, tokens) int32 ids: a text, a list of texts of equal token length, or ids
        (a list, or a 1-D or 2-D array). Texts are encoded as --prompt encodes them."""
        if isinstance(input, str):
            input = [input]
        if isinstance(input, (list, tuple)) and input and all(isinstance(t, str) for t in input):
            if self.tokenizer is None:
                raise InputError(f"{self.path}: the model has no tokenizer; give token ids")
            rows = [self.tokenizer.encode(t) for t in input]
            if len({len(r) for r in rows}) > 1:
                raise InputError("input: the texts have different token lengths "
                                 f"({sorted({len(r) for r in rows})}); a batch needs one length")
            input = rows
        ids = np.asarray(input)
        if ids.ndim == 1:
            ids = ids[None, :]
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise InputError("input: expected a text, texts, or integer token ids of 1 or 2 "
                             f"dimensions, got {ids.dtype} of shape {ids.shape}")
        if ids.size and (ids.min() < np.iinfo(np.int32).min or ids.max() > np.iinfo(np.int32).max):
            raise InputError("input: token ids outside int32")
        return np.ascontiguousarray(ids, dtype=np.int32)

    def run_with_cache(self, input, names=None, fwd_hooks=()):
        """(logits, cache): logits (batch, tokens, vocab) and, for every hook point matching one
        of the globs in `names` (default: all), its activations with a leading batch axis, as
        float32 numpy arrays. fwd_hooks, as in run_with_hooks, run first: the cache sees their
        edits."""
        globs = ["*"] if names is None else [names] if isinstance(names, str) else list(names)
        hooks = [(glob, fn) for glob, fn in fwd_hooks]
        self._check_globs("names", globs)
        self._check_globs("fwd_hooks", [glob for glob, _ in hooks])
        return self._native.forward(self.to_tokens(input), globs, hooks)

    def run_with_hooks(self, input, fwd_hooks=()):
        """Logits (batch, tokens, vocab) of a pass in which each (name_or_glob, fn) in fwd_hooks
        sees the matching hook points: fn(array, name) gets a copy with a batch axis of 1 (one
        sequence at a time) and may edit it in place or return the edited array. Hooks run in
        the order given."""
        return self.run_with_cache(input, names=[], fwd_hooks=fwd_hooks)[0]

    def _check_globs(self, argument, globs):
        """InputError for a glob that names no hook point of this model (globs match as the
        engine's do: fnmatch, where * also matches dots)."""
        for glob in globs:
            if not any(fnmatch.fnmatchcase(n, glob) for n in self.hook_names):
                raise InputError(f"{argument}: no hook point matches '{glob}'; names look like: "
                                 + " ".join(self.hook_names[:6]) + " ...")

    def __repr__(self):
        return f"<massact.Model {self.path}>"


def load(path, allow_long_context=False):
    """A Hugging Face model folder or a .gguf file (a str or a path; "~" is expanded).
    InputError names the file when it is bad."""
    native = _load_native(os.path.expanduser(os.fspath(path)))
    native.allow_long_context = allow_long_context
    return Model(native)


def _option_args(options):
    """Keyword arguments as the command's options: num_seqs=10 -> --num-seqs 10, a True flag ->
    --flag, a list -> comma-separated (--token-ids, --mode)."""
    args = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple, np.ndarray)):
            args += [flag, ",".join(str(v) for v in np.asarray(value).ravel().tolist())]
        else:
            args += [flag, str(value)]
    return args


def command(model, name, input=None, **options):
    """The dict that `massact NAME MODEL ... --json` prints. `input` is a text (--prompt) or token
    ids (--token-ids); other options are keyword arguments (text_file=..., num_seqs=..., ...)."""
    if isinstance(input, str):
        options = {"prompt": input, **options}
    elif input is not None:
        options = {"token_ids": input, **options}
    if model._native.allow_long_context and name != "inspect":
        options.setdefault("allow_long_context", True)
    return run_command(model._native, [name] + _option_args(options))


def inspect(model):
    """`massact inspect --json`: identity, architecture and tokenizer."""
    return command(model, "inspect")


def scan(model, input=None, **options):
    """`massact scan --json`: the paper's criterion on every layer's output."""
    return command(model, "scan", input, **options)


def profile(model, input=None, **options):
    """`massact profile --json`: top-1/2/3 and median |activation| per layer."""
    return command(model, "profile", input, **options)


def stats(model, input=None, **options):
    """`massact stats --json`: each massive activation's value over sequences."""
    return command(model, "stats", input, **options)


def intervene(model, **options):
    """`massact intervene --json`: perplexity with massive activations zeroed or set to means
    (eval_text=..., layer=..., mode=[...])."""
    return command(model, "intervene", **options)


def attention(model, input=None, **options):
    """`massact attention --json`: attention mass on the massive-activation tokens."""
    return command(model, "attention", input, **options)


def decompose(model, input=None, **options):
    """`massact decompose --json`: each head's output split as the paper's Eq. 2."""
    return command(model, "decompose", input, **options)
