"""Read a folder of image files, one subfolder per class, as torchvision's
``ImageFolder`` and Keras's ``image_dataset_from_directory`` lay them out::

    pets/cat/001.jpg  pets/cat/002.png ...  pets/dog/001.jpg ...

The class of an image is the name of the subfolder it is in, or below (classes sorted
by name; ``cat/indoor/1.jpg`` is a cat, as torchvision reads it). A folder
whose subfolders are the splits (``train/`` and ``test/``, each with one subfolder per
class) gives its test rows as the predefined test split, as an ``.npz``'s ``x_test``
does; ``val/`` (``valid/``, ``validation/``) is the test split where there is no
``test/``, else its rows join the training pool. A folder of images without class
subfolders is read unlabelled (``predict``), each row named by its file.

Images are decoded by Pillow (PNG, JPEG/JFIF, BMP, GIF, TIFF, WebP, AVIF, PPM/PGM, ICO,
TGA, PCX, QOI, JPEG 2000, ...; a file without an image's ending by its first bytes),
upright as a viewer shows them (a phone photo's EXIF orientation is applied). All grey:
one channel, (H, W); else RGB, (H, W, 3) (a palette is expanded; transparent pixels are
read as a viewer shows them on white, not as the colours they hold). Every image takes
the most common size (H, W), or the ``size`` asked for (a model's), others resized
(bilinear), with a note; where no size is shared by half the images (photos of every
size), their median size, made smaller to at most 128 pixels a side. Pixel values are on
the 0..255 scale: 8-bit values as stored, 16-bit grey divided by 257 (a 16-bit and an
8-bit copy of one picture read alike); 32-bit and float images (TIFF) stay as stored,
and may not be mixed with the others. Files that are not images (``.DS_Store``, ``Thumbs.db``, a
``labels.txt``, iPhone ``.heic``) and hidden files (macOS ``._name.jpg``) are skipped with
a note naming their kinds; hidden folders and those of file managers and NAS boxes
(``__MACOSX``, Synology's ``@eaDir`` thumbnails) are no classes and are not read. A file
with an image's name that does not decode, a link to an image or a folder that is gone,
and a folder that cannot be listed are errors naming them. Copies of one image (the
same pixels) in two classes, or in the training and the test split, are named in a note.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError
from ..memory import physical_memory
from ..outputs import DirectoryLock
from ._files import dangling_link
from .dataset import Dataset
from .labels import composed, encode_labels

#: file endings Pillow decodes that this reader takes as images (lower case)
IMAGE_SUFFIXES = frozenset({".png", ".apng", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".dib",
                            ".gif", ".tif", ".tiff", ".webp", ".avif", ".ppm", ".pgm", ".pbm",
                            ".pnm", ".ico", ".icns", ".tga", ".pcx", ".qoi", ".sgi", ".ras",
                            ".xbm", ".xpm", ".dds", ".jp2", ".j2k", ".jpx", ".jpf", ".j2c"})
#: the first bytes of the image formats a file without an image's ending (a download
#: named by a hash, ``IMG_0001``, ``photo.jpg_large``) is read as (PNG, JPEG, GIF, TIFF,
#: WebP, BMP's own test is :func:`_bmp_header`)
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00",
          b"MM\x00*")
#: endings of the data files a folder of images may hold beside them (named in errors)
TABLE_ENDINGS = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".npz", ".txt", ".data")
#: subfolder names that are splits, not classes (lower case)
TRAIN_NAMES = ("train", "training")
TEST_NAMES = ("test", "testing")
VAL_NAMES = ("val", "valid", "validation")
#: Pillow modes of grey images (one channel; "LA": grey with alpha)
GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
#: Pillow modes of 16-bit grey images (0..65535, read on the 0..255 scale of the others)
SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
#: folders that file managers, NAS boxes and archivers make beside the user's own, never
#: classes nor images of one (a Synology NAS keeps a JPEG thumbnail of every image in
#: ``@eaDir``; a zip made on macOS holds ``__MACOSX``); compared in lower case
SYSTEM_FOLDERS = frozenset({"__macosx", "@eadir", "$recycle.bin", "system volume information",
                            "lost+found"})
#: EXIF orientations (tag 0x0112) that turn the stored image a quarter turn: its height
#: and width as a viewer shows it are the stored width and height
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


#: How image files are read, recorded with a model and a checkpoint, so that a model
#: reads new images as its own were read: 2 (numpynn 0.3.0 round 17 on): transparent
#: pixels on white, photos of no common size at their median size made small; 1 (models
#: without the record): the alpha channel dropped, every image at the most common size.
IMAGE_READER = 2


def _hidden(name: str) -> bool:
    """A folder's name that is no class: hidden (``.name``) or a system folder."""
    return name.startswith(".") or name.lower() in SYSTEM_FOLDERS


