"""Frontal-face detection for the lighting check: OpenCV's trained Viola–Jones cascade, run in
NumPy.

The *model* is OpenCV's ``haarcascade_frontalface_default.xml`` (Rainer Lienhart's 24x24
frontal-face cascade, 25 boosted stages of Haar-feature stumps; Intel/BSD licence, header kept
in the file), vendored in ``preflight/data/``.  Only the *evaluator* is ours: the
``opencv-python-headless`` wheel brought 38 MiB of its own FFmpeg and OpenBLAS into the
installer for this one call (packaging/README.md, "Size").  OpenCV stays a test-only
dependency: ``tests/preflight/test_facedetect.py`` checks that this finds the same faces as
``cv2.CascadeClassifier.detectMultiScale``.

What is reproduced from OpenCV 4's ``cascadedetect.cpp`` (so the trained thresholds mean what
they meant in training):

* scales ``1, f, f², …`` with ``cvRound(24·scale)`` windows between ``min_size`` and the
  picture; at each scale the *picture* is shrunk (bilinear) and the 24x24 window slides over
  it with a step of 2 pixels (1 from scale 2 up), skipping the next position after a window
  the first stage rejected;
* per window, variance normalisation over the inner 22x22 (``1/√(area·Σx² − (Σx)²)``), and
  windows with a standard deviation ≤ 10 (flat: walls, ceilings) are rejected outright;
* each stump compares its normalised feature (weighted rectangle sums, float32) with its
  threshold and adds the left or right leaf; a stage rejects when the sum is below its
  threshold − 1e-5;
* ``groupRectangles(minNeighbors, eps=0.2)``: similar rectangles are clustered and averaged, a
  cluster needs more than ``min_neighbors`` members, and small clusters inside bigger ones are
  dropped.

The vectorisation: at each scale, every window position is one column of NumPy arrays.  The
variance and the first stage see every window, so their rectangle sums come from strided
views of the integral image; later stages see only the survivors and gather 4 integral-image
corners per rectangle at their offsets.  Each stage evaluates all still-alive windows at once,
and the windows it rejects are gone before the next, larger stage — the cascade's early
rejection, batch-wise.  Differences from OpenCV: none seen on our tests' pictures (the same
windows pass every stage); in principle a compiler's fused multiply-add could round a
borderline feature differently in the last bit, and OpenCV's order of detections depends on
its threads (ours is fixed).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

U8Image = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # x, y, w, h

CASCADE_FILE = Path(__file__).with_name("data") / "haarcascade_frontalface_default.xml"
GROUP_EPS = 0.2  # detectMultiScale's grouping tolerance (cascadedetect.cpp GROUP_EPS)
_STAGE_EPS = np.float32(1e-5)  # cascadedetect.cpp THRESHOLD_EPS, subtracted from stage thresholds
# Strided views over the whole grid beat gathers while more than about half of its windows
# are still alive (measured with numpy 2.5: 1.5-6 all within 10 %; 12 is slower).
_GATHER_COST = 2
_MIN_WINDOW_STD = 0.1  # reject when area / √(area·Σx² − (Σx)²) ≥ 0.1, i.e. std ≤ 10 levels


@dataclass(frozen=True)
class Stage:
    """One boosted stage: ``n`` stumps over Haar features of two or three rectangles.  The
    rectangles are stored in blocks: every stump's first (rows ``0:n``), every stump's second
    (``n:2n``), then the third rectangles of the stumps listed in ``three``."""

    threshold: np.float32
    rects: npt.NDArray[np.int32]  # (K, 4): x, y, w, h inside the window
    weights: npt.NDArray[np.float32]  # (K,)
    three: npt.NDArray[np.intp]  # stumps with a third rectangle
    thresholds: npt.NDArray[np.float32]  # (n,)
    left: npt.NDArray[np.float64]  # (n,) leaf when the feature is below the threshold
    right: npt.NDArray[np.float64]  # (n,)


@dataclass(frozen=True)
class Cascade:
    width: int
    height: int
    stages: tuple[Stage, ...]


def _numbers(text: str | None) -> list[str]:
    return (text or "").split()


def load_cascade(path: Path = CASCADE_FILE) -> Cascade:
    """Parse an OpenCV (new-format, stump-based, HAAR) cascade XML file."""
    try:
        # Our own packaged model file, not untrusted input (hence no defusedxml).
        root = ET.parse(path).getroot()  # noqa: S314
    except ET.ParseError as exc:
        raise ValueError(f"{path.name}: not an XML file ({exc})") from exc
    node = root.find("cascade")
    if node is None or (node.findtext("featureType") or "").strip() != "HAAR":
        raise ValueError(f"{path.name}: not an OpenCV Haar cascade")
    width, height = int(node.findtext("width") or 0), int(node.findtext("height") or 0)
    features: list[tuple[list[list[int]], list[float]]] = []
    for feat in node.iterfind("features/_"):
        if (feat.findtext("tilted") or "0").strip() not in ("", "0"):
            raise ValueError(f"{path.name}: tilted features are not supported")
        rects: list[list[int]] = []
        weights: list[float] = []
        for r in feat.iterfind("rects/_"):
            x, y, w, h, wt = _numbers(r.text)
            rects.append([int(x), int(y), int(w), int(h)])
            weights.append(float(wt))
        features.append((rects, weights))
    stages: list[Stage] = []
    for st in node.iterfind("stages/_"):
        idx: list[int] = []
        thr: list[float] = []
        leaves: list[tuple[float, float]] = []
        for wc in st.iterfind("weakClassifiers/_"):
            nodes = _numbers(wc.findtext("internalNodes"))
            if len(nodes) != 4:
                raise ValueError(f"{path.name}: only stump cascades are supported")
            idx.append(int(nodes[2]))
            thr.append(float(nodes[3]))
            left, right = _numbers(wc.findtext("leafValues"))
            leaves.append((float(left), float(right)))
        leaf = np.array(leaves, np.float32).astype(np.float64)  # stored as float, summed in double
        if any(len(features[i][0]) not in (2, 3) for i in idx):
            raise ValueError(f"{path.name}: only two- and three-rectangle features are supported")
        three = [k for k, i in enumerate(idx) if len(features[i][0]) == 3]
        order = [(i, 0) for i in idx] + [(i, 1) for i in idx] + [(idx[k], 2) for k in three]
        stages.append(
            Stage(
                threshold=np.float32(float(st.findtext("stageThreshold") or 0)) - _STAGE_EPS,
                rects=np.array([features[i][0][r] for i, r in order], np.int32),
                weights=np.array([features[i][1][r] for i, r in order], np.float32),
                three=np.array(three, np.intp),
                thresholds=np.array(thr, np.float32),
                left=leaf[:, 0],
                right=leaf[:, 1],
            )
        )
    if not stages or width <= 2 or height <= 2:
        raise ValueError(f"{path.name}: empty cascade")
    return Cascade(width, height, tuple(stages))


@functools.cache
def frontal_face_cascade() -> Cascade:
    return load_cascade(CASCADE_FILE)


# ----------------------------------------------------------------------- image helpers


def rgb_to_grey(frame: U8Image) -> U8Image:
    """OpenCV's ``COLOR_RGB2GRAY`` for 8-bit pictures: BT.601 weights in 15-bit fixed point
    (bit-exact with OpenCV 4)."""
    f = frame.astype(np.int32)
    y = f[..., 0] * 9798 + f[..., 1] * 19235 + f[..., 2] * 3735 + (1 << 14)
    return (y >> 15).astype(np.uint8)


def _area_weights(n_in: int, n_out: int) -> npt.NDArray[np.float64]:
    """(n_out, n_in) overlap of each output pixel's footprint with each input pixel."""
    edges = np.arange(n_out + 1, dtype=np.float64) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    pix = np.arange(n_in, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, pix + 1) - np.maximum(lo, pix), 0.0, None)
    return np.asarray(overlap / (n_in / n_out), np.float64)


