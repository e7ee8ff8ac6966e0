"""load_model's resource limit: a .skops archive that would inflate past it is refused
unopened (by argument, environment variable or default), with the numbers in the error; a
member whose directory entry understates its size is never read past that size.

The bombs are built here from real skops files: a member of zeros that deflate a
thousandfold, an array member whose header declares gigabytes, a size field patched down.
"""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from nnconvert import load_model
from nnconvert.loading import MAX_INFLATED_BYTES, ModelLoadError

PADDING = 64 << 20  # bytes of spaces after schema.json's JSON: still valid JSON


@pytest.fixture(scope="module")
def model():
    return DecisionTreeClassifier(max_depth=3, random_state=0).fit(*load_iris(return_X_y=True))


def _rewrite(source, target, change) -> None:
    """Copy the archive ``source`` to ``target``, each member's bytes through ``change``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info)))


@pytest.fixture(scope="module")
def padded(tmp_path_factory, model):
    """A tree whose schema.json inflates to 64 MiB (a file of about 100 KiB)."""
    d = tmp_path_factory.mktemp("bombs")
    sio.dump(model, d / "plain.skops")
    _rewrite(d / "plain.skops", d / "padded.skops",
             lambda name, data: data + b" " * PADDING if name == "schema.json" else data)
    return d / "padded.skops"


def test_the_bomb_is_small_and_real(padded, model):
    assert padded.stat().st_size < 1 << 20
    loaded = load_model(padded, trusted_types=["sklearn.tree._tree.Tree"],
                        max_inflated_bytes=PADDING * 2)
    X = load_iris().data
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_an_archive_past_the_limit_is_refused_with_its_numbers(padded):
    with pytest.raises(ModelLoadError) as error:
        load_model(padded, max_inflated_bytes=16 << 20)
    message = str(error.value)
    assert "would inflate to at least" in message
    assert f"over the limit of {16 << 20:,} bytes" in message
    assert f"{padded.stat().st_size:,} bytes" in message
    assert "max_inflated_bytes" in message and "NNCONVERT_MAX_INFLATED_BYTES" in message


def test_the_environment_variable_sets_the_limit(padded, monkeypatch):
    monkeypatch.setenv("NNCONVERT_MAX_INFLATED_BYTES", str(1 << 20))
    with pytest.raises(ModelLoadError, match=f"over the limit of {1 << 20:,} bytes"):
        load_model(padded)
    monkeypatch.setenv("NNCONVERT_MAX_INFLATED_BYTES", "lots")
    with pytest.raises(ModelLoadError, match="is not a number of bytes"):
        load_model(padded)


def _npy_header(shape) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return header.getvalue()


def test_an_array_header_declaring_gigabytes_is_refused_by_default(tmp_path, model):
    """A member of a few bytes whose .npy header says (3·10⁸,) float64: 2.4 GB, past the
    default limit, refused before numpy allocates anything."""
    sio.dump(model, tmp_path / "plain.skops")

    def huge(name, data):
        return _npy_header((300_000_000,)) + b"\0" * 64 if name.endswith(".npy") else data

    _rewrite(tmp_path / "plain.skops", tmp_path / "huge.skops", huge)
    assert 300_000_000 * 8 > MAX_INFLATED_BYTES
    with pytest.raises(ModelLoadError, match=f"over the limit of {MAX_INFLATED_BYTES:,}"):
        load_model(tmp_path / "huge.skops", trusted_types=["sklearn.tree._tree.Tree"])


def _understate(path, member: str, size: int) -> None:
    """Patch ``member``'s uncompressed size in the local header and central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at:at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_a_member_that_understates_its_size_is_not_read_past_it(tmp_path, padded):
    liar = tmp_path / "liar.skops"
    liar.write_bytes(padded.read_bytes())
    with zipfile.ZipFile(padded) as archive:
        json_size = len(archive.read("schema.json").rstrip(b" "))
    _understate(liar, "schema.json", json_size)
    with zipfile.ZipFile(liar) as archive:
        assert archive.getinfo("schema.json").file_size == json_size  # under the limit now
    # zipfile stops at the declared size; the member then fails its CRC check
    with pytest.raises(ModelLoadError, match="CRC"):
        load_model(liar, trusted_types=["sklearn.tree._tree.Tree"],
                   max_inflated_bytes=16 << 20)