def is_image(path: Path) -> bool:
    """A visible regular file with an image's ending, or without one (``IMG_0001``,
    ``frame.0001``, a browser's ``photo.jpg_large``) whose first bytes are an image's."""
    if path.name.startswith("."):
        return False
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return path.is_file()
    return _sniffable(suffix) and path.is_file() and _image_bytes(path)


def _sniffable(suffix: str) -> bool:
    """Whether a file's ending (lower case) says nothing of its kind, so that its first
    bytes do: none, digits (``frame.0001``), or an image's ending with more after it
    (``.jpg_large``, ``.jpeg-orig``); ``.png~`` (an editor's backup) is none of these."""
    return (not suffix or suffix[1:].isdigit()
            or any(suffix.startswith(s) and suffix[len(s)] in "_-:"
                   for s in IMAGE_SUFFIXES if len(suffix) > len(s)))


def _image_bytes(path: Path) -> bool:
    """Whether the file's first bytes are a PNG, JPEG, GIF, TIFF, WebP, AVIF or BMP
    image's (False where it cannot be read: it is then no image of the data set)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
    except OSError:
        return False
    return (head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
            or (head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"))
            or (head[:2] == b"BM" and len(head) >= 18
                and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)))


#: files that make a folder a numpynn run's (``--out`` inside the image folder), not a
#: class: its report's weights.png must not become a class "run"
RUN_MARKERS = ("model.npz", "checkpoint.npz", "history.json", "search.json")
RUNS_FOLDER = "numpynn-runs"


def _is_run(path: Path) -> bool:
    """A run's folder: one holding a run's files, or the one this process is writing
    its run into now (still empty while the data are read)."""
    return (path.name == RUNS_FOLDER or any((path / m).is_file() for m in RUN_MARKERS)
            or DirectoryLock.held_here(path))


def _refuse_dead_link(path: Path) -> None:
    """A visible link named as an image or a folder (no ending) whose target is gone is
    an error naming it: its images would be left out in silence."""
    gone = dangling_link(path)
    if gone and not _hidden(path.name) and (
            path.suffix.lower() in IMAGE_SUFFIXES or not path.suffix):
        raise DataError(f"{gone} (a drive not mounted?), or delete the link.")


def _subfolders(path: Path) -> list[Path]:
    """The visible subfolders of ``path`` but numpynn's run folders (a link to a folder
    that is gone is an error)."""
    found = []
    for p in path.iterdir():
        if p.is_dir():
            if not _hidden(p.name) and not _is_run(p):
                found.append(p)
        else:
            _refuse_dead_link(p)
    return sorted(found)


def _run_folders(folders: Sequence[Path]) -> list[str]:
    """The numpynn run folders among the subfolders of ``folders`` (left out)."""
    return sorted({p.name for f in folders for p in f.iterdir() if p.is_dir() and _is_run(p)})


def _images(path: Path) -> list[Path]:
    """The images directly in ``path``."""
    return sorted(p for p in path.iterdir() if is_image(p))


def _walk(folder: Path) -> Iterator[tuple[Path, list[str]]]:
    """(directory, its file names) for ``folder`` and every folder below it, in sorted
    order; hidden and numpynn run folders left out, each real folder once (links are
    followed, a link back up is not)."""
    seen: set[str] = set()
    for where, dirs, names in os.walk(folder, onerror=_walk_error, followlinks=True):
        real = os.path.realpath(where)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not _hidden(d)
                         and not _is_run(Path(where, d))
                         and not _encloses(os.path.realpath(os.path.join(where, d)), real))
        yield Path(where), sorted(names)


def _walk_error(exc: OSError) -> None:
    """A folder below the data set that cannot be listed is an error naming it (os.walk
    would leave its images out in silence)."""
    where = Path(exc.filename) if exc.filename else Path("?")
    if isinstance(exc, PermissionError):
        raise DataError(f"{where} cannot be read: permission denied; give this user access "
                        "to the folder (chmod a+rx), or move it out of the data set.")
    raise _unreadable(where, exc)


def _encloses(outer: str, inner: str) -> bool:
    """Whether the real path ``outer`` is ``inner`` or a folder above it (a link there
    would read the data set again)."""
    return os.path.commonpath([outer, inner]) == outer


def _kind(path: Path) -> str:
    """What a skipped file is named by in the note: "hidden" (``.DS_Store``, macOS's
    ``._name.jpg``), else its ending in lower case, or its name where it has none."""
    if path.name.startswith("."):
        return "hidden"
    return path.suffix.lower() or path.name


def _images_under(folder: Path) -> tuple[list[Path], Counter[str]]:
    """The images in ``folder`` and below it (as torchvision's ImageFolder: a class's
    images may sit in subfolders of its folder), and the other files by their kind."""
    images: list[Path] = []
    other: Counter[str] = Counter()
    for where, names in _walk(folder):
        for name in names:
            path = where / name
            if is_image(path):
                images.append(path)
            elif path.is_file():
                other[_kind(path)] += 1
            else:
                _refuse_dead_link(path)
    return images, other


def _any_image(path: Path) -> bool:
    """Whether ``path`` or a folder below it holds an image file (stops at the first:
    a class folder may hold thousands)."""
    for where, names in _walk(path):
        if any(not n.startswith(".") and (n.lower().endswith(tuple(IMAGE_SUFFIXES)) or (
                _sniffable(Path(n).suffix.lower()) and is_image(where / n))) for n in names):
            return True
    return False


def _has_class_folders(path: Path) -> bool:
    return any(_any_image(sub) for sub in _subfolders(path))


def looks_like_image_folder(path: str | os.PathLike[str]) -> bool:
    """Whether the directory ``path`` holds images: in class subfolders, in split
    subfolders of class subfolders, or directly (unlabelled)."""
    p = Path(path)
    try:
        if not p.is_dir() or _is_run(p):  # a run's weights.png is no data set
            return False
        return bool(_images(p)) or _has_class_folders(p)
    except DataError:  # a dead link or a folder that cannot be listed: reading it as
        return True    # images names it
    except OSError:
        return False


def _lists_images(table: Path, root: Path) -> bool:
    """Whether the table file ``table`` names image files of ``root`` (Kaggle's
    train.csv of file names and labels beside the images), from its first 64 kB."""
    try:
        with open(table, "rb") as fh:
            head = fh.read(65536).decode("utf-8", "replace")
    except OSError:
        return False
    return any(p.name in head for p in _images(root)[:50])


def _layout(root: Path) -> tuple[list[Path], list[Path], list[str]]:
    """(folders of training rows, folders of test rows, notes): each folder holds
    class subfolders (or, unlabelled, the images themselves)."""
    holding = {p: _has_class_folders(p) for p in _subfolders(root)}  # scanned once
    subs = {p.name.lower(): p for p, classes in holding.items() if classes}
    train = [subs[n] for n in TRAIN_NAMES if n in subs]
    test = [subs[n] for n in TEST_NAMES if n in subs]
    val = [subs[n] for n in VAL_NAMES if n in subs]
    if not train:
        return [root], [], []
    drawn = "" if test or val else f"; any test split is drawn from {train[0].name}/"
    notes = [f"{root.name}: {p.name}/ holds images without class folders, so without labels: "
             f"left out{drawn} (numpynn predict MODEL --data {p} reads them)."
             for p, classes in holding.items() if not classes
             and p.name.lower() in (*TEST_NAMES, *VAL_NAMES) and _images(p)]
    if val and not test:
        test, val = val, []
        notes.append(f"{root.name}: its {test[0].name}/ folder is the test split (there is "
                     "no test/ folder); the validation split is drawn from train/.")
    elif val:
        notes.append(f"{root.name}: the images of {val[0].name}/ join those of "
                     f"{train[0].name}/ (the run draws its validation split from them); "
                     f"{test[0].name}/ is the test split.")
    others = [p.name for p in subs.values() if p not in (*train, *test, *val)]
    if others:
        raise DataError(f"{root} has the split folders {', '.join(p.name for p in train + test)}"
                        f" and also {', '.join(others)}, which is not a split: put the class "
                        "folders of each split under train/ and test/ (or val/), nothing else.")
    return [*train, *val], test, notes


def _class_name(folder: Path) -> str:
    """The class a folder names, in Unicode's composed form (NFC): macOS writes "café"
    decomposed, Linux and Windows composed; the two are one class."""
    return composed(folder.name)


def _files_of(folders: Sequence[Path], labelled: bool
              ) -> tuple[list[Path], list[str], Counter[str], list[str]]:
    """(image files, their class names, files skipped by kind, empty class folders)."""
    files: list[Path] = []
    labels: list[str] = []
    skipped: Counter[str] = Counter()
    empty = []
    for folder in folders:
        if not labelled or not _has_class_folders(folder):  # no classes: every image
            found, other = _images_under(folder) if not labelled else (
                _images(folder), Counter(_kind(p) for p in folder.iterdir()
                                         if p.is_file() and not is_image(p)))
            files += found
            labels += [""] * len(found)
            skipped += other
            continue
        loose = _images(folder)
        if loose:
            raise DataError(
                f"{folder} has class subfolders and also {len(loose)} image(s) outside them "
                f"(e.g. {loose[0].name}), whose class is unknown: move each into its class's "
                "folder, or out of the data set.")
        for sub in _subfolders(folder):
            found, other = _images_under(sub)
            if not found:
                empty.append(sub.name)
            files += found
            labels += [_class_name(sub)] * len(found)
            skipped += other
    return files, labels, skipped, empty


#: kinds of files that are pictures Pillow does not read, and what to do with them
_UNREAD_PICTURES = {
    ".heic": "iPhone photos (HEIC), which Pillow does not read: export them as JPEG",
    ".heif": "HEIF photos, which Pillow does not read: export them as JPEG",
    ".svg": "vector drawings, which are not pixels: export them as PNG",
}


def _skipped_note(root: Path, skipped: Counter[str]) -> str:
    """The note on the files that are not images, named by kind (a class of .heic photos
    is not left out in silence)."""
    kinds = ", ".join(f"{k} {n:,}" for k, n in skipped.most_common(6))
    more = ", ..." if len(skipped) > 6 else ""
    advice = "".join(f"; {k}: {_UNREAD_PICTURES[k]}" for k in sorted(skipped)
                     if k in _UNREAD_PICTURES)
    return (f"{root.name}: {sum(skipped.values()):,} files that are not images were skipped "
            f"({kinds}{more}){advice}.")


def _unreadable(path: Path, exc: Exception) -> DataError:
    if isinstance(exc, PermissionError):
        return DataError(f"{path} cannot be read: permission denied; give this user read "
                         "access (chmod a+r), or move it out of the data set.")
    if isinstance(exc, OSError) and exc.errno is not None and not isinstance(
            exc, FileNotFoundError):  # an I/O error, not a format Pillow cannot decode
        return DataError(f"{path} cannot be read ({exc.strerror or exc}); check the disk "
                         "or the network share it is on, or move it out of the data set.")
    return DataError(f"{path} is not a readable image ({type(exc).__name__}: "
                     f"{' '.join(str(exc).split())[:160]}); delete it, or export it again as "
                     "PNG or JPEG.")


#: Pillow's errors of a file that is not a readable image (UnidentifiedImageError is an
#: OSError; a truncated or malformed file raises the others)
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError)


def _too_large(path: Path, exc: Exception) -> DataError:
    return DataError(f"{path} is too large for Pillow to open ({exc}; Pillow's guard against "
                     "files made to fill the memory): make it smaller first (e.g. 1024 pixels "
                     "wide: Pillow's Image.thumbnail, or ImageMagick's "
                     "`mogrify -resize 1024x1024 FILE`), or move it out of the data set.")


def _depth(im) -> str:
    """How an open image's values are scaled: "8" (0..255), "16" (16-bit grey,
    0..65535) or "raw" (32-bit integers or floats, whose range the file does not say)."""
    if im.mode in SIXTEEN_BIT_MODES or (im.mode == "I" and im.format == "PNG"):
        return "16"
    return "raw" if im.mode in ("I", "F") else "8"


def _grey_palette(im) -> bool:
    """Whether a palette image's colours are all grey (a grey GIF, or a PNG a tool made
    smaller with a palette): it is read as one channel, as its grey copy in "L" is."""
    if im.mode not in ("P", "PA"):
        return False
    palette = im.getpalette()
    if not palette:
        return False
    rgb = np.asarray(palette[: len(palette) // 3 * 3]).reshape(-1, 3)
    return bool(np.all(rgb == rgb[:, :1]))


def _is_grey(im) -> bool:
    """Whether an open image is grey: a grey mode, or a palette of greys only."""
    return im.mode in GREY_MODES or _grey_palette(im)


@contextmanager
def _opened(path: Path, Image) -> Iterator[Any]:
    """``Image.open(path)`` without Pillow's DecompressionBombWarning: an image of up to
    twice Pillow's pixel limit (a panorama, a scan) is read as any other (its pixels are
    reduced to the data set's size before they become floats), a larger one is refused
    by name (:func:`_too_large`); the warning named neither the file nor what to do."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            yield im


