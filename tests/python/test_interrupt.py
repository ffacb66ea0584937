"""Ctrl-C stops a long study and a long forward pass, which run with the GIL released."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import SAMPLE_TEXT, fixture

# Each child runs something that takes minutes (far past this test's wait) unless stopped, says
# "started" just before, and reports how it ended.
CHILDREN = {
    "study": f"""
        massact.profile(m, text_file={SAMPLE_TEXT!r}, num_seqs=10**5, seq_len=64)
    """,
    # 50000 sequences of 2 tokens: their logits take 100 MB; the passes, minutes.
    "forward": """
        import numpy as np
        m.run_with_cache(np.ones((50000, 2), dtype=np.int32), names=[])
    """,
}


@pytest.mark.parametrize("what", sorted(CHILDREN))
def test_ctrl_c_stops_it(what):
    code = textwrap.dedent(f"""
        import sys, time, massact
        m = massact.load({fixture("llama_f32")!r})
        print("started", flush=True)
        start = time.monotonic()
        try:
    """) + textwrap.indent(textwrap.dedent(CHILDREN[what]), "    ") + textwrap.dedent("""
        except KeyboardInterrupt:
            print("interrupted after", time.monotonic() - start, flush=True)
            sys.exit(3)
        print("finished", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "started\n", child.stderr.read()
        time.sleep(1.0)  # well inside the engine by now
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 3, out + err
    assert out.startswith("interrupted after"), out
