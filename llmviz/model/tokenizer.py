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

__all__ = ["Tokenizer", "END_OF_TEXT"]

END_OF_TEXT = "<|endoftext|>"


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

    def token_strings(self, ids: Iterable[int]) -> list[str]:
        """Each id decoded on its own, leading spaces kept (``' Jordan'``).

        A token that holds only part of a multi-byte character decodes to U+FFFD.
        """
        return [self._hf.decode([i]) for i in ids]

    def token_id(self, text: str) -> int | None:
        """The id of ``text`` if the tokenizer keeps it as one token (``' basketball'``), else None."""
        ids = self.encode(text)
        return ids[0] if len(ids) == 1 else None
