"""The map figure's number arrays as numpy, whatever form the server sent them in."""

import base64

import numpy as np


def decode(array) -> np.ndarray:
    """A plain list (None as NaN), a plotly.js typed array ({dtype, bdata}) or the WebGL engine's compact form
    ({dtype, bdata, decimals}: bytes in planes, whole numbers of 10^-decimals, the dtype's least number missing) as
    floats."""
    if not isinstance(array, dict):
        return np.asarray([np.nan if x is None else x for x in array], dtype=float)
    raw = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.uint8)
    dtype = np.dtype(array["dtype"]).newbyteorder("<")
    if "decimals" not in array:
        return raw.view(dtype).astype(float)
    whole = raw.reshape(dtype.itemsize, -1).T.copy().view(dtype).ravel()
    return np.where(whole == np.iinfo(dtype).min, np.nan, whole / 10.0 ** array["decimals"])
