"""Readers of the run folder's CSV files.

The C side writes numeric CSV with a header line: integers with ``%d`` and
reals with ``%.10g`` or ``%.17g``.  :func:`read_numeric` reads such a file
with numpy's C reader (np.loadtxt, numpy 1.23 and later) or, with an older
numpy, whose loadtxt is a Python loop, with the vectorised reader here.

That reader parses a column at a time over all rows at once: each token's last
16 characters are read as two little-endian 64-bit words, the dot found and
the digits summed with SWAR arithmetic (a handful of integer operations per
8 characters).  Each value is exact: a token of at most 15 significant
digits is its digits over a power of ten of at most 10**15, one correctly
rounded IEEE division (strtod's fast path); any other token (an exponent,
``nan``, ``inf``, 17 digits) is handed to Python's ``float``.

When the file holds only digits, dots, minus signs, commas and newlines, the
per-token checks are replaced by counting: the dots and minus signs found
must be all the file has.  Otherwise every token is checked.
"""

import csv
import os
import re
import warnings

import numpy as np

__all__ = ["CSVError", "read_numeric", "read_table"]

_COMMA, _NEWLINE, _MINUS = 44, 10, 45
_U = np.uint64
_ZEROS = _U(0x3030303030303030)   # eight '0' characters
_DOTS = _U(0x2E2E2E2E2E2E2E2E)    # eight '.' characters
_HIGH_NIBBLES = _U(0xF0F0F0F0F0F0F0F0)
_LOW_NIBBLES = _U(0x0F0F0F0F0F0F0F0F)
_SIXES = _U(0x0606060606060606)
_LOW7 = _U(0x7F7F7F7F7F7F7F7F)
_HIGH_BITS = _U(0x8080808080808080)
_BYTE_INDEX = _U(0x0706050403020100)
# _KEEP[n]: the bytes of a little-endian word read from 8 characters that
# hold the last n of them.
_KEEP = np.array([0] + [((1 << (8 * n)) - 1) << (8 * (8 - n)) for n in range(1, 9)], _U)
_POW10_INT = np.array([10 ** k for k in range(20)], _U)
# Powers of ten that a double holds exactly.
_POW10 = 10.0 ** np.arange(23)
# Bytes of '0' before the text, so that 16 characters before any token exist.
_PAD = 16
# Significant digits that a mantissa may have and stay below 2**53.
_MAX_DIGITS = 15


class CSVError(ValueError):
    """A CSV file that does not hold the table it should."""


