"""Sound files for the narration: decoding a recorded clip with PyAV, trimming its silence,
writing WAV, measuring and normalising loudness, and checking that clips never overlap.

Examples
--------
>>> import numpy as np
>>> quiet = np.zeros(48000, dtype=np.float32); quiet[12000:24000] = 0.5
>>> trimmed = trim_silence(quiet, 48000, keep=0.15)
>>> round(len(trimmed) / 48000, 2)
0.55
>>> round(len(trim_silence(quiet[12000:], 48000)) / 48000, 2)
0.55
"""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

import numpy as np

from llmviz.errors import ConfigError

__all__ = [
    "CLIP_SUFFIXES",
    "SILENCE_DB",
    "TARGET_LUFS",
    "decode",
    "loudness",
    "normalise",
    "overlaps",
    "trim_silence",
    "true_peak",
    "write_wav",
]

#: The kinds of recording a folder voice reads.
CLIP_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
#: Below this level (dB relative to full scale) a stretch of a clip counts as silence.
SILENCE_DB = -45.0


def decode(path: str | Path, mono: bool = True) -> tuple[np.ndarray, int]:
    """A sound file as float32 samples in [-1, 1] and its sample rate (PyAV decodes it): one
    mono row, or with ``mono=False`` frames by channels as they are in the file."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            rate = stream.rate
            channels = 1 if mono else stream.channels
            layout = "mono" if mono else stream.layout.name
            resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
            chunks = []
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise ConfigError(f"the recording {str(path)!r} cannot be read as sound: {exc}") from None
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    samples = samples.astype(np.float32)
    return (samples if mono else samples.reshape(-1, channels)), int(rate)


def trim_silence(samples: np.ndarray, rate: int, keep: float = 0.15) -> np.ndarray:
    """``samples`` with exactly ``keep`` seconds of silence before the first sound and after the
    last: longer silence is cut, shorter is padded (an all-silent clip stays as it is)."""
    if samples.size == 0:
        return samples
    threshold = 10 ** (SILENCE_DB / 20) * max(float(np.max(np.abs(samples))), 1e-9)
    window = max(1, int(rate * 0.01))  # 10 ms blocks, so a click between words is not a word
    n = len(samples) // window
    if n == 0:
        return samples
    blocks = np.abs(samples[: n * window]).reshape(n, window).max(axis=1)
    loud = np.flatnonzero(blocks >= threshold)
    if loud.size == 0:
        return samples
    pad = int(round(keep * rate))
    first, last = loud[0] * window, min(len(samples), (loud[-1] + 1) * window)
    before = np.zeros(max(0, pad - first), dtype=samples.dtype)
    after = np.zeros(max(0, last + pad - len(samples)), dtype=samples.dtype)
    cut = samples[max(0, first - pad) : min(len(samples), last + pad)]
    return np.concatenate([before, cut, after])


def write_wav(samples: np.ndarray, rate: int, path: str | Path) -> Path:
    """Write mono 16-bit WAV, under a temporary name renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".wav.part", dir=path.parent)
    os.close(fd)
    try:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
        with wave.open(tmp, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.tobytes())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def overlaps(clips: list[tuple[float, float]], tolerance: float = 1e-6) -> list[tuple[int, int]]:
    """Pairs of indices of ``(start, duration)`` clips that sound at the same time.

    >>> overlaps([(0.0, 1.0), (1.0, 0.5), (1.2, 1.0)])
    [(1, 2)]
    """
    order = sorted(range(len(clips)), key=lambda i: clips[i][0])
    found = []
    for a, b in zip(order, order[1:], strict=False):
        if clips[a][0] + clips[a][1] > clips[b][0] + tolerance:
            found.append((min(a, b), max(a, b)))
    return found


#: The loudness of a voiced video's sound track (LUFS integrated, as podcasts use) and its
#: highest true peak (dBTP).
TARGET_LUFS = -16.0
MAX_TRUE_PEAK = -1.0


def true_peak(samples: np.ndarray, rate: int) -> float:
    """The true peak of ``samples`` (frames by channels) in dBTP, from 4 times oversampling."""
    from scipy.signal import resample_poly

    if samples.size == 0:
        return -np.inf
    up = resample_poly(samples, 4, 1, axis=0)
    peak = float(np.max(np.abs(up)))
    return 20 * np.log10(peak) if peak > 0 else -np.inf


def _oversampled_envelope(samples: np.ndarray) -> np.ndarray:
    """Per sample, the highest level of any channel between it and the next (4x oversampled)."""
    from scipy.signal import resample_poly

    up = np.abs(resample_poly(samples, 4, 1, axis=0))[: 4 * len(samples)]
    return up.reshape(len(samples), 4, -1).max(axis=(1, 2))


def loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness (ITU-R BS.1770, LUFS) of ``samples`` (frames by channels)."""
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def normalise(
    samples: np.ndarray, rate: int, target: float = TARGET_LUFS, peak: float = MAX_TRUE_PEAK
) -> np.ndarray:
    """``samples`` (frames by channels, floats) at ``target`` LUFS integrated, with the few
    peaks that would then pass ``peak`` dBTP brought under it by a smooth limiter (a gain
    that follows the peaks' envelope, so the loudness moves by a fraction of a dB)."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    level = loudness(samples, rate)
    if not np.isfinite(level):  # silence: nothing to normalise
        return samples
    out = samples
    ceiling = 10 ** ((peak - 0.3) / 20)  # a margin for the peaks between samples
    width = max(1, int(0.005 * rate))  # 5 ms: the gain falls before a peak, rises after
    for _ in range(8):  # gain to the target, then limit the peaks; limiting lowers the level
        out = out * 10 ** ((target - level) / 20)
        if true_peak(out, rate) > peak:
            need = np.minimum(1.0, ceiling / np.maximum(_oversampled_envelope(out), 1e-12))
            cut = uniform_filter1d(maximum_filter1d(1 - need, 2 * width + 1), 2 * width + 1)
            out = out * (1 - cut)[:, None]
        level = loudness(out, rate)
        if abs(level - target) < 0.1 and true_peak(out, rate) <= peak:
            break
    return out


def normalise_segment(segment):
    """A pydub ``AudioSegment`` (manim's sound track) normalised by :func:`normalise`, as
    16-bit audio with its rate and channels."""
    from pydub import AudioSegment

    try:
        import pyloudnorm  # noqa: F401
    except ImportError:
        print(
            f"llmviz: the sound track is left at its own loudness, not {TARGET_LUFS:g} LUFS: "
            "that needs pyloudnorm (`pip install 'llmviz[voice]'`)",
            flush=True,
        )
        return segment
    segment = segment.set_sample_width(2)
    channels, rate = segment.channels, segment.frame_rate
    pcm = np.array(segment.get_array_of_samples(), dtype=np.float64).reshape(-1, channels)
    if len(pcm) < rate * 0.4:  # too short for a loudness measure (one 400 ms block)
        return segment
    out = normalise(pcm / 32768.0, rate)
    data = (np.clip(out, -1.0, 32767 / 32768) * 32768).astype("<i2").tobytes()
    return AudioSegment(data=data, sample_width=2, frame_rate=rate, channels=channels)
