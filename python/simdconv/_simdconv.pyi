"""The compiled half of simdconv (Rust, PyO3). Internal: use the package's
public functions, which check arguments as SciPy does."""

from typing import Literal, Optional

import numpy as np
import numpy.typing as npt

_Mode = Literal["full", "same", "valid"]
_Border = Literal["constant", "wrap", "symmetric", "mirror", "replicate"]
_Array = npt.NDArray[np.float32] | npt.NDArray[np.float64] | npt.NDArray[np.int32] | npt.NDArray[np.int64]

class Prepared:
    def __init__(
        self,
        kernel: _Array,
        correlate: bool,
        mode: _Mode,
        border: _Border,
        fill: float | int,
        backend: Optional[str],
        threads: int,
        low_rank: bool,
        method: Literal["direct", "separable", "fft", "auto"],
        rounding: Literal["separate", "fused"],
    ) -> None: ...
    def apply(self, image: _Array, out: Optional[_Array] = None) -> _Array: ...
    def output_shape(self, image: tuple[int, int]) -> tuple[int, int]: ...
    def low_rank_terms(self) -> Optional[int]: ...
    def resolved_backend(self) -> str: ...

def filter2d(
    image: _Array,
    kernel: _Array,
    correlate: bool,
    mode: _Mode,
    border: _Border,
    fill: float | int,
    out: Optional[_Array] = None,
) -> _Array: ...
def source_indices(border: _Border, start: int, stop: int, length: int) -> npt.NDArray[np.int64]: ...
def available_backends() -> list[str]: ...
def detect_backend() -> str: ...
