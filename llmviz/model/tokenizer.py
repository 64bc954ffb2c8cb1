"""Byte-level BPE tokenizer (Hugging Face ``tokenizers``), trained on the generated corpus.

Byte-level means any Unicode text, emoji included, becomes tokens: unknown characters fall back
to their UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, trainers

from llmviz.errors import ModelFileError

__all__ = ["Tokenizer", "END_OF_TEXT", "stand_in"]

END_OF_TEXT = "<|endoftext|>"


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet: the printable character that stands for each byte."""
    keep = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    chars = list(keep)
    extra = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(keep, chars, strict=True)}


_BYTES = _byte_decoder()


def stand_in(data: bytes) -> str:
    """A token's bytes as text: whole UTF-8 characters as themselves, and each byte that is only
    part of a character (a token may hold a piece of an emoji) as a named stand-in.

    Examples
    --------
    >>> stand_in(" Jordan".encode())
    ' Jordan'
    >>> stand_in(b"\\xf0\\x9f")
    '<byte 0xF0><byte 0x9F>'
    """
    out = []
    rest = data
    while rest:
        try:
            out.append(rest.decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            out.append(rest[: exc.start].decode("utf-8"))
            out += [f"<byte 0x{b:02X}>" for b in rest[exc.start : exc.end]]
            rest = rest[exc.end :]
    return "".join(out)


class Tokenizer:
    """Encode text to token ids and back; ``token_strings`` shows how the text was split.

    Examples
    --------
    >>> tok = Tokenizer.train(["the cat sat", "the cats sat"], vocab_size=300)
    >>> tok.decode(tok.encode("the cat"))
    'the cat'
    """

    def __init__(self, hf: HFTokenizer) -> None:
        self._hf = hf

    @classmethod
    def train(cls, texts: Iterable[str], vocab_size: int) -> Tokenizer:
        hf = HFTokenizer(models.BPE())
        hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        hf.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            special_tokens=[END_OF_TEXT],
            show_progress=False,
        )
        hf.train_from_iterator(texts, trainer=trainer)
        return cls(hf)

    @classmethod
    def load(cls, path: Path) -> Tokenizer:
        path = Path(path)
        if not path.is_file():
            raise ModelFileError(f"tokenizer file not found: {path}")
        try:
            return cls(HFTokenizer.from_file(str(path)))
        except Exception as exc:  # tokenizers raises a bare Exception on bad JSON
            raise ModelFileError(f"tokenizer file {path} is corrupt: {exc}") from None

    @classmethod
    def load_bpe(cls, vocab: Path, merges: Path) -> Tokenizer:
        """A byte-level BPE from GPT-2's own files, ``vocab.json`` and ``merges.txt``.

        It splits text as GPT-2's ``tokenizer.json`` does; ``<|endoftext|>``, when in the
        vocabulary, is kept whole as a special token.

        Examples
        --------
        >>> import tempfile
        >>> tok = Tokenizer.train(["the cat sat", "the cats sat"], vocab_size=300)
        >>> folder = tempfile.mkdtemp()
        >>> vocab, merges = tok.save_bpe(folder)
        >>> Tokenizer.load_bpe(vocab, merges).encode("the cats") == tok.encode("the cats")
        True
        """
        vocab, merges = Path(vocab), Path(merges)
        for file in (vocab, merges):
            if not file.is_file():
                raise ModelFileError(f"tokenizer file not found: {file}")
        try:
            hf = HFTokenizer(models.BPE.from_file(str(vocab), str(merges)))
        except Exception as exc:  # tokenizers raises a bare Exception on bad files
            raise ModelFileError(f"tokenizer files {vocab}, {merges} are corrupt: {exc}") from None
        hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        hf.decoder = decoders.ByteLevel()
        if END_OF_TEXT in hf.get_vocab():
            hf.add_special_tokens([END_OF_TEXT])
        return cls(hf)

    def save_bpe(self, folder: Path) -> tuple[Path, Path]:
        """Write the BPE model as ``vocab.json`` and ``merges.txt`` in ``folder`` (GPT-2's layout)."""
        vocab, merges = self._hf.model.save(str(folder))
        return Path(vocab), Path(merges)

    def save(self, path: Path) -> None:
        self._hf.save(str(path))

    @property
    def vocab_size(self) -> int:
        return self._hf.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        return self._hf.encode(text).ids

    def decode(self, ids: Iterable[int]) -> str:
        return self._hf.decode(list(ids))

    def token_bytes(self, token_id: int) -> bytes | None:
        """The bytes a token stands for, or None for a special token (``<|endoftext|>``)."""
        piece = self._hf.id_to_token(int(token_id))
        if piece is None or piece in self._specials():
            return None
        try:
            return bytes(_BYTES[c] for c in piece)
        except KeyError:  # not a byte-level piece
            return self._hf.decode([int(token_id)]).encode("utf-8")

    def _specials(self) -> set[str]:
        if not hasattr(self, "_special_set"):
            added = getattr(self._hf, "get_added_tokens_decoder", lambda: {})()
            self._special_set = {t.content for t in added.values()} | {END_OF_TEXT}
        return self._special_set

    def token_strings(self, ids: Iterable[int]) -> list[str]:
        """Each id decoded on its own, leading spaces kept (``' Jordan'``).

        A token that holds only part of a multi-byte character (an emoji, a Hebrew or Chinese
        letter split into its UTF-8 bytes) shows each such byte as ``<byte 0xF0>`` (see
        :func:`stand_in`), never as U+FFFD; a special token decodes to ``""``.

        Examples
        --------
        >>> tok = Tokenizer.train(["the cat sat"], vocab_size=300)
        >>> tok.token_strings(tok.encode("🏀"))
        ['<byte 0xF0>', '<byte 0x9F>', '<byte 0x8F>', '<byte 0x80>']
        """
        out = []
        for i in ids:
            data = self.token_bytes(i)
            out.append(self._hf.decode([int(i)]) if data is None else stand_in(data))
        return out

    def token_id(self, text: str) -> int | None:
        """The id of ``text`` if the tokenizer keeps it as one token (``' basketball'``), else None."""
        ids = self.encode(text)
        return ids[0] if len(ids) == 1 else None
