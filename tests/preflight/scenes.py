"""Lighting scenes: real-portrait variants (skimage's astronaut, shipped in the wheel) and
generated rooms. Nothing is downloaded; nothing is written unless a test asks."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import skimage.data


@functools.cache
def portrait() -> np.ndarray:
    return skimage.data.astronaut()  # 512x512 RGB, a real studio portrait


def _masks() -> tuple[np.ndarray, np.ndarray]:
    """Soft masks of the face (skin) and of the person (head + torso) in the portrait."""
    img = portrait()
    h_img, w_img = img.shape[:2]
    x, y, w, h = 177, 67, 93, 93  # OpenCV's face box on this portrait
    yy, xx = np.mgrid[:h_img, :w_img]
    cx, cy = x + w / 2, y + h / 2 + h * 0.1
    face = (((xx - cx) / (w * 0.62)) ** 2 + ((yy - cy) / (h * 0.75)) ** 2) <= 1
    face_soft = cv2.GaussianBlur(face.astype(np.float32), (31, 31), 10)[..., None]
    head = (((xx - cx) / (w * 0.75)) ** 2 + ((yy - (y + h / 2)) / (h * 0.85)) ** 2) <= 1
    torso = (np.abs(xx - cx) < w * 1.9) & (yy > y + h * 0.9)
    person = cv2.GaussianBlur((head | torso).astype(np.float32), (41, 41), 15)[..., None]
    return face_soft, person


def _u8(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 255).astype(np.uint8)


def good() -> np.ndarray:
    return portrait().copy()


def dark_skin_good_light() -> np.ndarray:
    """The same portrait with deep-brown skin, lit as well as before: only the skin's
    reflectance changes (per-channel, warmer), the light and the background do not."""
    face, _ = _masks()
    f = portrait().astype(np.float32)
    skin = f * np.array([0.42, 0.36, 0.33], np.float32)
    return _u8(skin * face + f * (1 - face))


def too_dark() -> np.ndarray:
    return _u8(portrait().astype(np.float32) * 0.12)


def backlit() -> np.ndarray:
    """A bright window behind: the person is underexposed, the background near white."""
    _, person = _masks()
    f = portrait().astype(np.float32)
    return _u8(f * 0.3 * person + (255 - (255 - f) * 0.12) * (1 - person))


def overexposed() -> np.ndarray:
    return _u8(portrait().astype(np.float32) * 2.6 + 40)


def no_face() -> np.ndarray:
    return portrait()[300:, 250:].copy()  # the helmet and the suit, no face


def generated_room(level: float, seed: int = 0) -> np.ndarray:
    """An empty room (no face): walls, a door and sensor noise at mean luma ``level``."""
    rng = np.random.default_rng(seed)
    img = np.full((480, 640), level, np.float32)
    img[100:420, 400:520] = level * 0.7  # a door
    img[:40, :] = level * 1.1  # ceiling
    img += rng.normal(0, 2, img.shape)
    return np.repeat(_u8(img)[:, :, None], 3, axis=2)
