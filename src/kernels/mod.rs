//! Row kernels: the inner filter loop over contiguous padded rows.
//!
//! # The contract every backend implements
//!
//! A [`RowKernel`] computes a block of consecutive output rows:
//!
//! ```text
//! out[y][x] = sum over i in 0..kh, j in 0..kw of taps[i * kw + j] * rows[y + i][x + j]
//! ```
//!
//! for `y in 0..out.len()` and `x in 0..width`, where `width` is the length
//! of every output row and `rows.len() == out.len() + kh - 1`. `taps` is the
//! *effective* kernel (already flipped for convolution), packed once as a
//! [`Taps`]. The rows
//! are padded input rows: the border has already been applied, so a kernel
//! never tests a border and never walks a stride.
//!
//! The accumulation order is the definition of the results' bits: for each
//! output, `acc = 0`, then `acc = acc + taps[t] * x_t` for `t = 0, 1, ...`
//! in row-major tap order (kernel rows top to bottom, taps
//! left to right), every product rounded before its sum, integers wrapping.
//! Every backend reproduces this exactly.
//!
//! Every input row holds at least `width + kw - 1 + ROW_SLACK` elements: a
//! vector kernel may load whole vectors past the last sample it needs, and
//! whatever it finds there only reaches outputs it does not store.

pub(crate) mod scalar;
pub(crate) mod taps;

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod x86;

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;

#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) mod blocked;
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) mod running;
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) mod vector;

use crate::backend::Backend;
pub(crate) use taps::Taps;

/// Elements of slack after each padded row: the widest vector's lanes
/// (16 `f32` in a 512-bit register; every kernel asserts its own fits).
pub(crate) const ROW_SLACK: usize = 16;

/// Computes `out.len()` output rows from `out.len() + kh - 1` padded rows
/// (see the module documentation for the exact contract).
pub type RowKernel<T> = fn(rows: &[&[T]], taps: &Taps<T>, out: &mut [&mut [T]]);

/// Checks the contract at a kernel's edge, so its inner loop needs no
/// checks; returns the output width. A violation is a bug in the pipeline.
#[inline]
pub(crate) fn check_block<T>(rows: &[&[T]], taps: &Taps<T>, out: &[&mut [T]]) -> usize {
    let (kh, kw) = (taps.rows(), taps.cols());
    assert!(
        !out.is_empty() && kh > 0 && kw > 0,
        "row kernel: empty block"
    );
    assert_eq!(
        rows.len(),
        out.len() + kh - 1,
        "row kernel: input row count"
    );
    let width = out[0].len();
    assert!(
        out.iter().all(|o| o.len() == width),
        "row kernel: ragged output"
    );
    let need = width + kw - 1 + ROW_SLACK;
    assert!(
        rows.iter().all(|r| r.len() >= need),
        "row kernel: short input row"
    );
    width
}

