"""How the reliability tables judge one case: it worked and its result is right ("ok"), it
failed with a clear llmviz error ("clear error"), it escaped as another exception
("traceback"), or it did something else ("wrong"). Shared by test_api.py and test_reliability.py."""

from __future__ import annotations

from collections.abc import Callable

from llmviz.errors import LLMVizError


def judge(
    run: Callable[[], object],
    error: str | None,
    ok: Callable[[object], object] | None,
    clear: Callable[[LLMVizError, str], bool],
    wrong: tuple[type[BaseException], ...] = (),
) -> tuple[str, str]:
    """``(kind, detail)`` for a case that should raise when ``error`` is set (and ``clear`` says
    whether the llmviz error raised is the clear one), else return a value ``ok`` accepts.
    Exceptions in ``wrong`` (a warning turned into an error, say) count as wrong results."""
    try:
        value = run()
    except wrong as exc:
        return "wrong", f"{type(exc).__name__}: {exc}"
    except LLMVizError as exc:
        message = str(exc)
        if error and clear(exc, message):
            return "clear error", message
        return "wrong", f"{type(exc).__name__}: {message}"
    except Exception as exc:  # noqa: BLE001 - what the tables look for
        return "traceback", f"{type(exc).__name__}: {exc}"
    if error:
        return "wrong", f"returned {value!r:.200} instead of raising ({error})"
    try:
        good = bool(ok(value))  # no check given: a wrong table entry
    except Exception as exc:  # noqa: BLE001
        return "wrong", f"check failed: {type(exc).__name__}: {exc}"
    return ("ok", "") if good else ("wrong", f"returned {value!r:.200}")


def edited_model_folder(folder, edit=None, **files):
    """``folder`` (made here) holding a copy of the embedded model, its config.json passed
    through ``edit`` (which changes the dict or returns a new one) and files replaced:
    ``model_safetensors=b"..."`` writes bytes, text writes text, a function rewrites the file's
    bytes, ``None`` deletes it. Returns ``folder``."""
    import json
    import shutil

    from llmviz.model.loader import DEFAULT_MODEL_DIR

    folder.mkdir(parents=True, exist_ok=True)
    for f in ("config.json", "tokenizer.json", "model.safetensors"):
        shutil.copyfile(DEFAULT_MODEL_DIR / f, folder / f)
    if edit is not None:
        cfg = json.loads((folder / "config.json").read_text())
        new = edit(cfg)
        (folder / "config.json").write_text(json.dumps(cfg if new is None else new))
    for key, data in files.items():
        path = folder / key.replace("_", ".", 1)
        if data is None:
            path.unlink()
        elif isinstance(data, bytes):
            path.write_bytes(data)
        elif callable(data):
            path.write_bytes(data(path.read_bytes()))
        else:
            path.write_text(data)
    return folder
