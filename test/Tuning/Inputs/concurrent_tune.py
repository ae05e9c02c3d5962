"""Starts several seqboat-tune processes on one database at once.

    concurrent_tune.py SEQBOAT_TUNE LAYER.mlir DB FIX [FIX ...]

One tuner per FIX (a --fix KNOB=VALUE), all started before any is waited
for, so their saves interleave. Exits non-zero when one of them failed.
"""

import subprocess
import sys

tune, layer, db, fixes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
procs = [subprocess.Popen([tune, layer, "--chip", "sm_90", "--budget", "6", "--jobs", "1",
                           "--no-measure", "--db", db, "--fix", fix,
                           "--fix", "unroll=1", "--fix", "ema_chunk=64", "--fix", "attn_queries=1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
         for fix in fixes]
failed = 0
for fix, proc in zip(fixes, procs):
    _, err = proc.communicate()
    if proc.returncode:
        failed += 1
        sys.stderr.write("tuner --fix %s failed:\n%s" % (fix, err))
sys.exit(failed)
