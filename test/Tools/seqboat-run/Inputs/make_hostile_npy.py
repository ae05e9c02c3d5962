"""Writes hostile .npy files into the folder given as argv[1].

Each one is refused by the reader with a message, before it allocates what
the header claims (issue 13; before, some crashed or read through a null
buffer).
"""

import os
import struct
import sys

out = sys.argv[1]


def npy(name, header, payload=b"", major=1, length=None):
    """A file whose header dictionary is `header`, padded like NumPy's."""
    text = header.encode()
    prefix = 10 if major == 1 else 12
    text += b" " * ((64 - (prefix + len(text) + 1) % 64) % 64) + b"\n"
    n = len(text) if length is None else length
    size = struct.pack("<H", n) if major == 1 else struct.pack("<I", n)
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes([major, 0]) + size + text + payload)


def f4(shape):
    return "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (shape,)


# elements x 4 wrapped to 0 bytes: accepted, then a read through a null buffer.
npy("wrap.npy", f4("(4294967296, 1073741824)"))
# A plausible size that the file does not have (4 TiB).
npy("huge.npy", f4("(1048576, 1048576)"))
# The element count itself overflows int64.
npy("count.npy", f4("(1099511627776, 1099511627776)"))
# A dimension that does not fit int64 (strtoll-style readers clamp it).
npy("dim.npy", f4("(99999999999999999999,)"))
# A version 2.0 header that claims 100000 bytes (or 4 GiB) of dictionary.
npy("longheader.npy", f4("(2, 3)"), major=2, length=100000)
npy("fourgig.npy", f4("(2, 3)"), major=2, length=0xFFFFFFFF)
# More dimensions than NumPy allows.
npy("rank.npy", f4("(" + "1, " * 65 + ")"), payload=b"\0" * 4)
# A header length past the end of the file.
npy("past.npy", f4("(2, 3)"), length=4000)
