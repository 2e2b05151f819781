"""examples/two_layer_net.ipynb runs from top to bottom (so it cannot rot)."""

from __future__ import annotations

import os

import pytest

from tests.clirun import REPO

NOTEBOOK = REPO / "examples" / "two_layer_net.ipynb"


def test_two_layer_net_notebook_runs(monkeypatch) -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed "
                                   "(pip install numpynn[test])")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed "
                                   "(pip install numpynn[test])")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed, no python3 kernel "
                        "(pip install numpynn[test])")
    # the kernel is a subprocess: it finds this checkout of numpynn through PYTHONPATH
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), *filter(None, [path])]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # small matrices: one BLAS thread each, so a busy machine is not oversubscribed
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "(Iteration 1 / 120) loss: " in text
    assert "(Epoch 10 / 10) train acc: " in text
    assert "dscores  (N, C) = (4, 10)" in text
    assert "best validation accuracy" in text and "validation accuracy 0." in text
    assert "iteration 200 / 300: loss" in text  # net.train(verbose=True)
    # the sanity check at reg 0 (about log 10), then the loss rising with reg
    assert "initial loss at reg 0: 2.30" in text and "reg 1     loss" in text
    # the planted bug in a small layers.py, found and named by gradcheck --file, then fixed
    assert "b: FAIL" in text and "likely bug: factor 1/N" in text
    assert "no failures (pass)" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the learning curves and the W1 templates
