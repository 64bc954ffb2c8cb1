"""Errors that llmviz raises for bad input, each naming the problem and what is allowed.

One type per kind of mistake: :class:`PromptError` (a prompt or token ids), :class:`ArgumentError`
(an argument of a library call: seed, temperature, ``k``, a position), :class:`ConfigError` (a
setting from ``llmviz.toml``, an ``LLMVIZ_*`` variable, a class attribute or a flag),
:class:`ModelFileError` (a model folder) and :class:`DeviceError` (a torch device). All are
:class:`LLMVizError`, which is a ``ValueError``.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "LLMVizError",
    "PromptError",
    "ArgumentError",
    "OutOfRangeError",
    "HookNameError",
    "ModelFileError",
    "DeviceError",
    "ConfigError",
    "PathProblem",
    "text_problem",
    "escape_controls",
]


class LLMVizError(ValueError):
    """Base class: a clear, user-facing problem with the input."""


class PromptError(LLMVizError):
    """The prompt is empty, too long, not valid text, or otherwise unusable."""


class ArgumentError(LLMVizError):
    """An argument of a library call (a seed, a temperature, ``k``, a position) has a bad type
    or is out of range."""


class OutOfRangeError(ArgumentError, IndexError):
    """A position, layer, head or neuron index outside the model or the prompt (also an
    ``IndexError``)."""


class HookNameError(ArgumentError, KeyError):
    """A hook or trace name that does not exist (also a ``KeyError``, so that ``name in trace``
    and ``trace.get(name)`` work as for any mapping). The message lists the nearest names."""

    def __str__(self) -> str:  # the message, not KeyError's quoted repr of it
        return str(self.args[0]) if self.args else ""


def unknown_name(name, allowed, what: str = "hook point") -> HookNameError:
    """The error for a name not among ``allowed``, listing the nearest ones."""
    import difflib

    allowed = list(allowed)
    close = difflib.get_close_matches(str(name), allowed, n=4, cutoff=0.6)
    if not close:  # the last part alone, e.g. "hook_pots" among "blocks.0.mlp.hook_post"
        tail = str(name).rpartition(".")[2]
        tails = {a.rpartition(".")[2] for a in allowed}
        near = set(difflib.get_close_matches(tail, list(tails), n=2, cutoff=0.6))
        close = [a for a in allowed if a.rpartition(".")[2] in near][:4]
    hint = f"; nearest: {', '.join(close)}" if close else ""
    return HookNameError(
        f"no {what} named {name!r}{hint} (all {len(allowed)} names: list(trace) or "
        "llmviz.model.hook_name)"
    )


class ModelFileError(LLMVizError):
    """A model directory or weights file is missing or corrupt."""


class DeviceError(LLMVizError):
    """An unknown or unavailable torch device was requested."""


class ConfigError(LLMVizError):
    """A setting (llmviz.toml, LLMVIZ_* variable, class attribute or flag) has a bad value."""


class PathProblem(LLMVizError):
    """A path the user gave cannot be used: it is empty, a file where a folder is needed, in a
    folder llmviz may not write to, or on a full disk. The message names the path and what is
    wrong with it."""


def text_problem(text: str) -> str | None:
    """Why ``text`` is not valid Unicode text (so that no tokenizer can read it), or None.

    Python keeps bytes that were not UTF-8 (in a command-line argument or an environment
    variable) as lone surrogates U+DC80..U+DCFF; those are named as the bytes they were.

    Examples
    --------
    >>> text_problem("Michael Jordan") is None
    True
    >>> text_problem("abc\\ud800")
    'holds a lone surrogate U+D800 at character 3, which is not valid Unicode text'
    >>> text_problem("Michael \\udcff Jordan")
    'holds the byte 0xFF at character 8, which is not valid UTF-8 (was the terminal or file set to another encoding?)'
    """
    for i, ch in enumerate(text):
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            if code >= 0xDC80 and code <= 0xDCFF:
                return (
                    f"holds the byte 0x{code - 0xDC00:02X} at character {i}, which is not valid "
                    "UTF-8 (was the terminal or file set to another encoding?)"
                )
            return f"holds a lone surrogate U+{code:04X} at character {i}, which is not valid Unicode text"
    return None


def escape_controls(text: str, keep_newlines: bool = False) -> str:
    r"""``text`` with control and invisible formatting characters written as escapes
    (``\x1b``, ``\u202e``), so that a terminal, a subtitle or the screen shows them instead of
    obeying them. Tabs become ``\t``; newlines too unless ``keep_newlines``.

    Examples
    --------
    >>> escape_controls("a\x1b[31mred\x07")
    'a\\x1b[31mred\\x07'
    >>> escape_controls("x\u202ey\tz")
    'x\\u202ey\\tz'
    """
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in (
            "\u200d",  # the zero-width joiner holds emoji sequences together
        ):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