def _header(path: Path, Image) -> tuple[tuple[int, int], bool, str]:
    """((H, W) as a viewer shows it, grey, depth) of one image, from its header (nothing
    decoded yet): an EXIF orientation of a quarter turn swaps the stored H and W."""
    try:
        with _opened(path, Image) as im:
            h, w = im.size[1], im.size[0]
            if im.format != "PNG" or "exif" in im.info:  # a PNG's late eXIf needs a decode
                if im.getexif().get(0x0112) in _QUARTER_TURNS:
                    h, w = w, h
            return (h, w), _is_grey(im), _depth(im)
    except Image.DecompressionBombError as exc:
        raise _too_large(path, exc) from None
    except _DECODE_ERRORS as exc:
        raise _unreadable(path, exc) from None


def _has_alpha(im) -> bool:
    """Whether an open image has transparent pixels' alpha: an alpha channel, or a
    palette or grey image with a transparent colour (``transparency``)."""
    return "A" in im.getbands() or "a" in im.mode or (
        im.mode in ("P", "L", "RGB") and "transparency" in im.info)


def _flattened(im, Image):
    """``im`` on a white background, as a viewer shows it and as flattening it for a
    JPEG does (Photoshop, GIMP, ImageMagick's -flatten): the colours that a transparent
    pixel keeps (often garbage an editor left there) are no longer read as its pixels;
    a grey image stays grey ("L"), a colour one RGB."""
    rgba = im.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return flat.convert("L" if _is_grey(im) else "RGB")


