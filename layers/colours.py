"""Colour-blind safety of the layers' colour scales and class colours: the approved palettes and the check behind them.

The check simulates protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1, applied in
linear sRGB) and measures colour differences in CIELAB (CIE76 ΔE*ab, D65). A sequential scale must stay monotonic in
lightness under every simulation; a diverging scale must keep its two arms apart; the classes of a categorical layer must
stay at least `MIN_CLASS_DELTA_E` apart from each other and from the grey of "not shown".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Sequential scales (single hue or lightness-monotonic multi-hue; ColorBrewer marks all of them colour-blind safe) and
# perceptually uniform ones (viridis family, cividis). "_r" variants are approved with their scale.
SEQUENTIAL = ("Viridis", "Cividis", "Plasma", "Inferno", "Magma", "Blues", "Greens", "Greys", "Oranges", "Purples", "YlGnBu",
              "YlOrRd", "YlOrBr", "OrRd", "YlGn", "GnBu", "PuBu", "BuPu", "BuGn")
# Diverging scales whose two ends stay apart under all three simulations: purple–orange, purple–green, red–yellow–blue (RdBu,
# BrBG and the red–green ones lose much of their end-to-end contrast under protanopia or deuteranopia, see docs/accessibility.md).
DIVERGING = ("PuOr", "PRGn", "RdYlBu")
# Okabe & Ito (2008): eight colours distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
# Neutral greys for "no class" / "not significant" (no hue, so no colour vision needed to tell them from the colours).
NEUTRAL = ("#D9D9D9", "#F0F0F0", "#BDBDBD", "#FFFFFF")
CLASS_COLOURS = tuple(OKABE_ITO.values()) + NEUTRAL
MIN_CLASS_DELTA_E = 10.0  # ΔE*ab between any two classes of a layer, under every simulation
MIN_ARM_DELTA_E = 40.0  # ΔE*ab between the two ends of a diverging scale, under every simulation
VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")

_MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def parse_colour(colour: str) -> np.ndarray:
    """'#rrggbb' or 'rgb(r, g, b)' → sRGB in [0, 1] (shape (3,)).

    >>> parse_colour("#ff8000").round(3).tolist()
    [1.0, 0.502, 0.0]
    """
    c = colour.strip()
    if c.startswith("#"):
        return np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255
    if c.startswith("rgb"):
        return np.array([float(x) for x in c[c.index("(") + 1:c.index(")")].split(",")[:3]]) / 255
    raise ValueError(f"not a colour: {colour!r}")


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def simulate(srgb: np.ndarray, vision: str) -> np.ndarray:
    """sRGB colours (…, 3) as seen with a colour-vision deficiency (Machado et al. 2009, severity 1), returned as linear RGB."""
    return np.clip(_linear(np.asarray(srgb, dtype=float)) @ _MACHADO[vision].T, 0, 1)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    """Linear RGB (…, 3) → CIELAB (D65).

    >>> (lab(np.array([1.0, 1.0, 1.0])).round(1) + 0.0).tolist()  # + 0.0: white's a* comes out as −0.0
    [100.0, 0.0, 0.0]
    """
    xyz = np.asarray(linear_rgb, dtype=float) @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def seen(colours: list[str], vision: str) -> np.ndarray:
    """CIELAB of the colours as seen with `vision` (shape (n, 3))."""
    return lab(simulate(np.array([parse_colour(c) for c in colours]), vision))


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIE76 colour difference ΔE*ab (Euclidean distance in CIELAB)."""
    return np.linalg.norm(np.asarray(a) - np.asarray(b), axis=-1)


def base_name(scale: str) -> str:
    return scale[:-2] if scale.endswith("_r") else scale


@lru_cache(maxsize=64)
def scale_colours(scale: str, n: int = 11) -> tuple[str, ...]:
    """`n` colours sampled evenly along a named Plotly scale (low → high)."""
    from plotly.colors import get_colorscale, sample_colorscale

    return tuple(sample_colorscale(get_colorscale(scale), list(np.linspace(0, 1, n)), colortype="rgb"))


@dataclass(frozen=True)
class ScaleCheck:
    """Result of checking one colour scale or class palette under the four visions."""

    name: str
    kind: str  # "sequential", "diverging" or "classes"
    approved: bool  # the scale or every class colour is in the approved set
    passed: bool  # the measured criterion holds under every vision
    worst: float  # sequential: smallest lightness step (L*) between neighbours; diverging: smallest ΔE between the ends;
    #               classes: smallest ΔE between two classes or a class and the "not shown" grey
    worst_vision: str

    @property
    def ok(self) -> bool:
        return self.approved and self.passed


def check_scale(scale: str, midpoint: float | None = None) -> ScaleCheck:
    """Check a continuous scale: sequential when `midpoint` is None, otherwise diverging."""
    colours = list(scale_colours(scale))
    if midpoint is None:
        steps = {v: np.diff(seen(colours, v)[:, 0]) for v in VISIONS}
        # monotonic lightness in one direction: the smallest step in the scale's own direction
        worst = {v: float(np.min(s * np.sign(s.sum()))) for v, s in steps.items()}
        vision = min(worst, key=worst.get)
        return ScaleCheck(scale, "sequential", base_name(scale) in SEQUENTIAL, worst[vision] > 0, round(worst[vision], 2), vision)
    ends = {v: float(delta_e(*seen([colours[0], colours[-1]], v))) for v in VISIONS}
    vision = min(ends, key=ends.get)
    return ScaleCheck(scale, "diverging", base_name(scale) in DIVERGING, ends[vision] >= MIN_ARM_DELTA_E, round(ends[vision], 1), vision)


def check_classes(name: str, colours: list[str], not_shown: str = "#c8c8c8") -> ScaleCheck:
    """Check the class colours of a categorical layer: pairwise apart (and apart from the "not shown" grey) under every vision."""
    approved = all(c.upper() in CLASS_COLOURS for c in colours)
    worst, vision = np.inf, "normal"
    for v in VISIONS:
        pts = seen(colours + [not_shown], v)
        d = delta_e(pts[:, None, :], pts[None, :, :])
        d[np.diag_indices_from(d)] = np.inf
        if d.min() < worst:
            worst, vision = float(d.min()), v
    return ScaleCheck(name, "classes", approved, worst >= MIN_CLASS_DELTA_E, round(worst, 1), vision)


def check_layer(spec) -> ScaleCheck:
    """The check that applies to a layer: its classes when it has any, otherwise its continuous scale."""
    if spec.categories:
        return check_classes(spec.id, [c.colour for c in spec.categories])
    return check_scale(spec.colorscale, spec.midpoint)


def min_contrast_against(colour: str, colours: list[str]) -> tuple[float, str]:
    """Smallest ΔE between one overlay colour and a set of fill colours over the four visions (and that vision)."""
    worst, vision = np.inf, "normal"
    for v in VISIONS:
        d = float(delta_e(seen([colour], v), seen(colours, v)).min())
        if d < worst:
            worst, vision = d, v
    return round(worst, 1), vision
