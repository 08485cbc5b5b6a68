"""The shipped models' .npz files read without numpy (moderation/npz.py): what the build
writes comes back exactly, and anything else, pickles above all, is refused."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from broadsheet.moderation import npz


def saved(**arrays: object) -> io.BytesIO:
    file = io.BytesIO()
    np.savez_compressed(file, **arrays)
    file.seek(0)
    return file


def test_what_the_model_build_writes_reads_back_exactly() -> None:
    weights = np.array([0.5, -2.0, 1e-3, 65504.0, -0.0, 3.14159], dtype=np.float16)
    read = npz.read(
        saved(weights=weights, bias=np.float64(-3.7444996), about=np.str_('{"kind": "spam"}'))
    )

    assert list(read["weights"]) == weights.astype(np.float32).tolist()
    assert read["bias"] == -3.7444996
    assert read["about"] == '{"kind": "spam"}'


def test_float32_and_float64_arrays_read_as_float32() -> None:
    values = [1.0, 0.1, -7.25]
    for dtype in (np.float32, np.float64):
        read = npz.read(saved(weights=np.array(values, dtype=dtype)))["weights"]
        assert list(read) == np.array(values, dtype=np.float32).tolist()


@pytest.mark.parametrize(
    "array",
    [
        np.array([{"a": 1}], dtype=object),  # a pickle: could run code when loaded
        np.zeros((2, 2), dtype=np.float32),
        np.arange(3, dtype=np.int64),
    ],
    ids=["pickled objects", "two dimensions", "integers"],
)
def test_anything_else_is_refused(array: np.ndarray) -> None:
    with pytest.raises(ValueError):
        npz.read(saved(weights=array))


def test_a_cut_short_array_is_refused() -> None:
    file = io.BytesIO()
    np.save(file, np.ones(100, dtype=np.float16))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("weights.npy", file.getvalue()[:-10])
    archive.seek(0)

    with pytest.raises(ValueError, match="cut short"):
        npz.read(archive)