def _reduced(im, size: tuple[int, int]):
    """``im`` made smaller by a whole factor (the mean of each k x k block) where it is
    at least 4 times the ``size`` (H, W) it is resized to, else as it is: a 90-megapixel
    photo read at 64x64 no longer becomes a 360 MB float plane first. The factor leaves
    at least twice the size, so that the bilinear resize after still averages."""
    factor = min(im.width // size[1], im.height // size[0]) // 2
    if factor < 2:
        return im
    try:
        return im.reduce(factor)
    except (ValueError, NotImplementedError):  # a mode Pillow does not reduce: as it is
        return im


def image_pixels(im, size: tuple[int, int], colour: bool,
                 reader: int = IMAGE_READER) -> np.ndarray:
    """One open Pillow image's pixels, upright as a viewer shows it (its EXIF orientation
    applied), (H, W) grey or (H, W, 3) RGB as ``colour`` asks, on the 0..255 scale (16-bit
    grey divided by 257; 32-bit and float values as stored), resized (bilinear) to
    ``size`` (H, W) where it is another: the one reading of an image file, for training
    and for predictions alike; transparent pixels on white (``reader`` 1, a model's
    that records none: the alpha channel dropped, as those models were trained)."""
    from PIL import Image, ImageOps

    im.load()
    im = ImageOps.exif_transpose(im) or im  # (in_place= needs Pillow 10)
    if reader >= 2 and _has_alpha(im):
        im = _flattened(im, Image)
    depth = _depth(im)
    if depth != "8":  # Pillow's convert would clip these to 0..255
        if im.mode in SIXTEEN_BIT_MODES:  # "I" holds them exactly, and reduces
            im = im.convert("I")
        pixels = np.asarray(_reduced(im, size), dtype=np.float32)
        if depth == "16":
            pixels = pixels / np.float32(257)
        if colour:
            pixels = np.repeat(pixels[..., None], 3, axis=2)
    elif colour:
        pixels = np.asarray(_reduced(im.convert("RGB"), size))
    else:
        pixels = np.asarray(_reduced(im if im.mode == "L" else im.convert("L"), size))
    if pixels.shape[:2] == size:
        return pixels
    planes = pixels[..., None] if pixels.ndim == 2 else pixels
    resized = [np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c], np.float32),
                                          mode="F").resize((size[1], size[0]), Image.BILINEAR))
               for c in range(planes.shape[2])]  # one float plane at a time: any bit depth
    return resized[0] if pixels.ndim == 2 else np.stack(resized, axis=2)