def _read_padded(path):
    """The file read in place into a bytearray after _PAD bytes of '0' and
    ending with a newline, its column names, and where its first row starts."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        data = bytearray(_PAD + size + 1)
        size = f.readinto(memoryview(data)[_PAD:_PAD + size])
    data[:_PAD] = b"0" * _PAD
    del data[_PAD + size + 1:]
    if size and data[_PAD + size - 1] == _NEWLINE:
        del data[-1]
    else:
        data[-1] = _NEWLINE
    if b"\r" in data:
        data = data.replace(b"\r", b"")
    if b"\n\n" in data:
        # Blank lines are no rows.
        data = bytearray(re.sub(b"\n\n+", b"\n", data))
    header_end = data.index(b"\n", _PAD)
    names = data[_PAD:header_end].decode("utf-8").split(",")
    if header_end == _PAD or any(not n for n in names):
        raise CSVError(f"{path}: line 1: expected a header of column names")
    return data, names, header_end + 1


def _word_at(words, end, n):
    """The words whose last n (0 to 8) bytes are the characters before end,
    with the bytes before those set to '0'."""
    keep = _KEEP[n]
    return (words[end - 8] & keep) | (_ZEROS & ~keep)


def _digits8(word, check):
    """The value of each word's 8 digit characters, and (when check) whether
    all are digits."""
    ok = None
    if check:
        ok = ((word & _HIGH_NIBBLES) == _ZEROS) & \
            ((((word & _LOW_NIBBLES) + _SIXES) & _HIGH_NIBBLES) == 0)
    v = word - _ZEROS
    v = (v * _U(10) + (v >> _U(8))) & _U(0x00FF00FF00FF00FF)
    v = (v * _U(100) + (v >> _U(16))) & _U(0x0000FFFF0000FFFF)
    v = (v * _U(10000) + (v >> _U(32))) & _U(0xFFFFFFFF)
    return v, ok


def _digits(words, end, n, check):
    """The value of the n (0 to 16) digit characters before each end, and
    (when check) whether they are all digits."""
    v, ok = _digits8(_word_at(words, end, np.minimum(n, 8)), check)
    long_ = np.flatnonzero(n > 8)
    if long_.size:
        high, ok_high = _digits8(_word_at(words, end[long_] - 8,
                                          np.minimum(n[long_] - 8, 8)), check)
        v[long_] += high * _U(100000000)
        if check:
            ok[long_] &= ok_high
    return v, ok


def _dot_in_word(words, end, n):
    """How many of the last n (0 to 8) characters before each end follow a
    '.' among them, or -1 where none is a '.'."""
    x = words[end - 8] ^ _DOTS
    # The high bit of each byte that was a '.', among the last n.
    dot = ~(((x & _LOW7) + _LOW7) | x) & _HIGH_BITS & _KEEP[n]
    # The byte i (from the low end) times 0x0706..00 leaves 7 - i, the
    # characters after it, in the top byte.
    after = ((dot >> _U(7)) * _BYTE_INDEX) >> _U(56)
    return np.where(dot != 0, after.view(np.int64), -1)


def _chars_after_dot(words, end, n):
    """How many characters follow the '.' among the n (up to 16) before each
    end, or -1 where there is none.  Of two dots either is found: the other
    is then among the digits."""
    out = _dot_in_word(words, end, np.minimum(n, 8))
    rows = np.flatnonzero((n > 8) & (out < 0))
    if rows.size:
        high = _dot_in_word(words, end[rows] - 8, np.minimum(n[rows] - 8, 8))
        out[rows] = np.where(high >= 0, high + 8, -1)
    return out


def _parse_column(buf, words, starts, ends, integers, signed, check):
    """The values of the tokens buf[starts[i]:ends[i]] and which of them
    this way could not read (for float()), with the dots and minus signs it
    found.  Integers have no dot to look for; without signed, no minus."""
    neg = buf[starts] == _MINUS if signed else np.zeros(starts.size, bool)
    length = ends - starts - neg
    if integers:
        frac = np.full(ends.size, -1, np.int64)
    else:
        frac = _chars_after_dot(words, ends, np.minimum(length, 16))
    has_dot = frac >= 0
    dots = int(np.count_nonzero(has_dot))
    if dots:
        frac = np.maximum(frac, 0)
        int_len = length - frac - has_dot
        mantissa, ok = _digits(words, ends - frac - has_dot, int_len, check)
        frac_value, ok_frac = _digits(words, ends, frac, check)
        mantissa = mantissa * _POW10_INT[np.minimum(frac, 19)] + frac_value
        value = mantissa.view(np.int64).astype(np.float64) / _POW10[np.minimum(frac, 22)]
        digits = int_len + frac
        if check:
            ok &= ok_frac
    else:
        mantissa, ok = _digits(words, ends, length, check)
        value = mantissa.view(np.int64).astype(np.float64)
        digits = length
    good = (digits >= 1) & (digits <= _MAX_DIGITS)
    if check:
        good &= ok
    if signed:
        value = np.where(neg, -value, value)
    return value, ~good, dots, int(np.count_nonzero(neg))


def _fallback_token(path, buf, start, end, row, name):
    text = bytes(buf[start:end]).decode("ascii", "replace")
    try:
        return float(text)
    except ValueError:
        raise CSVError(f"{path}: line {row + 2}: column '{name}': "
                       f"'{text}' is not a number") from None


def _bad_row(newlines, ncols):
    """The first data row (from 0) that has not ncols values."""
    rows_ends = np.flatnonzero(newlines)
    counts = np.diff(np.concatenate(([-1], rows_ends)))
    wrong = np.flatnonzero(counts != ncols)
    return int(wrong[0]) if wrong.size else int(rows_ends.size)


def _tokens(path, buf, body, names):
    """Where each row's tokens end (rows x columns), and the counts of dots
    and minus signs when the text is plain (only digits, dots, minus signs,
    commas and newlines), else None."""
    ncols = len(names)
    text = buf[body:]
    # Commas and newlines are the only characters up to ',' in plain text.
    ends = np.flatnonzero(text <= _COMMA)
    seps = text[ends]
    newlines = seps == _NEWLINE
    counts = None
    if np.all(newlines | (seps == _COMMA)) and not np.any(text > 57):
        dots, minus = np.count_nonzero(text == 46), np.count_nonzero(text == _MINUS)
        if np.count_nonzero(text < 48) == ends.size + dots + minus:
            counts = (dots, minus)
    if counts is None:
        ends = np.flatnonzero((text == _COMMA) | (text == _NEWLINE))
        newlines = text[ends] == _NEWLINE
    nrows = int(np.count_nonzero(newlines))
    if ends.size != nrows * ncols or (nrows and not newlines[ncols - 1::ncols].all()):
        raise CSVError(f"{path}: line {_bad_row(newlines, ncols) + 2}: "
                       f"expected {ncols} values ({','.join(names)})")
    return (ends + body).reshape(nrows, ncols), counts


def _parse_all(buf, body, names, ints, ends, counts):
    """Each column's values and which rows this way could not read."""
    words = np.ndarray((buf.size - 7,), "<u8", buf, 0, (1,))
    check = counts is None
    columns, dots, negs = [], 0, 0
    end = None
    for j, name in enumerate(names):
        start = _starts(ends, j, end, body)
        end = np.ascontiguousarray(ends[:, j])
        signed = check or counts[1] > 0
        values, bad, d, n = _parse_column(buf, words, start, end, name in ints, signed, check)
        dots += d
        negs += n
        columns.append((values, bad, start, end))
    if not check and (dots, negs) != counts:
        # A dot or minus sign that is not where a number has one.
        return _parse_all(buf, body, names, ints, ends, None)
    return columns


