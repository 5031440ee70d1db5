"""The compiled half of simdconv (Rust, PyO3). Internal: use the package's
public functions, which check arguments as SciPy does."""

from typing import Literal, Optional

import numpy as np
import numpy.typing as npt

# Names the crate's FromStr parses (any case); the Python layer passes these.
_Operation = Literal["convolution", "correlation"]
_Mode = Literal["full", "same", "valid"]
_Border = Literal["constant", "fill", "wrap", "symmetric", "symm", "reflect", "mirror", "replicate", "nearest"]
_Array = npt.NDArray[np.float32] | npt.NDArray[np.float64] | npt.NDArray[np.int32] | npt.NDArray[np.int64]
_PixelDType = Literal["uint8", "uint16", "int16"]
_Pixels = npt.NDArray[np.uint8] | npt.NDArray[np.uint16] | npt.NDArray[np.int16]
_Taps = npt.NDArray[np.int16] | npt.NDArray[np.int32]

class Prepared:
    def __init__(
        self,
        kernel: _Array,
        operation: _Operation,
        mode: _Mode,
        border: _Border,
        fill: float | int,
        backend: Optional[str],
        threads: int,
        low_rank: bool,
        method: Literal["direct", "separable", "fft", "auto"],
        rounding: Literal["separate", "fused"],
    ) -> None: ...
    @staticmethod
    def pixels(
        kernel: _Taps,
        image_dtype: _PixelDType,
        output_dtype: _PixelDType,
        operation: _Operation,
        mode: _Mode,
        border: _Border,
        fill: int,
        preset: Literal["scipy-signal", "scipy-ndimage", "opencv"],
        backend: Optional[str],
        threads: int,
    ) -> Prepared: ...
    @staticmethod
    def gaussian_opencv(
        image_dtype: Literal["uint8", "uint16"],
        ksize: tuple[int, int],
        sigma_x: float,
        sigma_y: float,
        border: _Border,
        backend: Optional[str],
        threads: int,
    ) -> Prepared: ...
    @staticmethod
    def derivative_opencv(
        dx: int, dy: int, ksize: int, delta: float, border: _Border, backend: Optional[str], threads: int
    ) -> Prepared: ...
    def apply(self, image: _Array | _Pixels, out: Optional[_Array | _Pixels] = None) -> _Array | _Pixels: ...
    def output_shape(self, image: tuple[int, int]) -> tuple[int, int]: ...
    def low_rank_terms(self) -> Optional[int]: ...
    def accumulator(self) -> Optional[Literal["i16", "i32", "i64"]]: ...
    def kernel_shape(self) -> Optional[tuple[int, int]]: ...
    def resolved_backend(self) -> str: ...

def filter2d(
    image: _Array,
    kernel: _Array,
    operation: _Operation,
    mode: _Mode,
    border: _Border,
    fill: float | int,
    out: Optional[_Array] = None,
) -> _Array: ...
def pixel_filter2d(
    image: _Pixels,
    kernel: _Taps,
    output_dtype: _PixelDType,
    operation: _Operation,
    mode: _Mode,
    border: _Border,
    fill: int,
    preset: Literal["scipy-signal", "scipy-ndimage", "opencv"],
    out: Optional[_Pixels] = None,
) -> _Pixels: ...
def parse_border(name: str) -> Literal["fill", "wrap", "symm", "mirror", "nearest"]: ...
def source_indices(border: _Border, start: int, stop: int, length: int) -> npt.NDArray[np.int64]: ...
def available_backends() -> list[str]: ...
def detect_backend() -> str: ...