def _decode(path: Path, Image, size: tuple[int, int], colour: bool,
            reader: int = IMAGE_READER) -> np.ndarray:
    """The pixels of the image file ``path`` (see :func:`image_pixels`)."""
    try:
        with _opened(path, Image) as im:
            return image_pixels(im, size, colour, reader)
    except Image.DecompressionBombError as exc:
        raise _too_large(path, exc) from None
    except _DECODE_ERRORS as exc:
        raise _unreadable(path, exc) from None


def is_image_input(item: object) -> bool:
    """Whether ``item`` names or is one image: a path (str or os.PathLike) or an open
    Pillow image."""
    return isinstance(item, (str, os.PathLike)) or (
        type(item).__module__.startswith("PIL.") and hasattr(item, "getbands"))


def read_images(items: Sequence[Any], image_shape: Sequence[int],
                reader: int = IMAGE_READER) -> np.ndarray:
    """Image files (paths) or open Pillow images as the rows (N, H W [C]) float32 of a
    model of images ``image_shape`` (H, W) or (H, W, 3): each read as the training images
    of a folder were (upright, grey or RGB, 0..255, resized to (H, W)), so that an image
    predicted from Python is the one ``numpynn predict MODEL --data FILE`` reads
    (``reader``: the model's :data:`IMAGE_READER`)."""
    from PIL import Image

    size = (int(image_shape[0]), int(image_shape[1]))
    colour = len(image_shape) > 2 and int(image_shape[2]) == 3
    rows = np.empty((len(items), int(np.prod(image_shape))), np.float32)
    for i, item in enumerate(items):
        if not isinstance(item, (str, os.PathLike)):
            try:
                rows[i] = image_pixels(item, size, colour, reader).reshape(-1)
            except _DECODE_ERRORS as exc:
                raise DataError(f"X[{i}], a Pillow image of mode {item.mode!r}, cannot be "
                                f"read as pixels ({type(exc).__name__}: {exc}); convert it "
                                "first (image.convert('RGB')).", param="X") from None
            continue
        path = Path(os.path.expanduser(os.fspath(item)))
        if path.is_dir():
            raise DataError(f"X[{i}] is the folder {path}; give its image files (e.g. "
                            f"sorted(Path({str(path)!r}).glob('*.png'))), or run numpynn "
                            f"predict MODEL --data {path}, which names each row by its "
                            "file.", param="X")
        if not path.exists():
            where = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
            raise DataError(f"X[{i}]: image file not found: {path}{where}; check the path.",
                            param="X")
        rows[i] = _decode(path, Image, size, colour, reader).reshape(-1)
    return rows


