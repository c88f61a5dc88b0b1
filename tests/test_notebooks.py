"""The notebooks in notebooks/ run top to bottom without errors, and are stored without outputs.

Each notebook is executed with nbclient in a kernel started from *this* interpreter (a
kernelspec written to a temporary JUPYTER_PATH entry pointing at ``sys.executable``), with the
repository root as working directory, so the kernel imports the checkout's ``twin`` exactly as
``python -m pytest`` does, in a fresh CI venv as much as here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "placetwin-test-python"
#: Figures each notebook must show when executed (a figure that vanishes is a bug: issue 15).
IMAGES = {"01": 3, "02": 4, "03": 2, "04": 3, "05": 3}


def test_there_are_five_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stored outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory):
    """A kernelspec for this interpreter, first on JUPYTER_PATH (whatever else is installed)."""
    import os

    base = tmp_path_factory.mktemp("jupyter")
    spec_dir = base / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "placetwin tests", "language": "python", "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    # the kernel inherits the environment: the test command's MPLBACKEND=Agg would hide every figure, so the
    # kernel gets Jupyter's own inline backend, as a user's notebook does
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "MPLBACKEND")}
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(base)] + ([saved["JUPYTER_PATH"]] if saved["JUPYTER_PATH"] else []))
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    yield KERNEL
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, kernel_name: str):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name=kernel_name,
                                     resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:  # the message holds the cell and its traceback
        pytest.fail(f"{path.name}: a cell failed\n{exc}", pytrace=False)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= IMAGES[path.name[:2]], f"{path.name}: {images} figures shown, expected {IMAGES[path.name[:2]]}"
    # the last cell states the answer with numbers and intervals
    last = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert "ANSWER" in last and re.search(r"\d", last), f"{path.name}: the last cell states no answer"
    assert re.search(r"(interval|range|CI)", last), f"{path.name}: the answer has no interval"