def resize_area(grey: U8Image, width: int, height: int) -> U8Image:
    """Shrink by pixel-area averaging (like OpenCV's ``INTER_AREA``): no aliasing."""
    h, w = grey.shape
    if (w, h) == (width, height):
        return grey.copy()
    out = _area_weights(h, height) @ grey.astype(np.float64) @ _area_weights(w, width).T
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _linear_taps(n_in: int, n_out: int) -> tuple[npt.NDArray[np.intp], ...]:
    """Source pixels and 8-bit fixed-point weights of a pixel-centre-aligned linear resize
    along one axis; outside the picture the edge pixel is repeated."""
    pos = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    i0 = np.floor(pos).astype(np.intp)
    w1 = np.rint((pos - i0) * 256).astype(np.intp)
    w1[(i0 < 0) | (i0 >= n_in - 1)] = 0
    i0 = np.clip(i0, 0, n_in - 1)
    return i0, np.minimum(i0 + 1, n_in - 1), 256 - w1, w1


def resize_bilinear(grey: U8Image, width: int, height: int) -> U8Image:
    """Bilinear resize, as OpenCV's ``INTER_LINEAR_EXACT`` (which its cascade detector uses to
    shrink the picture per scale): 8-bit fixed-point weights per axis, one rounding at the
    end.  Bit-exact with OpenCV 4.14 on our tests' pictures."""
    h, w = grey.shape
    if (w, h) == (width, height):
        return grey.copy()
    y0, y1, b0, b1 = _linear_taps(h, height)
    x0, x1, a0, a1 = _linear_taps(w, width)
    g = grey.astype(np.int32)
    top, bottom = g[y0], g[y1]
    row0 = top[:, x0] * a0 + top[:, x1] * a1  # 8 fraction bits
    row1 = bottom[:, x0] * a0 + bottom[:, x1] * a1
    acc = np.asarray(row0 * b0[:, None] + row1 * b1[:, None], np.int64)  # 16 fraction bits
    return np.asarray((acc + (1 << 15)) >> 16, np.uint8)