def _starts(ends, j, previous, body):
    """Where column j's tokens start: after the previous column's ends."""
    if j > 0:
        return previous + 1
    start = np.empty(ends.shape[0], np.int64)
    start[:1] = body
    start[1:] = ends[:-1, -1] + 1
    return start


def _c_loadtxt():
    """Whether np.loadtxt is numpy's C reader (numpy 1.23 and later)."""
    try:
        major, minor = (int(x) for x in np.__version__.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (1, 23)


def read_numeric(path, integers=(), engine=None):
    """Read a numeric CSV file with a header line as a numpy structured array.

    Columns named in ``integers`` are int64 (and must hold integers), the
    others float64.  Raises CSVError naming the file and line of a value
    that is not a number, or of a row with too few or too many values.

    engine: 'loadtxt' (numpy's C reader, numpy 1.23 and later), 'swar' (the
    vectorised reader of this module) or None: the environment's
    SOMAIF_CSV_ENGINE if set, else loadtxt where it is numpy's C reader and
    swar with an older numpy (whose loadtxt is a Python loop, 4 to 5 times
    slower than swar).
    """
    if engine is None:
        engine = os.environ.get("SOMAIF_CSV_ENGINE") or ("loadtxt" if _c_loadtxt() else "swar")
    if engine == "loadtxt":
        return _read_loadtxt(path, integers)
    if engine != "swar":
        raise ValueError(f"no CSV engine {engine!r}: 'loadtxt' or 'swar'")
    data, names, body = _read_padded(path)
    buf = np.frombuffer(data, np.uint8)
    ints = set(integers)
    ends, counts = _tokens(path, buf, body, names)
    columns = _parse_all(buf, body, names, ints, ends, counts)
    out = np.empty(ends.shape[0], [(n, np.int64 if n in ints else np.float64) for n in names])
    for name, (values, bad, start, end) in zip(names, columns):
        for row in np.flatnonzero(bad):
            values[row] = _fallback_token(path, buf, start[row], end[row], row, name)
        if name in ints:
            values = _as_integers(path, name, values)
        out[name] = values
    return out


def _as_integers(path, name, values):
    as_int = values.astype(np.int64)
    wrong = np.flatnonzero(as_int != values)
    if wrong.size:
        row = int(wrong[0])
        raise CSVError(f"{path}: line {row + 2}: column '{name}': "
                       f"{values[row]!r} is not an integer")
    return as_int


def _read_loadtxt(path, integers):
    with open(path, "rb") as f:
        header = f.readline().decode("utf-8").rstrip("\r\n")
    names = header.split(",")
    if not header or any(not n for n in names):
        raise CSVError(f"{path}: line 1: expected a header of column names")
    ints = set(integers)
    floats = np.dtype([(n, np.float64) for n in names])
    with warnings.catch_warnings():
        # A header alone is a table of no rows, not a mistake.
        warnings.simplefilter("ignore", UserWarning)
        try:
            table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=floats, ndmin=1)
        except ValueError as e:
            # loadtxt counts rows differently by error: the other engine
            # names the line and column.
            read_numeric(path, integers, engine="swar")
            raise CSVError(f"{path}: {e}") from None
    out = np.empty(table.shape[0], [(n, np.int64 if n in ints else np.float64) for n in names])
    for name in names:
        out[name] = _as_integers(path, name, table[name]) if name in ints else table[name]
    return out


def _convert(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_table(path):
    """Read a small CSV file with a header as a structured array, each column
    typed by its values: int64 when all are integers, float64 when all are
    numbers, else str.  For tables whose columns vary (a sweep's summary)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or not rows[0]:
        raise CSVError(f"{path}: line 1: expected a header of column names")
    names, rows = rows[0], rows[1:]
    for i, r in enumerate(rows):
        if len(r) != len(names):
            raise CSVError(f"{path}: line {i + 2}: expected {len(names)} values "
                           f"({','.join(names)})")
    columns = []
    for j in range(len(names)):
        values = [_convert(r[j]) for r in rows]
        if all(type(v) is int for v in values):
            columns.append(np.array(values, np.int64))
        elif all(type(v) in (int, float) for v in values):
            columns.append(np.array(values, np.float64))
        else:
            columns.append(np.array([r[j] for r in rows], str))
    out = np.empty(len(rows), [(n, c.dtype) for n, c in zip(names, columns)])
    for n, c in zip(names, columns):
        out[n] = c
    return out
