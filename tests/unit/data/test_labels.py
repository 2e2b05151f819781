"""numpynn.data.labels: original labels to class indices, checked against known classes."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from numpynn.data.labels import UnknownLabelsError, encode_labels

NFC, NFD = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")


def test_a_label_typed_composed_or_decomposed_is_one_class():
    """macOS writes "café" decomposed (its file names), Linux and Windows composed."""
    assert NFC != NFD
    y, known = encode_labels(np.array([NFC, "thé", NFC]), [NFD, "thé"], source="t")
    assert y.tolist() == [0, 1, 0] and known.tolist() == [NFD, "thé"]
    y, _ = encode_labels(np.array([NFD]), [NFC, "thé"], source="t")
    assert y.tolist() == [0]


def test_classes_that_differ_only_in_their_unicode_form_stay_apart():
    y, _ = encode_labels(np.array([NFD, NFC]), [NFC, NFD], source="t")
    assert y.tolist() == [1, 0]
    with pytest.raises(UnknownLabelsError):
        encode_labels(np.array(["tea"]), [NFC, NFD], source="t")