def equalize_hist(grey: U8Image) -> U8Image:
    """Histogram equalisation by the cumulative distribution, as OpenCV's ``equalizeHist``:
    the darkest occupied level maps to 0, the others to ``round(255·(cdf − h₀)/(N − h₀))``."""
    hist = np.bincount(grey.ravel(), minlength=256)
    occupied = np.flatnonzero(hist)
    if occupied.size == 0:
        return grey.copy()
    first = int(occupied[0])
    total = int(grey.size)
    if hist[first] == total:  # a single grey level: nothing to spread
        return np.full_like(grey, first)
    scale = np.float32(255.0 / (total - int(hist[first])))
    cdf = np.cumsum(hist) - hist[first]
    lut = np.clip(np.rint(cdf.astype(np.float32) * scale), 0, 255).astype(np.uint8)
    lut[: first + 1] = 0
    return np.asarray(lut[grey], np.uint8)


# ----------------------------------------------------------------------- detection


def _integrals(img: U8Image) -> tuple[npt.NDArray[np.integer], npt.NDArray[np.int64]]:
    """Sum and squared-sum integral images, (h+1) x (w+1), zero first row and column.  The sum
    is int32 when it fits (half the memory traffic in the gathers below)."""
    h, w = img.shape
    dtype = np.int32 if h * w * 255 < 2**31 else np.int64
    s = np.zeros((h + 1, w + 1), dtype)
    sq = np.zeros((h + 1, w + 1), np.int64)
    v = img.astype(np.int64)
    s[1:, 1:] = v.cumsum(0).cumsum(1)
    sq[1:, 1:] = (v * v).cumsum(0).cumsum(1)
    return s, sq


