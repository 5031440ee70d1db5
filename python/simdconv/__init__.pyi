"""Type stub of simdconv's public API (the implementation is _core.py and
the compiled _simdconv)."""

from typing import Any, Literal, Optional, Union

import numpy as np
import numpy.typing as npt

__version__: str

Mode = Literal["full", "same", "valid"]
Boundary = Literal["fill", "pad", "wrap", "circular", "symm", "symmetric"]
Border = Literal[
    "fill", "pad", "constant", "grid-constant",
    "wrap", "circular", "grid-wrap",
    "symm", "symmetric", "reflect", "grid-mirror",
    "mirror",
    "nearest", "replicate",
]
Operation = Literal["convolution", "correlation"]
# gaussian_blur / sobel / scharr: the names above (any case), OpenCV's
# (with or without "BORDER_"), or a cv2.BORDER_* constant (0 to 4).
OpenCVBorder = Union[
    Border,
    Literal[
        "reflect101", "reflect_101", "default", "reflect", "replicate", "constant", "wrap",
        "BORDER_REFLECT_101", "BORDER_DEFAULT", "BORDER_REFLECT", "BORDER_REPLICATE",
        "BORDER_CONSTANT", "BORDER_WRAP",
    ],
    str,
    int,
]

SUPPORTED_DTYPES: tuple[str, ...]

class UnsupportedDTypeError(TypeError, ValueError): ...

def convolve2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: Mode = "full",
    boundary: Boundary = "fill",
    fillvalue: Any = 0,
    *,
    out: Optional[np.ndarray] = None,
) -> np.ndarray: ...
def correlate2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: Mode = "full",
    boundary: Boundary = "fill",
    fillvalue: Any = 0,
    *,
    out: Optional[np.ndarray] = None,
) -> np.ndarray: ...
def gaussian_blur(
    img: npt.ArrayLike,
    ksize: Union[int, tuple[int, int]],
    sigma_x: float,
    sigma_y: float = 0,
    border: OpenCVBorder = "reflect101",
    *,
    threads: Optional[int] = None,
    out: Optional[np.ndarray] = None,
) -> Union[npt.NDArray[np.uint8], npt.NDArray[np.uint16]]: ...
def sobel(
    img: npt.ArrayLike,
    dx: int,
    dy: int,
    ksize: int = 3,
    border: OpenCVBorder = "reflect101",
    *,
    delta: int = 0,
    threads: Optional[int] = None,
    out: Optional[npt.NDArray[np.int16]] = None,
) -> npt.NDArray[np.int16]: ...
def scharr(
    img: npt.ArrayLike,
    dx: int,
    dy: int,
    border: OpenCVBorder = "reflect101",
    *,
    delta: int = 0,
    threads: Optional[int] = None,
    out: Optional[npt.NDArray[np.int16]] = None,
) -> npt.NDArray[np.int16]: ...
def available_backends() -> list[str]: ...
def detect_backend() -> str: ...

class Filter2d:
    operation: Operation
    mode: Mode
    border: Border
    fillvalue: Any
    backend: Optional[str]
    threads: Optional[int]
    low_rank: bool
    method: Literal["direct", "separable", "fft", "auto"]
    rounding: Literal["separate", "fused"]
    def __init__(
        self,
        kernel: npt.ArrayLike,
        operation: Operation = "convolution",
        mode: Mode = "full",
        border: Border = "fill",
        fillvalue: Any = 0,
        *,
        backend: Optional[str] = None,
        threads: Optional[int] = None,
        low_rank: bool = True,
        method: Literal["direct", "separable", "fft", "auto"] = "direct",
        rounding: Literal["separate", "fused"] = "separate",
        cval: Any = None,
    ) -> None: ...
    @property
    def kernel(self) -> np.ndarray: ...
    def output_shape(self, image_shape: tuple[int, int]) -> tuple[int, int]: ...
    def low_rank_terms(self, dtype: Union[npt.DTypeLike, None] = None) -> Optional[int]: ...
    def accumulator(self, dtype: Union[npt.DTypeLike, None] = None) -> Optional[Literal["i16", "i32", "i64"]]: ...
    def resolved_backend(self) -> str: ...
    def apply(self, image: npt.ArrayLike, out: Optional[np.ndarray] = None) -> np.ndarray: ...
    def __call__(self, image: npt.ArrayLike, out: Optional[np.ndarray] = None) -> np.ndarray: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