#: the longer side of the size that images of no common size are read at (at most)
MIXED_SIDE = 128


def _common_size(sizes: Counter[tuple[int, int]], where: Path,
                 notes: list[str], reader: int = IMAGE_READER) -> tuple[int, int]:
    """The (H, W) the images of ``sizes`` (their count by size) are read at: the most
    common size where half of them or more share it; else (photos of every size) their
    median size, made smaller (its aspect kept) to at most :data:`MIXED_SIDE` pixels a
    side, with a note: the largest of sizes met once each made a model of millions of
    inputs, every other image enlarged to it. ``reader`` 1: the most common size always."""
    size = max(sizes, key=lambda s: (sizes[s], s))
    n = sum(sizes.values())
    if 2 * sizes[size] >= n or reader < 2:
        return size
    heights = np.repeat([h for h, _ in sizes], list(sizes.values()))
    widths = np.repeat([w for _, w in sizes], list(sizes.values()))
    h, w = float(np.median(heights)), float(np.median(widths))
    scale = min(1.0, MIXED_SIDE / max(h, w))
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    notes.append(f"{where.name}: the {n:,} images have {len(sizes):,} sizes, none shared by "
                 f"half of them: all are read at {size[0]}x{size[1]} (height x width; their "
                 f"median size{', made smaller' if scale < 1 else ''}); to choose another, "
                 "resize them first (e.g. ImageMagick's `mogrify -resize 64x64! *.jpg`).")
    return size


def _pixels(files: Sequence[Path], where: Path, size: tuple[int, int] | None,
            channels: int | None, notes: list[str], reader: int = IMAGE_READER
            ) -> tuple[np.ndarray, tuple[int, ...]]:
    """The images as float32 rows (N, H W [C]) and their common shape (H, W[, C]): every
    image at ``size`` (default the most common) with ``channels`` (default 1 when all are
    grey, else 3). Headers are read first, so that a folder too large for the memory is
    refused before any image is decoded."""
    from PIL import Image

    headers = [_header(f, Image) for f in files]
    depths = {d: f for f, (_, _, d) in zip(files, headers)}
    if "raw" in depths and len(depths) > 1:
        other = depths.get("8", depths.get("16"))
        raise DataError(
            f"{depths['raw']} holds 32-bit or floating-point values, whose range the file "
            f"does not say, and {other} of the same data holds 8- or 16-bit pixels: the two "
            "cannot be put on one scale; export them all in one format (e.g. 8-bit PNG).")
    sizes = Counter(h for h, _, _ in headers)
    if size is None:
        size = _common_size(sizes, where, notes, reader)
    colour = channels == 3 if channels is not None else not all(g for _, g, _ in headers)
    shape = (*size, 3) if colour else tuple(size)
    need, have = 4 * len(files) * int(np.prod(shape)), physical_memory()
    if have is not None and need > have // 2:
        raise DataError(
            f"{where}: {len(files):,} images of {'x'.join(map(str, shape))} pixels would take "
            f"{need / 1e9:.1f} GB as float32, more than half of this machine's "
            f"{have / 1e9:.1f} GB: make them smaller first (e.g. 64x64: Pillow's "
            "Image.resize, or ImageMagick's `mogrify -resize 64x64! *.jpg`).")
    other = sum(n for s, n in sizes.items() if s != size)
    if other:
        notes.append(f"{where.name}: {other:,} of {len(files):,} images were not "
                     f"{size[0]}x{size[1]} (height x width) and were resized to it.")
    X = np.empty((len(files), int(np.prod(shape))), np.float32)
    for i, f in enumerate(files):  # one by one: threads were slower (small images hold
        X[i] = _decode(f, Image, size, colour, reader).reshape(-1)  # (the GIL between
    return X, shape


