import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_packages_import():
    import abm
    import econometrics

    assert abm.__version__ and econometrics.__version__


def test_make_help_lists_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    for target in ("figures", "test", "bench", "lint", "data", "lab"):
        assert f"make {target}" in out.stdout


def test_docs_cite_sources_by_title_not_by_paths_outside_the_repository():
    # Files whose citations this project keeps by title (the README table); the others follow.
    for rel in ("README.md", "datasets/README.md", "datasets/datapackage.json"):
        text = (ROOT / rel).read_text(encoding="utf-8")
        for outside in ("DESIGN.md", "../shared/sources", "shared/sources/"):
            assert outside not in text, (rel, outside)


def test_make_lab_starts_jupyterlab(tmp_path):
    import json
    import os
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = (f"--no-browser --port={port} --IdentityProvider.token=lab-test "
            "--ServerApp.ip=127.0.0.1 --allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path)}
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        status = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/settings"
                                            f"?token=lab-test", timeout=5) as r:
                    status = (r.status, json.load(r))
                    break
            except OSError:
                time.sleep(1)
        assert status is not None, proc.stderr.read() if proc.poll() is not None else "timeout"
        assert status[0] == 200 and "settings" in status[1]  # JupyterLab itself, not a bare server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        proc.stderr.close()