macro_rules! select {
    ($name:ident, $t:ty, $suffix:ident, hoisted = $hoisted:ident) => {
        select!(
            $name,
            $t,
            $suffix,
            avx512 = x86::avx512::for_cpu(x86::avx512::$suffix, x86::avx512::$hoisted,)
        );
    };
    ($name:ident, $t:ty, $suffix:ident, avx512 = $avx512:expr) => {
        /// The row kernel of `backend` for this element type, if built.
        pub(crate) fn $name(backend: Backend) -> Option<RowKernel<$t>> {
            match backend {
                Backend::Scalar => Some(scalar::row_kernel::<$t>),
                #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
                Backend::Sse2 => Some(x86::sse2::$suffix),
                #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
                Backend::Sse41 => Some(x86::sse41::$suffix),
                #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
                Backend::Avx2 => Some(x86::avx2::$suffix),
                #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), simdconv_avx512))]
                Backend::Avx512 => Some($avx512),
                #[cfg(target_arch = "aarch64")]
                Backend::Neon => Some(aarch64::neon::$suffix),
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }
    };
}

select!(select_f32, f32, row_f32, hoisted = row_hoisted_f32);
select!(select_f64, f64, row_f64, hoisted = row_hoisted_f64);

macro_rules! select_fused {
    ($name:ident, $t:ty, $suffix:ident, hoisted = $hoisted:ident) => {
        /// The fused multiply-add row kernel of `backend` for this float
        /// type. Backends without FMA instructions run the scalar fused
        /// reference, which gives the same bits.
        pub(crate) fn $name(backend: Backend) -> Option<RowKernel<$t>> {
            match backend {
                #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
                Backend::Avx2 if x86::Avx2Fma.is_available() => Some(x86::avx2::$suffix),
                #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), simdconv_avx512))]
                Backend::Avx512 => Some(x86::avx512::for_cpu(
                    x86::avx512::$suffix,
                    x86::avx512::$hoisted,
                )),
                #[cfg(target_arch = "aarch64")]
                Backend::Neon => Some(aarch64::neon::$suffix),
                _ => Some(scalar::row_kernel_fused::<$t>),
            }
        }
    };
}

select_fused!(
    select_fused_f32,
    f32,
    row_fused_f32,
    hoisted = row_fused_hoisted_f32
);
select_fused!(
    select_fused_f64,
    f64,
    row_fused_f64,
    hoisted = row_fused_hoisted_f64
);
select!(select_i32, i32, row_i32, hoisted = row_hoisted_i32);
select!(select_i64, i64, row_i64, avx512 = x86::avx512::row_any_i64);

/// Defines a backend's row kernel for one element type: a
/// `#[target_feature]` function instantiating the blocked kernel with
/// vector `$vec` and an `R x C` register tile, and the safe entry point
/// that checks the contract and the CPU once per block. `regs` is how
/// many vector registers the kernel may plan for (the rolling strips'
/// width, see `blocked::rolling_cols`). `kind = int` runs sparse integer
/// kernels through their tap program, the others dense.
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! row_kernel {
    ($name:ident: $elem:ty => $vec:ty, tile = $r:literal x $c:literal, regs = $regs:expr,
     feature = $feature:literal, backend = $backend:expr, kind = $kind:ident) => {
        /// The row kernel for this element type on this backend.
        pub(crate) fn $name(
            rows: &[&[$elem]],
            taps: &$crate::kernels::Taps<$elem>,
            out: &mut [&mut [$elem]],
        ) {
            #[target_feature(enable = $feature)]
            unsafe fn inner(
                rows: &[&[$elem]],
                taps: &$crate::kernels::Taps<$elem>,
                width: usize,
                out: &mut [&mut [$elem]],
            ) {
                // SAFETY: forwarded from the checks below.
                unsafe { $crate::kernels::row_kernel!(@call $kind, $vec, $r, $c, $regs, rows, taps, width, out) }
            }
            const _: () = assert!(
                <$vec as $crate::kernels::vector::Vector>::LANES <= $crate::kernels::ROW_SLACK,
                "a vector wider than the rows' slack"
            );
            let width = $crate::kernels::check_block(rows, taps, out);
            assert!($backend.is_available(), "row kernel called on a CPU without its features");
            // SAFETY: the backend is available, so the CPU has every feature
            // in `$feature`; check_block verified the block contract,
            // including ROW_SLACK >= the vector's lanes.
            unsafe { inner(rows, taps, width, out) }
        }
    };
    (@call float, $vec:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::blocked::dense_rows!($vec, $crate::kernels::blocked::Separate,
            regs = $regs, tile = $r x $c, $rows, $taps, $width, $out)
    };
    (@call float_hoisted, $vec:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::blocked::dense_rows!($vec,
            $crate::kernels::blocked::Hoisted<$crate::kernels::blocked::Separate>,
            regs = $regs, tile = $r x $c, $rows, $taps, $width, $out)
    };
    (@call fused_hoisted, $vec:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::blocked::dense_rows!($vec,
            $crate::kernels::blocked::Hoisted<$crate::kernels::blocked::Fused>,
            regs = $regs, tile = $r x $c, $rows, $taps, $width, $out)
    };
    (@call fused, $vec:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::blocked::dense_rows!($vec, $crate::kernels::blocked::Fused,
            regs = $regs, tile = $r x $c, $rows, $taps, $width, $out)
    };
    (@call int_hoisted, $vec:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::row_kernel!(@int $vec, $crate::kernels::blocked::Hoisted<$crate::kernels::blocked::Separate>,
            $r, $c, $regs, $rows, $taps, $width, $out)
    };
    (@call int, $vec:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::row_kernel!(@int $vec, $crate::kernels::blocked::Separate,
            $r, $c, $regs, $rows, $taps, $width, $out)
    };
    (@int $vec:ty, $dense:ty, $r:literal, $c:literal, $regs:expr, $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        match ($taps.program(), $taps.column_recurrence()) {
            // Integer columns of progressions (box sums included) by
            // running sums; `Split` multiplies only by narrow constants.
            (_, Some(rec))
                if rec.narrow || !<$vec as $crate::kernels::vector::Vector>::NARROW_MUL =>
            {
                $crate::kernels::running::column_recurrence_rows::<$vec, 4>(
                    $rows, rec, $width, $out,
                )
            }
            // Columns and mostly-nonzero kernels that roll run dense
            // (see `Taps::is_integer_column`, `Taps::is_mostly_nonzero`).
            (Some(program), _)
                if !$taps.is_integer_column()
                    && !($taps.is_mostly_nonzero()
                        && $crate::kernels::blocked::rolls($regs, $taps.rows(), $taps.cols())) =>
            {
                $crate::kernels::blocked::program_rows::<$vec, $r, $c>(
                    $rows, program, $taps.rows(), $width, $out,
                )
            }
            _ => $crate::kernels::blocked::dense_rows!($vec, $dense,
                regs = $regs, tile = $r x $c, $rows, $taps, $width, $out),
        }
    };
}
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) use row_kernel;