def _duplicate_notes(root: Path, X: np.ndarray, files: Sequence[Path],
                     labels: Sequence[str], n_train: int) -> list[str]:
    """Notes on images read with the same pixels (X's rows, N of them; the first
    ``n_train`` the training folder's): copies in two classes (they teach the model
    both), and test images that are training images too (the test score overstates)."""
    first: dict[int, int] = {}
    clash: list[tuple[int, int]] = []
    leak: list[tuple[int, int]] = []
    for i in range(len(X)):
        j = first.setdefault(hash(X[i].tobytes()), i)
        if j == i or not np.array_equal(X[i], X[j]):
            continue
        if labels[i] != labels[j]:
            clash.append((j, i))
        elif j < n_train <= i:
            leak.append((j, i))

    def named(pair: tuple[int, int]) -> str:
        return " and ".join(files[k].relative_to(root).as_posix() for k in pair)

    notes = []
    if clash:
        notes.append(f"{root.name}: {len(clash):,} image(s) are in two classes at once, with "
                     f"the same pixels (e.g. {named(clash[0])}): the model is taught both "
                     "labels; delete the copies in the wrong class.")
    if leak:
        notes.append(f"{root.name}: {len(leak):,} test image(s) are training images too, with "
                     f"the same pixels (e.g. {named(leak[0])}): the test score overstates; "
                     "delete the copies from one of the splits.")
    return notes


def _named(folder: Path) -> Path:
    """``folder``, made absolute where its path ends without its name (``.``, ``..``,
    ``photos/..``): the notes and the data set are named by the folder's name."""
    return Path(os.path.abspath(folder)) if folder.name in ("", "..") else folder


def load_image_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    size: Sequence[int] | None = None,
    channels: int | None = None,
    reader: int = IMAGE_READER,
) -> Dataset:
    """Image files given one by one (a shell's ``photos/*.jpg``), read unlabelled as the
    images of a folder are (see :func:`load_image_folder`); ``ids`` the paths as given.

    Returns:
        A :class:`Dataset` without labels: X (N, H W [C]) float32, ``image_shape``.
    """
    files = [Path(os.path.expanduser(os.fspath(p))) for p in paths]
    for given, f in zip(paths, files):
        if not f.exists():
            raise DataError(f"image file not found: {given}; check the path.")
        if not is_image(f):
            raise DataError(f"{given} is not an image file (.png, .jpg, ...): several "
                            "values of --data are image files to predict, one row each; "
                            "give one data set (a file, a folder or a name) alone.")
    notes: list[str] = []
    where = _named(files[0].parent)
    X, shape = _pixels(files, where, tuple(size) if size is not None else None, channels,
                       notes, reader)
    return Dataset(X=X, y=None, classes=np.empty(0), name=where.name, image_shape=shape,
                   image_reader=reader,
                   notes=notes, ids=[os.fspath(p) for p in paths])


