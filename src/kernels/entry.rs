//! The safe entry of every SIMD row kernel: `row_kernel!` defines a
//! backend's kernel for one element type as a `#[target_feature]` function
//! that instantiates the blocked algorithm, behind a safe wrapper that
//! checks the block contract ([`check_block`](super::contract::check_block))
//! and the CPU once per block.

/// Defines a backend's row kernel for one element type: a
/// `#[target_feature]` function instantiating the blocked kernel with
/// vector `$vec` and an `R x C` register tile, and the safe entry point
/// that checks the contract and the CPU once per block. `regs` is how
/// many vector registers the kernel may plan for (the rolling strips'
/// width, see `blocked::rolling_cols`). `kind` is the algorithm family:
/// `float` / `float_hoisted` / `fused` / `fused_hoisted` run the dense
/// blocks with separate or fused multiply-adds and folded or hoisted
/// taps; `int` / `int_hoisted` run what [`strategy::integer`]
/// (super::strategy::integer) picks for the kernel.
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
        match $crate::kernels::strategy::integer(
            $taps,
            $regs,
            <$vec as $crate::kernels::vector::Vector>::NARROW_MUL,
        ) {
            $crate::kernels::strategy::IntStrategy::Recurrence(rec) => {
                $crate::kernels::running::column_recurrence_rows::<$vec, 4>($rows, rec, $width, $out)
            }
            $crate::kernels::strategy::IntStrategy::Program(program) => {
                $crate::kernels::blocked::program_rows::<$vec, $r, $c>(
                    $rows, program, ($taps.rows(), $taps.step()), $width, $out,
                )
            }
            $crate::kernels::strategy::IntStrategy::Dense => $crate::kernels::blocked::dense_rows!($vec, $dense,
                regs = $regs, tile = $r x $c, $rows, $taps, $width, $out),
        }
    };
}
pub(crate) use row_kernel;
