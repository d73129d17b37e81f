"""Arrow arrays straight from numpy buffers, for the history generator.

Every array is built with `from_buffers`: zero-copy, no per-value conversion and no check
pass over the values (the generator makes them in range). It also keeps pandas out of the
process — `pa.array(...)` imports it on first use, seconds of CPU per process on a machine
without a bytecode cache.

A mask here is True where the value is null (numpy's convention), the opposite of Arrow's
validity bitmap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

_TS_UNIT_US = 1_000_000


def _validity(mask: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    if mask is None:
        return None, 0
    nulls = int(np.count_nonzero(mask))
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(~mask, bitorder="little")), nulls


def numeric(values: np.ndarray, typ: pa.DataType, mask: np.ndarray | None = None) -> pa.Array:
    """`values` must already have the numpy dtype of `typ` (int16, int32, int64, date32 as
    int32, timestamp as int64)."""
    values = np.ascontiguousarray(values)
    if values.dtype.itemsize * 8 != typ.bit_width:
        raise TypeError(f"{values.dtype} values for a {typ} column")
    validity, nulls = _validity(mask)
    return pa.Array.from_buffers(typ, len(values), [validity, pa.py_buffer(values)], nulls)


def boolean(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    validity, nulls = _validity(mask)
    data = pa.py_buffer(np.packbits(values, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity, data], nulls)


def strings(labels: Sequence[str]) -> pa.Array:
    """A string array of a few labels (a dictionary)."""
    encoded = [s.encode("utf-8") for s in labels]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def fixed_width_strings(chars: np.ndarray) -> pa.Array:
    """A string array from an (n, width) uint8 array of ASCII characters."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = pa.py_buffer(np.ascontiguousarray(chars))
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), data])


def dictionary(
    indices: np.ndarray, labels: pa.Array, typ: pa.DataType, mask: np.ndarray | None = None
) -> pa.Array:
    """A dictionary array of int32 `indices` into `labels` (share one `labels` array between
    the batches of a file: the Parquet writer then keeps one dictionary per column chunk)."""
    validity, nulls = _validity(mask)
    indices = np.ascontiguousarray(indices, dtype=np.int32)
    return pa.DictionaryArray.from_buffers(
        typ, len(indices), [validity, pa.py_buffer(indices)], labels, nulls
    )


def timestamp(
    seconds: np.ndarray, base_s: int, typ: pa.DataType, mask: np.ndarray | None = None
) -> pa.Array:
    """Microsecond timestamps from int32 seconds after `base_s` (UTC seconds)."""
    us = seconds.astype(np.int64)
    us += base_s
    us *= _TS_UNIT_US
    return numeric(us, typ, mask)


__all__ = ["boolean", "dictionary", "fixed_width_strings", "numeric", "strings", "timestamp"]
