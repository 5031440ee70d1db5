//! How an integer kernel runs on a vector backend: the one decision
//! between the four integer algorithms, in one place a reader (and a test)
//! can find. Every strategy gives the scalar reference's bits (integer
//! sums wrap the same in any order); they differ only in speed.

use super::blocked;
use super::taps::{ColumnRecurrence, TapProgram, Taps};

/// The algorithm an integer row kernel runs for one packed kernel.
#[derive(Debug)]
pub(crate) enum IntStrategy<'t, T> {
    /// A single column whose taps are an arithmetic progression (box sums
    /// included): running sums down the column
    /// (`running::column_recurrence_rows`), a few operations per output
    /// whatever the height.
    Recurrence(&'t ColumnRecurrence<T>),
    /// A sparse or structured kernel: its tap program
    /// (`blocked::program_rows`) skips zero taps, adds or subtracts for
    /// +-1, shifts for +-2^s, multiplies only the rest.
    Program(&'t TapProgram<T>),
    /// Everything else, and columns and mostly-nonzero kernels that roll:
    /// the dense register blocks (`blocked::dense_rows!`: rolling strips
    /// or the register tile), which multiply every tap but load each input
    /// vector once for all the rows it feeds.
    Dense,
}

impl<T> IntStrategy<'_, T> {
    /// The strategy's name, for tests and diagnostics.
    #[cfg(test)]
    pub(crate) fn name(&self) -> &'static str {
        match self {
            IntStrategy::Recurrence(_) => "recurrence",
            IntStrategy::Program(_) => "program",
            IntStrategy::Dense => "dense",
        }
    }
}

/// The strategy for `taps` on a backend with `regs` vector registers
/// whose vector multiplies only by narrow (`i32`) constants when
/// `narrow_mul` (`Vector::NARROW_MUL`, the AVX-512 split form).
pub(crate) fn integer<T>(taps: &Taps<T>, regs: usize, narrow_mul: bool) -> IntStrategy<'_, T> {
    if let Some(rec) = taps.column_recurrence() {
        // The split form multiplies only by narrow constants.
        if rec.narrow || !narrow_mul {
            return IntStrategy::Recurrence(rec);
        }
    }
    if let Some(program) = taps.program() {
        // Columns and mostly-nonzero kernels that roll run dense (see
        // `Taps::is_integer_column`, `Taps::is_mostly_nonzero`).
        let dense_pays = taps.is_integer_column()
            || (taps.is_mostly_nonzero() && blocked::rolls(regs, taps.rows(), taps.cols()));
        if !dense_pays {
            return IntStrategy::Program(program);
        }
    }
    IntStrategy::Dense
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy_name(
        dense: Vec<i64>,
        kh: usize,
        kw: usize,
        regs: usize,
        narrow: bool,
    ) -> &'static str {
        let taps = Taps::new(dense, kh, kw);
        integer(&taps, regs, narrow).name()
    }

    #[test]
    fn each_kernel_shape_gets_its_algorithm() {
        // A box column and a progression column: running sums.
        assert_eq!(strategy_name(vec![1; 9], 9, 1, 32, false), "recurrence");
        assert_eq!(
            strategy_name((0..9).map(|i| 76 - 9 * i).collect(), 9, 1, 32, false),
            "recurrence"
        );
        // A column that is not a progression: the dense tile.
        assert_eq!(strategy_name(vec![1, 5, 2, 7], 4, 1, 32, false), "dense");
        // A sparse 5 x 5 (a cross): the tap program.
        let cross = (0..25)
            .map(|t| i64::from(t / 5 == 2 || t % 5 == 2))
            .collect();
        assert_eq!(strategy_name(cross, 5, 5, 32, false), "program");
        // A dense 5 x 5 that rolls on 32 registers: dense; on 16 it does
        // not roll, so the program.
        let dense: Vec<i64> = (0..25).map(|t| t + 1).collect();
        assert_eq!(strategy_name(dense.clone(), 5, 5, 32, false), "dense");
        assert_eq!(strategy_name(dense, 5, 5, 16, false), "program");
        // A wide progression on a narrow-multiply vector: not by
        // recurrence (its constants leave i32), so the dense column.
        let wide: Vec<i64> = (0..4).map(|i| i * (1 << 40)).collect();
        assert_eq!(strategy_name(wide.clone(), 4, 1, 32, true), "dense");
        assert_eq!(strategy_name(wide, 4, 1, 32, false), "recurrence");
    }
}