def load_image_folder(
    path: str | os.PathLike[str],
    *,
    classes: Sequence[object] | np.ndarray | None = None,
    labelled: bool = True,
    size: Sequence[int] | None = None,
    channels: int | None = None,
    reader: int = IMAGE_READER,
) -> Dataset:
    """Read the images under ``path`` (see the module's docstring).

    Args:
        path: the folder.
        classes: known class names (a saved model's): each class folder must be one of
            them (DataError naming those that are not).
        labelled: False: every image under ``path`` (class folders or not) is read
            without a label (``y`` None), each row named by its file (``ids``).
        size: (H, W) every image is resized to (a model's image shape); default the
            most common size among the images.
        channels: 1 or 3 to read every image as grey or RGB (a model's); default grey
            when every image is grey, else RGB.
        reader: how the files are read (:data:`IMAGE_READER`; a model's or checkpoint's
            own, 1 where it records none).

    Returns:
        A :class:`Dataset`: X (N, H W) or (N, H W 3) float32 pixel values, y (N,) class
        indices (None unlabelled), ``image_shape`` (H, W) or (H, W, 3), the test
        folder's rows as ``X_test``/``y_test``, ``ids`` the files' paths relative to
        ``path``.
    """
    root = _named(Path(path))
    if not root.exists():
        where = "" if root.is_absolute() else f" (relative to {Path.cwd()})"
        raise DataError(f"image folder not found: {root}{where}; check the path.")
    if root.is_file() and is_image(root) and not labelled:  # one image to predict
        notes: list[str] = []
        X, shape = _pixels([root], _named(root.parent), tuple(size) if size is not None else None,
                           channels, notes, reader)
        return Dataset(X=X, y=None, classes=np.empty(0), name=root.name, image_shape=shape,
                       image_reader=reader,
                       notes=notes, ids=[root.name])
    if root.is_file() and is_image(root):
        raise DataError(f"{root} is a file, one image without a label: to train or evaluate give "
                        "the folder that holds the images, one subfolder per class "
                        f"(FOLDER/CLASS/IMAGE, e.g. {root.parent}/); numpynn predict reads "
                        "one image as it is.")
    if not root.is_dir():
        raise DataError(f"{root} is a file; give the folder that holds the images, one "
                        f"subfolder per class (e.g. {root.parent}/).")
    if not looks_like_image_folder(root):
        raise DataError(f"{root} holds no image files (.png, .jpg, ...) in class subfolders "
                        "(FOLDER/CLASS/IMAGE) nor directly: give the folder whose subfolders "
                        "are the classes.")
    train_dirs, test_dirs, notes = _layout(root) if labelled else ([root], [], [])
    files, labels, skipped, empty = _files_of(train_dirs, labelled)
    t_files, t_labels, t_skipped, t_empty = _files_of(test_dirs, labelled)
    if labelled and not any(labels):
        tables = sorted(p.name for p in root.iterdir() if p.is_file()
                        and p.name.lower().endswith(TABLE_ENDINGS))
        listing = next((t for t in tables if _lists_images(root / t, root)), None)
        table = (f"; {listing} lists the images with their labels, which numpynn does not "
                 "read: move each image into the subfolder of its label" if listing else
                 f"; for the table in it, give its file: --data {root / tables[0]}"
                 if tables else "")
        raise DataError(f"{root} has images but no class subfolders, so no labels: put "
                        "the images of each class in a subfolder named by the class "
                        "(FOLDER/CLASS/IMAGE); a folder of images alone is for numpynn "
                        f"predict{table}.")
    if skipped + t_skipped:
        notes.append(_skipped_note(root, skipped + t_skipped))
    runs = _run_folders([root, *train_dirs, *test_dirs])
    if runs:
        notes.append(f"{root.name}: {', '.join(runs)} left out: numpynn's run folders "
                     "(an --out inside the image folder), not classes.")
    if empty or t_empty:
        notes.append(f"{root.name}: class folders without images left out: "
                     f"{', '.join(sorted(set(empty + t_empty)))}.")
    X_all, shape = _pixels([*files, *t_files], root,
                           tuple(size) if size is not None else None, channels, notes, reader)
    X, X_test = X_all[: len(files)], X_all[len(files):]
    ids = [f.relative_to(root).as_posix() for f in files]
    if labelled:
        notes += _duplicate_notes(root, X_all, [*files, *t_files], [*labels, *t_labels],
                                  len(files))
    if not labelled:
        return Dataset(X=X, y=None, classes=np.empty(0), name=root.name, image_shape=shape,
                       image_reader=reader,
                       notes=notes, ids=ids)
    if len(set(labels)) < 2 and classes is None:
        only = next(s for d in train_dirs for s in _subfolders(d)
                    if _class_name(s) == labels[0])
        if _has_class_folders(only):  # the data set is one folder down (an unzipped archive)
            raise DataError(f"{root} has one subfolder, {labels[0]}/, and its images are in "
                            f"the subfolders of that: the classes are the subfolders of "
                            f"{only}; give that folder: --data {only}")
        raise DataError(f"{root} has images of one class only ({labels[0]}): a classifier "
                        "needs two or more class folders, each with images.")
    y, known = encode_labels(np.array(labels), classes, source=str(root))
    y_test = None
    if t_files:
        y_test, _ = encode_labels(np.array(t_labels), known, source=str(test_dirs[0]))
    return Dataset(X=X, y=y, classes=known, name=root.name, image_shape=shape,
                   image_reader=reader,
                   X_test=X_test if t_files else None, y_test=y_test, notes=notes, ids=ids)