def _corner_offsets(rects: npt.NDArray[np.int32], stride: int) -> npt.NDArray[np.int64]:
    """Flat integral-image offsets of rects given as (..., 4) x, y, w, h, relative to the
    window's top-left corner: (4, ...) top-left, top-right, bottom-left, bottom-right."""
    r = rects.astype(np.int64)
    x, y, w, h = r[..., 0], r[..., 1], r[..., 2], r[..., 3]
    top, bottom = y * stride, (y + h) * stride
    return np.stack([top + x, top + x + w, bottom + x, bottom + x + w])


def _rect_sums(
    flat: npt.NDArray[np.integer], base: npt.NDArray[np.int64], ofs: npt.NDArray[np.int64]
) -> npt.NDArray[np.integer]:
    """Rectangle sums, (..., N), of rects with corner offsets ``ofs`` (4, ...) for the windows
    at flat offsets ``base`` (N,).  Windows last: the reductions below then run over whole
    contiguous rows."""
    c = flat.take(ofs.reshape(ofs.shape + (1,) * base.ndim) + base)
    return np.asarray((c[0] - c[1]) - (c[2] - c[3]))


def _grid_rect_sums(
    integral: npt.NDArray[np.integer], rects: npt.NDArray[np.int32], ny: int, nx: int, step: int
) -> npt.NDArray[np.integer]:
    """Rectangle sums, (K, ny*nx), for *every* window of the grid (top-left corners every
    ``step`` pixels): strided views of the integral image instead of gathers, for the stages
    that see all windows."""
    out = np.empty((len(rects), ny, nx), integral.dtype)
    dy, dx = (ny - 1) * step + 1, (nx - 1) * step + 1
    for k, (x, y, w, h) in enumerate(rects.tolist()):
        top, bottom = integral[y : y + dy : step], integral[y + h : y + h + dy : step]
        np.subtract(top[:, x : x + dx : step], top[:, x + w : x + w + dx : step], out=out[k])
        out[k] -= bottom[:, x : x + dx : step]
        out[k] += bottom[:, x + w : x + w + dx : step]
    return out.reshape(len(rects), ny * nx)


def _stage_pass(
    stage: Stage, sums: npt.NDArray[np.integer], norm: npt.NDArray[np.float32]
) -> npt.NDArray[np.bool_]:
    """Which windows this stage lets through, from its rectangle sums (K, N) and the windows'
    variance norms (N,)."""
    # float32 as OpenCV: w0·s0 + w1·s1 (+ w2·s2), summed in that order per stump, then times
    # the window's norm.  (This cascade's weights are -1, 2 and 3: every step is exact.)
    weighted = sums.astype(np.float32) * stage.weights[:, None]
    n = stage.thresholds.size
    value = weighted[:n] + weighted[n : 2 * n]  # (n, N)
    value[stage.three] += weighted[2 * n :]
    value *= norm
    below = value < stage.thresholds[:, None]
    votes = np.where(below, stage.left[:, None], stage.right[:, None]).sum(axis=0)
    return np.asarray(votes >= stage.threshold, np.bool_)


