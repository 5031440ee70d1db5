//! Fast 2D convolution and correlation of [`ndarray`] arrays, with the
//! semantics of SciPy's `scipy.signal.convolve2d` / `correlate2d`, SIMD row
//! kernels (AVX-512, AVX2, SSE4.1, SSE2, NEON) chosen at run time, and
//! results that are **bit-identical to a plain scalar reference** on every
//! backend and thread count, integers and floats alike.
//!
//! This page is the guide; each item's page has the details.
//!
//! - [Quick start](#quick-start)
//! - [What it computes](#what-it-computes): the formulas, modes, order of
//!   operations
//! - [Modes and borders, worked out](#modes-and-borders-worked-out): a tiny
//!   array through every mode and border
//! - [Numerical guarantees](#numerical-guarantees): wrapping integers, no
//!   fused multiply-add (unless asked for), fixed tap order, NaN and infinity
//! - [Integer kernels of low rank](#integer-kernels-of-low-rank): an exact
//!   fast path
//! - [Large float kernels: the FFT method](#large-float-kernels-the-fft-method)
//! - [Backends and dispatch](#backends-and-dispatch): detection, forcing one
//!   in code or with `SIMDCONV_BACKEND`
//! - [Threads](#threads) and [Cargo features](#cargo-features)
//! - [Errors](#errors)
//!
//! # Quick start
//!
//! ```
//! use ndarray::{array, Array2};
//! use simdconv::{convolve2d, Border, Filter2d, Mode};
//!
//! // One call: full convolution with a zero border, like
//! // `scipy.signal.convolve2d(f, g)`.
//! let f = array![[1i64, 2, 3], [4, 5, 6]];
//! let g = array![[1i64, -1]];
//! assert_eq!(convolve2d(&f, &g)?, array![[1, 1, 1, -3], [4, 1, 1, -6]]);
//!
//! // A prepared filter: the kernel is validated and packed once, then
//! // applied to any number of images, of any strides.
//! let blur = Filter2d::convolution(&Array2::from_elem((3, 3), 1.0f32 / 9.0))?
//!     .mode(Mode::Same)
//!     .border(Border::Symmetric);
//! let image = Array2::from_shape_fn((480, 640), |(y, x)| (x + y) as f32);
//! let out = blur.apply(&image)?; // a new 480 x 640 array
//! assert_eq!(out.dim(), (480, 640));
//!
//! // Or into an output you own (any strides, nothing allocated per pixel).
//! let mut out_t = Array2::zeros((640, 480));
//! blur.apply_into(&image, out_t.view_mut().reversed_axes())?;
//! assert_eq!(out_t.t(), out);
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! The element type is one of `f32`, `f64`, `i32`, `i64` (see [`Element`]);
//! image, kernel and output share it, as in a typed Cython or NumPy call.
//!
//! # What it computes
//!
//! Take an image `f` of `H x W` and a kernel `g` of `kh x kw`. The image is
//! extended past its edges by the [`Border`] into `f~`: along each axis,
//! index `r` reads `f` at [`Border::source_index`]`(r, len)`, and for
//! `Border::Constant(v)` a sample whose row or column lies outside is `v`.
//! The *full* output has `(H + kh - 1) x (W + kw - 1)` elements:
//!
//! ```text
//! convolution:  full[y][x] = sum_{i < kh, j < kw}  g[i][j] * f~[y - i][x - j]
//! correlation:  full[y][x] = sum_{i < kh, j < kw}  g[i][j] * f~[y + i - (kh-1)][x + j - (kw-1)]
//! ```
//!
//! for `0 <= y < H + kh - 1`, `0 <= x < W + kw - 1`. Both are a correlation
//! with the *effective kernel* `k`: `k = g` for correlation, and `g` flipped
//! on both axes for convolution (`k[i][j] = g[kh-1-i][kw-1-j]`):
//!
//! ```text
//! full[y][x] = sum_{i < kh, j < kw}  k[i][j] * f~[y + i - (kh-1)][x + j - (kw-1)]
//! ```
//!
//! The [`Mode`] picks a window of `full`, as SciPy's `mode=` does:
//!
//! | [`Mode`] | output | `out[y][x]` | SciPy |
//! | --- | --- | --- | --- |
//! | `Full` (default) | `(H + kh - 1) x (W + kw - 1)` | `full[y][x]` | `mode="full"` |
//! | `Same` | `H x W` | `full[y + oy][x + ox]`, `(oy, ox) = ((kh-1)/2, (kw-1)/2)` for convolution, `(kh/2, kw/2)` for correlation | `mode="same"` |
//! | `Valid` | `(H - kh + 1) x (W - kw + 1)` | `full[y + kh - 1][x + kw - 1]`: no border sample is read | `mode="valid"` |
//!
//! SciPy centres `Same` differently for the two operations when a kernel
//! side is even, and so does simdconv: `correlate2d(f, g, same)` is then
//! *not* `convolve2d(f, flip(g), same)`. When the kernel contains the image
//! (`kh >= H` and `kw >= W`), `Valid` swaps the roles as
//! `scipy.signal` does: the output is `(kh - H + 1) x (kw - W + 1)`, with
//! `out[y][x] = sum_{i < H, j < W} f[i][j] * g[y + H-1-i][x + W-1-j]` for
//! convolution and `f[i][j] * g[kh-H-y+i][kw-W-x+j]` for correlation (the
//! same windows in reverse order). When each input is larger on one axis,
//! `Valid` is an [`Error::ValidModeMismatch`].
//!
//! **Order of operations.** Each output is computed as SciPy's loop does:
//! starting from `0`, `+ k[i][j] * s` for every tap in row-major order of
//! the effective kernel (rows top to bottom, taps left to right), where `s`
//! is the sample under the tap. (A swapped `Valid` call follows the same rule for the swapped
//! problem, in which the image is the kernel.)
//!
//! # Modes and borders, worked out
//!
//! | [`Border`] | SciPy (signal) | SciPy (ndimage) | OpenCV | row `a b c d` |
//! | --- | --- | --- | --- | --- |
//! | `Constant(v)` (default `v = 0`) | `fill`, `fillvalue=v` | `constant`, `cval` | `BORDER_CONSTANT` | `v v \| a b c d \| v v` |
//! | `Wrap` | `wrap` | `grid-wrap` | `BORDER_WRAP` | `c d \| a b c d \| a b` |
//! | `Symmetric` | `symm` | `reflect` | `BORDER_REFLECT` | `b a \| a b c d \| d c` |
//! | `Mirror` | - | `mirror` | `BORDER_REFLECT_101` | `c b \| a b c d \| c b` |
//! | `Replicate` | - | `nearest` | `BORDER_REPLICATE` | `a a \| a b c d \| d d` |
//!
//! Every border works in every mode and for every kernel size, also when
//! the kernel is larger than the image (the extension repeats as far as
//! needed). A kernel of powers of ten shows where each output came from:
//! correlating with `[1 10 100]` gives `1 * left + 10 * centre + 100 *
//! right`, so the digits of `211` read "right neighbour 2, centre 1, left
//! neighbour 1".
//!
//! ```
//! use ndarray::array;
//! use simdconv::{convolve2d, correlate2d, Border, Filter2d, Mode};
//!
//! let f = array![[1i32, 2, 3, 4],
//!                [5, 6, 7, 8]];
//! let g = array![[1i32, 10, 100]];
//!
//! // Full, zero border. Convolution flips the kernel: 100 * left + 10 * centre + right.
//! assert_eq!(convolve2d(&f, &g)?, array![[1, 12, 123, 234, 340, 400],
//!                                        [5, 56, 567, 678, 780, 800]]);
//! assert_eq!(correlate2d(&f, &g)?, array![[100, 210, 321, 432, 43, 4],
//!                                         [500, 650, 765, 876, 87, 8]]);
//!
//! // Same mode, correlation: the digits show the border's sample at each end.
//! let same = |border| Filter2d::correlation(&g).unwrap().mode(Mode::Same).border(border);
//! assert_eq!(same(Border::Constant(0)).apply(&f)?, array![[210, 321, 432, 43],
//!                                                          [650, 765, 876, 87]]);
//! assert_eq!(same(Border::Constant(9)).apply(&f)?, array![[219, 321, 432, 943],
//!                                                          [659, 765, 876, 987]]);
//! assert_eq!(same(Border::Wrap).apply(&f)?, array![[214, 321, 432, 143],
//!                                                  [658, 765, 876, 587]]);
//! assert_eq!(same(Border::Symmetric).apply(&f)?, array![[211, 321, 432, 443],
//!                                                       [655, 765, 876, 887]]);
//! assert_eq!(same(Border::Mirror).apply(&f)?, array![[212, 321, 432, 343],
//!                                                    [656, 765, 876, 787]]);
//! // One sample past the edge, Replicate reads what Symmetric reads.
//! assert_eq!(same(Border::Replicate).apply(&f)?, same(Border::Symmetric).apply(&f)?);
//!
//! // Same mode, convolution: the full output's window starting at column (3 - 1) / 2 = 1.
//! let conv = Filter2d::convolution(&g)?.mode(Mode::Same);
//! assert_eq!(conv.apply(&f)?, array![[12, 123, 234, 340],
//!                                    [56, 567, 678, 780]]);
//!
//! // Valid: only windows inside the image, whatever the border.
//! let valid = Filter2d::convolution(&g)?.mode(Mode::Valid).border(Border::Wrap);
//! assert_eq!(valid.apply(&f)?, array![[123, 234],
//!                                     [567, 678]]);
//!
//! // Both axes at once: a 3 x 3 sum over a 2 x 2 image. With a zero border
//! // every window holds the whole image; Replicate repeats the corner
//! // sample on both axes (out[0][0] = 4 * 1 + 2 * 2 + 2 * 3 + 4).
//! let sum3 = Filter2d::correlation(&ndarray::Array2::from_elem((3, 3), 1i32))?.mode(Mode::Same);
//! let tiny = array![[1i32, 2], [3, 4]];
//! assert_eq!(sum3.clone().apply(&tiny)?, array![[10, 10], [10, 10]]);
//! assert_eq!(sum3.border(Border::Replicate).apply(&tiny)?, array![[18, 21], [24, 27]]);
//!
//! // An even kernel side: SciPy centres convolution and correlation differently.
//! let row = array![[1i32, 2, 3, 4]];
//! let conv = Filter2d::convolution(&array![[1i32, 10]])?.mode(Mode::Same);
//! let corr = Filter2d::correlation(&array![[10i32, 1]])?.mode(Mode::Same); // the same effective kernel
//! assert_eq!(conv.apply(&row)?, array![[1, 12, 23, 34]]);  // full[0][0..4]
//! assert_eq!(corr.apply(&row)?, array![[12, 23, 34, 40]]); // full[0][1..5]
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! These are the values `scipy.signal.correlate2d(f, g, mode="same",
//! boundary="symm")` and friends return. `Mirror` and `Replicate` have no
//! `scipy.signal` boundary; `np.pad(f, p, mode="reflect")` or `"edge"`
//! followed by `mode="valid"` gives the same results.
//!
//! # Numerical guarantees
//!
//! | type | arithmetic |
//! | --- | --- |
//! | `i32`, `i64` | two's complement, wrapping on overflow like fixed-width C or NumPy integers ([`i32::wrapping_mul`], [`i32::wrapping_add`]) |
//! | `f32`, `f64` | IEEE 754: each product rounded, then added and rounded; no fused multiply-add unless you opt in |
//!
//! - **Bit-identical everywhere.** Every backend and every thread count
//!   evaluates the formula above in the same order with the same
//!   roundings, so the scalar backend's result is *the* result, bit for
//!   bit. Integer arithmetic is exact modulo 2^32 or 2^64, so integer
//!   kernels may be evaluated in other ways (zero taps skipped, `+-1` taps
//!   as additions, [low-rank](#integer-kernels-of-low-rank) passes) without
//!   any change in the result.
//! - **Against SciPy.** Integer results equal SciPy's exactly, wrap-around
//!   included. SciPy sums float products in another order, so float
//!   results agree to rounding (`np.allclose`), not bit for bit.
//! - **No tap is skipped for floats**, zero taps included: `0 * inf` and
//!   `0 * NaN` are NaN, and a NaN or infinity anywhere under the kernel
//!   shows in the output as IEEE arithmetic says. Where the reference
//!   gives NaN, every backend gives NaN; only the NaN's payload (and sign)
//!   may differ. Every other float result, the sign of zero included, is
//!   identical.
//! - **The sum starts from `+0.0`**, as SciPy's does: an output whose
//!   products are all `-0.0` is `+0.0`.
//! - **Fused multiply-add is an explicit opt-in.**
//!   [`Filter2d::rounding`]`(`[`Rounding::Fused`]`)` computes each step
//!   `acc + k[i][j] * s` with one rounding instead of two, in the same tap
//!   order: faster where the CPU has FMA instructions, still bit-identical
//!   across backends and thread counts, but different from the default in
//!   the last bits (the error bound is documented there). Integer kernels
//!   are unaffected.
//!
//! ```
//! use ndarray::array;
//! use simdconv::convolve2d;
//!
//! // Integers wrap: 2 * i32::MAX = -2 (mod 2^32), and 2 * i32::MAX + 3 = 1.
//! assert_eq!(convolve2d(&array![[i32::MAX, 3]], &array![[2i32]])?, array![[-2, 6]]);
//! assert_eq!(simdconv::correlate2d(&array![[i32::MAX, 3]], &array![[2i32, 1]])?,
//!            array![[i32::MAX, 1, 6]]);
//!
//! // A zero tap over an infinity is NaN, as in IEEE arithmetic.
//! let out = convolve2d(&array![[1.0f64, f64::INFINITY]], &array![[0.0, 1.0]])?;
//! assert_eq!(out[[0, 0]], 0.0);
//! assert!(out[[0, 1]].is_nan()); // 1 * 1 + 0 * inf
//! assert_eq!(out[[0, 2]], f64::INFINITY);
//!
//! // The sum starts from +0.0, as in SciPy: 0 + (-1) * 0 is +0.0.
//! let out = convolve2d(&array![[-1.0f32]], &array![[0.0f32]])?;
//! assert!(out[[0, 0]] == 0.0 && out[[0, 0]].is_sign_positive());
//!
//! // Opting in to FMA: one rounding per step. (1 + 2^-30) * (1 + 2^-30) - 1
//! // keeps its 2^-60 term, which the default's rounded product loses.
//! use simdconv::{Backend, Filter2d, Rounding};
//! let a = 1.0f64 + 2f64.powi(-30);
//! let (f, g) = (array![[-1.0, a]], array![[1.0, a]]); // correlation: 1 * (-1), then + a * a
//! let plain = Filter2d::correlation(&g)?.mode(simdconv::Mode::Valid);
//! assert_eq!(plain.apply(&f)?[[0, 0]], 2f64.powi(-29));
//! for backend in Backend::available() {
//!     let fused = plain.clone().rounding(Rounding::Fused).backend(backend);
//!     assert_eq!(fused.apply(&f)?[[0, 0]], 2f64.powi(-29) + 2f64.powi(-60));
//! }
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! # Integer kernels of low rank
//!
//! When a filter is built, an integer kernel that is a sum of `r` outer
//! products of integer vectors, `g = sum_c u_c v_c^T`, with `r * (kh + kw)
//! < kh * kw`, is detected and factored exactly (modulo 2^32 or 2^64). It
//! is then evaluated as `r` column passes (`u_c`, `kh x 1`) and one row
//! pass over their results (`v_c`, `1 x kw` each): `r * (kh + kw)` taps per
//! output instead of `kh * kw` (the Cython tutorial's `arange(81)` 9x9
//! kernel has rank 2: 36 instead of 81). Among the many exact
//! factorisations the filter picks cheap ones: a search over exact basis
//! changes (`v_d += t v_c` with `u_c -= t u_d`, and scalings by odd
//! numbers) turns as many factor entries as it can into 0, +-1 or powers of
//! two, which cost an add or a shift instead of a multiply. For the seed's
//! kernel it finds `g = 1 (4 - j)^T + (76 - 9i) 1^T`: 10 multiplies per
//! output instead of 81. The identity holds in the integers, so also
//! modulo 2^n: the result is bit-identical to the direct one, wrap-around
//! included. Float kernels never take this path, since a different order
//! rounds differently, and neither does [`Backend::Scalar`], the reference
//! the other paths are tested against.
//! [`Filter2d::low_rank_terms`] tells whether it is used and
//! [`Filter2d::low_rank`]`(false)` turns it off.
//!
//! ```
//! use ndarray::{array, Array2};
//! use simdconv::Filter2d;
//!
//! // Sobel: [1 2 1]^T [-1 0 1], rank 1.
//! let sobel = Filter2d::correlation(&array![[-1i32, 0, 1], [-2, 0, 2], [-1, 0, 1]])?;
//! assert_eq!(sobel.low_rank_terms(), Some(1));
//! let f = Array2::from_shape_fn((64, 64), |(y, x)| (y * 31 + x * x) as i32);
//! assert_eq!(sobel.apply(&f)?, sobel.clone().low_rank(false).apply(&f)?);
//!
//! // A float kernel is always evaluated directly.
//! let blur = Filter2d::convolution(&Array2::from_elem((5, 5), 0.04f32))?;
//! assert_eq!(blur.low_rank_terms(), None);
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! # Large float kernels: the FFT method
//!
//! [`Filter2d::method`]`(`[`Method::Fft`]`)` evaluates a float kernel
//! through fast Fourier transforms of overlap-save tiles: `O(log N)`
//! operations per output instead of `kh * kw`, so a 31 x 31 or larger
//! kernel runs many times faster. It keeps the modes, borders and
//! centring (each tile reads exactly the border-extended samples the
//! direct path reads), gives the same bits on every backend and thread
//! count, and is within a documented bound of the exact result, not the
//! direct path's bits ([`Filter2d::method`] states the bound,
//! `docs/FFT.md` has the measurements). NaN and infinity reach only the
//! outputs the direct path gives them: such tiles run direct. Integer
//! kernels stay exact and ignore it. [`Filter2d::explain`] tells which
//! method a call runs, with which tiles, and why.
//!
//! ```
//! use ndarray::Array2;
//! use simdconv::{Filter2d, Method, Mode};
//!
//! let psf = Array2::from_shape_fn((41, 41), |(i, j)| {
//!     (-((i as f64 - 20.0).powi(2) + (j as f64 - 20.0).powi(2)) / 50.0).exp()
//! });
//! let image = Array2::from_shape_fn((300, 400), |(y, x)| ((y * 13 + x * 7) % 29) as f64);
//! let direct = Filter2d::convolution(&psf)?.mode(Mode::Same);
//! let fft = direct.clone().method(Method::Fft);
//! println!("{}", fft.explain(image.dim())?); // fft (1 x 1 tiles of ...
//! let (a, b) = (direct.apply(&image)?, fft.apply(&image)?);
//! assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-9 * a.abs().max(1.0)));
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! # Backends and dispatch
//!
//! A [`Backend`] is one implementation of the row kernels: `Scalar` (plain
//! loops, everywhere), `Sse2`, `Sse41`, `Avx2`, `Avx512` (x86 and x86-64),
//! `Neon` (AArch64) and `Wasm128` (WebAssembly `simd128`, which a module
//! has if it was compiled with it: `-C target-feature=+simd128`, see
//! `docs/WASM.md`). The CPU's features are detected once per process;
//! [`Backend::available`] lists what this CPU and build can run (`Scalar`
//! first) and [`Backend::detect`] is the fastest of them. A filter runs on,
//! in this order of precedence:
//!
//! 1. the backend forced with [`Filter2d::backend`];
//! 2. else the one named by the environment variable `SIMDCONV_BACKEND`
//!    ([`BACKEND_ENV`]; names `scalar`, `sse2`, `sse41`, `avx2`, `avx512`,
//!    `neon`, `simd128`), read once, on the first call that dispatches
//!    automatically;
//! 3. else [`Backend::detect`].
//!
//! A forced backend the CPU cannot run, or an unknown or unavailable name
//! in `SIMDCONV_BACKEND`, is an [`Error`] listing the available backends;
//! it is never silently replaced. [`Filter2d::resolved_backend`] tells
//! which backend a filter will use (or the error it will return), and
//! [`Backend::from_env`] reads the variable afresh. The AVX-512 backend
//! needs Rust 1.89 or later to build; on an older compiler, or with the
//! variable `SIMDCONV_NO_AVX512` set at build time, it is left out and
//! never reported as available.
//!
//! ```
//! use ndarray::Array2;
//! use simdconv::{Backend, Filter2d, Mode};
//!
//! let g = Array2::from_shape_fn((7, 7), |(i, j)| 1.0 / (1 + i + 2 * j) as f32);
//! let f = Array2::from_shape_fn((50, 70), |(y, x)| ((y * 13 + x * 7) % 17) as f32 - 8.0);
//! let filter = Filter2d::correlation(&g)?.mode(Mode::Same);
//! let reference = filter.clone().backend(Backend::Scalar).apply(&f)?;
//! for backend in Backend::available() {
//!     let out = filter.clone().backend(backend).apply(&f)?;
//!     // Bit for bit, not merely close.
//!     assert!(out.iter().zip(&reference).all(|(a, b)| a.to_bits() == b.to_bits()));
//! }
//! println!("automatic choice: {}", filter.resolved_backend()?);
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! In a shell, `SIMDCONV_BACKEND=sse2 cargo test` runs a whole process on
//! one backend.
//!
//! # Threads
//!
//! [`Threads`] sets how a call spreads its output over threads
//! ([`Filter2d::threads`]). The default, [`Threads::Auto`], splits large
//! calls into bands of output rows on rayon's current pool and keeps small
//! ones (below about two million multiply-adds) on the calling thread;
//! [`Threads::Single`] never leaves the calling thread, and `Threads::Pool`
//! runs on a rayon pool you give it. Every output is computed by the same
//! kernel in the same order whichever thread owns it, so **results are
//! bit-identical for every policy and thread count**.
//!
//! ```
//! use ndarray::Array2;
//! use simdconv::{Filter2d, Threads};
//!
//! let g = Array2::from_shape_fn((9, 9), |(i, j)| (i as f64 - 4.0) * (j as f64 + 0.5));
//! let f = Array2::from_shape_fn((400, 300), |(y, x)| ((y * x) % 101) as f64 / 7.0);
//! let single = Filter2d::convolution(&g)?.threads(Threads::Single).apply(&f)?;
//! let auto = Filter2d::convolution(&g)?.apply(&f)?;
//! assert!(single.iter().zip(&auto).all(|(a, b)| a.to_bits() == b.to_bits()));
//!
//! # #[cfg(all(feature = "rayon", not(target_arch = "wasm32")))] { // no threads on wasm
//! // Your own pool (with the `rayon` feature, on by default).
//! let pool = std::sync::Arc::new(rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap());
//! let pooled = Filter2d::convolution(&g)?.threads(Threads::Pool(pool)).apply(&f)?;
//! assert!(pooled.iter().zip(&auto).all(|(a, b)| a.to_bits() == b.to_bits()));
//! # }
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! A [`Filter2d`] is `Send + Sync`: one filter can also serve many threads
//! that each filter their own images.
//!
//! # Cargo features
//!
//! | feature | default | what it does |
//! | --- | --- | --- |
//! | `rayon` | on | `Threads::Auto` uses rayon's pool for large calls; `Threads::Pool` exists |
//!
//! Without it (`simdconv = { version = "0.1", default-features = false }`)
//! the crate depends on `ndarray` alone, every call runs on the calling
//! thread (`Auto` behaves as `Single`) and `Threads::Pool` does not exist.
//! The results are the same either way. The SIMD backends need no feature:
//! they are always compiled and chosen at run time.
//!
//! # Errors
//!
//! Bad input returns an [`Error`], never a panic: an empty image or
//! kernel, `Valid` mode where neither input contains the other, an
//! `apply_into` output of the wrong shape, sizes that overflow, a backend
//! this CPU cannot run, an unknown `SIMDCONV_BACKEND`. Each message names
//! the sizes or names involved.
//!
//! ```
//! use ndarray::Array2;
//! use simdconv::{Error, Filter2d, Mode};
//!
//! let filter = Filter2d::convolution(&Array2::<f64>::ones((3, 5)))?.mode(Mode::Valid);
//! let err = filter.apply(&Array2::<f64>::ones((10, 4))).unwrap_err();
//! assert_eq!(err, Error::ValidModeMismatch { image: (10, 4), kernel: (3, 5) });
//! println!("{err}"); // valid mode needs one input to contain the other, but ...
//! # Ok::<(), simdconv::Error>(())
//! ```

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

