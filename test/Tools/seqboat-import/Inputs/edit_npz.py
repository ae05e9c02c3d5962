"""Copy an .npz state_dict with one edit: edit_npz.py IN OUT --add NAME |
--drop NAME | --transpose NAME | --rename-prefix OLD=NEW."""
import sys

import numpy as np

src, dst, how, what = sys.argv[1:5]
with np.load(src) as data:
    state = {k: data[k] for k in data.files}
if how == "--add":
    state[what] = np.zeros(4, np.float32)
elif how == "--drop":
    del state[what]
elif how == "--transpose":
    state[what] = np.ascontiguousarray(state[what].T)
elif how == "--rename-prefix":
    old, new = what.split("=")
    state = {(new + k[len(old):] if k.startswith(old) else k): v for k, v in state.items()}
np.savez(dst, **state)