def _scan_scale(cascade: Cascade, img: U8Image, step: int) -> tuple[npt.NDArray[np.intp], ...]:
    """Window positions (ys, xs) in ``img`` that pass every stage."""
    h, w = img.shape
    ww, wh = cascade.width, cascade.height
    ys = np.arange(0, h - wh + 1, step)
    xs = np.arange(0, w - ww + 1, step)
    empty = np.zeros(0, np.intp)
    if ys.size == 0 or xs.size == 0:
        return empty, empty
    ny, nx = ys.size, xs.size
    s, sq = _integrals(img)

    # Variance normalisation over the inner (ww-2) x (wh-2) rectangle, for every window.
    inner = np.array([[1, 1, ww - 2, wh - 2]], np.int32)
    area = float((ww - 2) * (wh - 2))
    vsum = _grid_rect_sums(s, inner, ny, nx, step)[0].astype(np.float64)
    vsq = _grid_rect_sums(sq, inner, ny, nx, step)[0].astype(np.float64)
    nf = area * vsq - vsum * vsum
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(nf > 0, 1.0 / np.sqrt(nf), 1.0).astype(np.float32)
    textured = (nf > 0) & (area * norm.astype(np.float64) < _MIN_WINDOW_STD)

    # Stage 0 on every window (the flat ones are out anyway); OpenCV then skips the position
    # right after a textured window that stage 0 rejected: a scan along each row, vectorised
    # over the rows.
    first = _stage_pass(
        cascade.stages[0], _grid_rect_sums(s, cascade.stages[0].rects, ny, nx, step), norm
    )
    first = (first & textured).reshape(ny, nx)
    rejected0 = textured.reshape(ny, nx) & ~first
    visited = np.ones((ny, nx), np.bool_)
    for k in range(1, nx):
        visited[:, k] = ~(visited[:, k - 1] & rejected0[:, k - 1])
    alive = np.flatnonzero(visited & first)

    # The later stages only see the survivors: while they are many, strided views over the
    # whole grid are cheaper than gathers; then gathers at flat integral-image offsets.
    stride = w + 1
    flat = s.ravel()
    base = ((ys[:, None] * stride + xs[None, :]).astype(np.int64)).ravel()
    for stage in cascade.stages[1:]:
        if alive.size == 0:
            break
        if alive.size * _GATHER_COST > ny * nx:
            sums = _grid_rect_sums(s, stage.rects, ny, nx, step)[:, alive]
        else:
            sums = _rect_sums(flat, base[alive], _corner_offsets(stage.rects, stride))
        alive = alive[_stage_pass(stage, sums, norm[alive])]
    return ys[alive // nx], xs[alive % nx]


def _cv_round(v: npt.ArrayLike) -> npt.NDArray[np.int64]:
    return np.rint(v).astype(np.int64)  # cvRound: nearest, ties to even


def _similar(r: npt.NDArray[np.int64], eps: float) -> npt.NDArray[np.bool_]:
    """OpenCV's SimilarRects for all pairs: every edge within eps·(mean of min sizes)."""
    x, y, w, h = (r[:, i : i + 1].astype(np.float64) for i in range(4))
    delta = eps * (np.minimum(w, w.T) + np.minimum(h, h.T)) * 0.5
    return np.asarray(
        (np.abs(x - x.T) <= delta)
        & (np.abs(y - y.T) <= delta)
        & (np.abs(x + w - x.T - w.T) <= delta)
        & (np.abs(y + h - y.T - h.T) <= delta),
        np.bool_,
    )


def group_rectangles(
    rects: npt.NDArray[np.int64], min_neighbors: int, eps: float = GROUP_EPS
) -> list[tuple[Box, int]]:
    """OpenCV's ``groupRectangles``: clusters (transitive closure of "similar"), averaged; a
    cluster needs more than ``min_neighbors`` members; a cluster inside a stronger one is
    dropped.  Returns (box, members)."""
    if len(rects) == 0:
        return []
    if min_neighbors <= 0:
        return [((int(a), int(b), int(c), int(d)), 1) for a, b, c, d in rects]
    n = len(rects)
    adj = _similar(rects, eps)
    labels = np.full(n, -1, np.intp)
    n_classes = 0
    for i in range(n):  # connected components (clusters are few and small)
        if labels[i] >= 0:
            continue
        labels[i] = n_classes
        todo = [i]
        while todo:
            j = todo.pop()
            for k in np.flatnonzero(adj[j] & (labels < 0)):
                labels[k] = n_classes
                todo.append(int(k))
        n_classes += 1
    counts = np.bincount(labels, minlength=n_classes)
    sums = np.zeros((n_classes, 4), np.int64)
    np.add.at(sums, labels, rects)
    inv = (np.float32(1.0) / counts.astype(np.float32))[:, None]
    avg = _cv_round(sums.astype(np.float32) * inv)  # saturate_cast<int>(sum · (1.f/n))
    out: list[tuple[Box, int]] = []
    for i in range(n_classes):
        n1 = int(counts[i])
        if n1 <= min_neighbors:
            continue
        x1, y1, w1, h1 = (int(v) for v in avg[i])
        inside = False
        for j in range(n_classes):  # drop small face boxes inside big ones
            n2 = int(counts[j])
            if j == i or n2 <= min_neighbors:
                continue
            x2, y2, w2, h2 = (int(v) for v in avg[j])
            dx, dy = round(w2 * eps), round(h2 * eps)
            if (
                x1 >= x2 - dx
                and y1 >= y2 - dy
                and x1 + w1 <= x2 + w2 + dx
                and y1 + h1 <= y2 + h2 + dy
                and (n2 > max(3, n1) or n1 < 3)
            ):
                inside = True
                break
        if not inside:
            out.append(((x1, y1, w1, h1), n1))
    return out


def candidate_windows(
    grey: U8Image,
    scale_factor: float = 1.1,
    min_size: tuple[int, int] = (0, 0),
    max_size: tuple[int, int] = (0, 0),
    cascade: Cascade | None = None,
) -> npt.NDArray[np.int64]:
    """All windows that pass the cascade, before grouping, as (n, 4) x, y, w, h."""
    if grey.ndim != 2 or grey.dtype != np.uint8:
        raise ValueError("expected an 8-bit single-channel picture")
    if scale_factor <= 1:
        raise ValueError("scale_factor must be > 1")
    c = cascade or frontal_face_cascade()
    h, w = grey.shape
    max_w, max_h = max_size if max_size[0] and max_size[1] else (w, h)
    found: list[npt.NDArray[np.int64]] = []
    factor = 1.0
    while True:
        win_w, win_h = round(c.width * factor), round(c.height * factor)
        if win_w > max_w or win_h > max_h or win_w > w or win_h > h:
            break
        if win_w >= min_size[0] and win_h >= min_size[1]:
            sc = np.float32(factor)  # OpenCV keeps the scale as float
            size_w = int(_cv_round(np.float32(w) / sc))
            size_h = int(_cv_round(np.float32(h) / sc))
            small = resize_bilinear(grey, size_w, size_h)
            ys, xs = _scan_scale(c, small, 1 if sc >= 2 else 2)
            if ys.size:
                win = _cv_round(np.float32(c.width) * sc), _cv_round(np.float32(c.height) * sc)
                boxes = np.empty((ys.size, 4), np.int64)
                boxes[:, 0] = _cv_round(xs.astype(np.float32) * sc)
                boxes[:, 1] = _cv_round(ys.astype(np.float32) * sc)
                boxes[:, 2], boxes[:, 3] = win
                found.append(boxes)
        factor *= scale_factor
    return np.concatenate(found) if found else np.zeros((0, 4), np.int64)


def detect_multiscale(
    grey: U8Image,
    scale_factor: float = 1.1,
    min_neighbors: int = 3,
    min_size: tuple[int, int] = (0, 0),
    max_size: tuple[int, int] = (0, 0),
    cascade: Cascade | None = None,
) -> list[Box]:
    """Faces in an 8-bit grey picture, like ``cv2.CascadeClassifier.detectMultiScale``."""
    windows = candidate_windows(grey, scale_factor, min_size, max_size, cascade)
    h, w = grey.shape
    boxes: list[Box] = []
    for (x, y, bw, bh), _n in group_rectangles(windows, min_neighbors):
        # clipObjects: keep the part inside the picture, drop boxes with nothing inside
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + bw, w), min(y + bh, h)
        if x1 > x0 and y1 > y0:
            boxes.append((x0, y0, x1 - x0, y1 - y0))
    return boxes