// Ground floor: the arithmetic that defines correct (imports nothing).
mod arith;
// Which CPU this is, and every choice that changes only speed.
mod cpu;
mod tuning;
// The row kernels over the arithmetic, and the public element types over both.
mod element;
mod kernels;
// Shapes, borders, settings and their names.
mod border;
mod geometry;
mod names;
mod settings;
// Backends and errors.
mod backend;
mod error;
// Building and running a filter.
mod alloc;
mod explain;
mod factor;
mod fft;
mod filter;
mod output;
mod pipeline;
mod pixel;
mod scratch;
mod separable;
mod threads;
mod transfer;

pub use backend::{Backend, BACKEND_ENV};
pub use border::Border;
pub use element::Element;
pub use error::Error;
pub use explain::{Explanation, FftTiles};
pub use filter::{convolve2d, correlate2d, Filter2d};
pub use geometry::{Mode, Operation};
pub use pixel::{ImageFilter, Output, Overflow, Pixel, Preset, Round, Tap};
pub use settings::{Method, Rounding, Settings};
pub use threads::Threads;

pub mod kernel1d;

/// The `ndarray` this crate is built with (any of 0.15, 0.16, 0.17: the
/// one your own dependency resolves to), so that arrays built with
/// `simdconv::ndarray` always fit.
pub use ndarray;

/// The `rayon` crate (with the `rayon` feature), for building a
/// [`Threads::Pool`] without a dependency of your own:
///
/// ```
/// use std::sync::Arc;
/// use simdconv::{rayon, Threads};
/// # #[cfg(not(target_arch = "wasm32"))] { // no threads on wasm
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// let threads = Threads::Pool(Arc::new(pool));
/// # let _ = threads;
/// # }
/// ```
#[cfg(feature = "rayon")]
pub use rayon;

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
