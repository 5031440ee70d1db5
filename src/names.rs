//! The names users know for modes, borders, operations and methods
//! (SciPy's `mode=` and `boundary=`, scipy.ndimage's `mode=`), the float
//! rounding choice, and the integer conversion rules and presets of narrow
//! pixels, one table per type: `FromStr` accepts every name in the table,
//! `Display` prints the first one for the value. The examples, the tests and a Python
//! binding parse through these instead of keeping their own copies.

use core::fmt;
use core::str::FromStr;

use crate::border::Border;
use crate::element::Element;
use crate::error::Error;
use crate::geometry::{Mode, Operation};
use crate::pixel::{Overflow, Preset, Round};
use crate::settings::{Method, Rounding};

/// Looks `name` up (ASCII case-insensitively) in `table`.
fn parse<V: Copy>(what: &'static str, name: &str, table: &[(&'static str, V)]) -> Result<V, Error> {
    let key = name.trim();
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(key))
        .map(|&(_, v)| v)
        .ok_or_else(|| Error::UnknownName {
            what,
            name: name.to_string(),
            known: table.iter().map(|(n, _)| *n).collect(),
        })
}

/// The first name of `value` in `table`.
fn name_of<V: PartialEq>(value: &V, table: &[(&'static str, V)]) -> &'static str {
    table
        .iter()
        .find(|(_, v)| v == value)
        .map_or("?", |(n, _)| n)
}

const MODES: [(&str, Mode); 3] = [
    ("full", Mode::Full),
    ("same", Mode::Same),
    ("valid", Mode::Valid),
];

/// `full`, `same`, `valid` (SciPy's `mode=`).
///
/// ```
/// use simdconv::Mode;
/// assert_eq!("same".parse::<Mode>()?, Mode::Same);
/// assert_eq!(Mode::Valid.to_string(), "valid");
/// assert!("middle".parse::<Mode>().is_err());
/// # Ok::<(), simdconv::Error>(())
/// ```
impl FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("mode", s, &MODES)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &MODES))
    }
}

const OPERATIONS: [(&str, Operation); 6] = [
    ("convolution", Operation::Convolution),
    ("correlation", Operation::Correlation),
    ("convolve", Operation::Convolution),
    ("correlate", Operation::Correlation),
    ("conv", Operation::Convolution),
    ("corr", Operation::Correlation),
];

/// `convolution` / `convolve` / `conv`, `correlation` / `correlate` /
/// `corr`; `Display` prints the first.
///
/// ```
/// use simdconv::Operation;
/// assert_eq!("correlate".parse::<Operation>()?, Operation::Correlation);
/// assert_eq!(Operation::Convolution.to_string(), "convolution");
/// # Ok::<(), simdconv::Error>(())
/// ```
impl FromStr for Operation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("operation", s, &OPERATIONS)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &OPERATIONS))
    }
}

/// A border without its fill value, for the name table.
#[derive(Clone, Copy, PartialEq)]
enum BorderKind {
    Constant,
    Wrap,
    Symmetric,
    Mirror,
    Replicate,
}

/// scipy.signal's names first (they are what `Display` prints), then
/// scipy.ndimage's, then the variants' own.
const BORDERS: [(&str, BorderKind); 12] = [
    ("fill", BorderKind::Constant),
    ("wrap", BorderKind::Wrap),
    ("symm", BorderKind::Symmetric),
    ("mirror", BorderKind::Mirror),
    ("nearest", BorderKind::Replicate),
    ("constant", BorderKind::Constant),
    ("grid-constant", BorderKind::Constant),
    ("grid-wrap", BorderKind::Wrap),
    ("circular", BorderKind::Wrap),
    ("reflect", BorderKind::Symmetric),
    ("symmetric", BorderKind::Symmetric),
    ("replicate", BorderKind::Replicate),
];

/// SciPy's names: `fill` / `constant` / `grid-constant` (a zero fill: set
/// another value with [`Border::Constant`]), `wrap` / `grid-wrap` /
/// `circular`, `symm` / `reflect` / `symmetric` (scipy.ndimage's
/// `reflect` is scipy.signal's `symm`), `mirror`, `nearest` / `replicate`.
///
/// ```
/// use simdconv::Border;
/// assert_eq!("symm".parse::<Border<f32>>()?, Border::Symmetric);
/// assert_eq!("reflect".parse::<Border<f32>>()?, Border::Symmetric); // ndimage's name
/// assert_eq!("nearest".parse::<Border<i64>>()?, Border::Replicate);
/// assert_eq!("fill".parse::<Border<i64>>()?, Border::Constant(0));
/// let err = "edge".parse::<Border<f32>>().unwrap_err();
/// assert!(err.to_string().starts_with("\"edge\" is not a border name (known: fill, wrap, symm"));
/// # Ok::<(), simdconv::Error>(())
/// ```
impl<T: Element> FromStr for Border<T> {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match parse("border", s, &BORDERS)? {
            BorderKind::Constant => Border::Constant(T::zero()),
            BorderKind::Wrap => Border::Wrap,
            BorderKind::Symmetric => Border::Symmetric,
            BorderKind::Mirror => Border::Mirror,
            BorderKind::Replicate => Border::Replicate,
        })
    }
}

/// scipy.signal's name where it has one (`fill`, `wrap`, `symm`), else
/// scipy.ndimage's (`mirror`, `nearest`); the fill value is not printed.
impl<T> fmt::Display for Border<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Border::Constant(_) => BorderKind::Constant,
            Border::Wrap => BorderKind::Wrap,
            Border::Symmetric => BorderKind::Symmetric,
            Border::Mirror => BorderKind::Mirror,
            Border::Replicate => BorderKind::Replicate,
        };
        f.write_str(name_of(&kind, &BORDERS))
    }
}

const METHODS: [(&str, Method); 4] = [
    ("direct", Method::Direct),
    ("separable", Method::Separable),
    ("fft", Method::Fft),
    ("auto", Method::Auto),
];

/// `direct`, `separable`, `fft`, `auto`.
///
/// ```
/// use simdconv::Method;
/// assert_eq!("FFT".parse::<Method>()?, Method::Fft);
/// assert_eq!(Method::Fft.to_string(), "fft");
/// # Ok::<(), simdconv::Error>(())
/// ```
impl FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("method", s, &METHODS)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &METHODS))
    }
}

const ROUNDINGS: [(&str, Rounding); 2] =
    [("separate", Rounding::Separate), ("fused", Rounding::Fused)];

/// `separate`, `fused` (the Python binding's `rounding=`). Unknown names
/// are an [`Error::UnknownName`] with `what: "float rounding"`, apart
/// from [`Round`]'s `"rounding"` (the integer conversion rule).
///
/// ```
/// use simdconv::Rounding;
/// assert_eq!("fused".parse::<Rounding>()?, Rounding::Fused);
/// assert_eq!(Rounding::Separate.to_string(), "separate");
/// let err = "fma".parse::<Rounding>().unwrap_err();
/// assert_eq!(err.to_string(), "\"fma\" is not a float rounding name (known: separate, fused)");
/// # Ok::<(), simdconv::Error>(())
/// ```
impl FromStr for Rounding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("float rounding", s, &ROUNDINGS)
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &ROUNDINGS))
    }
}

const ROUNDS: [(&str, Round); 3] = [
    ("half-even", Round::HalfEven),
    ("half-up", Round::HalfUp),
    ("toward-zero", Round::TowardZero),
];

/// `half-even`, `half-up`, `toward-zero` (`examples/npy.rs`'s `--rounding`);
/// an unknown name is an [`Error::UnknownName`] with `what: "rounding"`.
impl FromStr for Round {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("rounding", s, &ROUNDS)
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &ROUNDS))
    }
}

const OVERFLOWS: [(&str, Overflow); 2] =
    [("saturate", Overflow::Saturate), ("wrap", Overflow::Wrap)];

/// `saturate`, `wrap` (`examples/npy.rs`'s `--overflow`); an unknown name is
/// an [`Error::UnknownName`] with `what: "overflow"`.
impl FromStr for Overflow {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("overflow", s, &OVERFLOWS)
    }
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &OVERFLOWS))
    }
}

const PRESETS: [(&str, Preset); 5] = [
    ("opencv", Preset::OpenCv),
    ("scipy-signal", Preset::ScipySignal),
    ("scipy-ndimage", Preset::ScipyNdimage),
    ("cv2", Preset::OpenCv),
    ("ndimage", Preset::ScipyNdimage),
];

/// `opencv` (or `cv2`), `scipy-signal`, `scipy-ndimage` (or `ndimage`).
impl FromStr for Preset {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse("preset", s, &PRESETS)
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, &PRESETS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_through_display() {
        for (name, mode) in MODES {
            assert_eq!(name.parse::<Mode>(), Ok(mode));
            assert_eq!(mode.to_string().parse::<Mode>(), Ok(mode));
        }
        for (name, op) in OPERATIONS {
            assert_eq!(name.to_uppercase().parse::<Operation>(), Ok(op));
            assert_eq!(op.to_string().parse::<Operation>(), Ok(op));
        }
        for (name, _) in BORDERS {
            let b: Border<f64> = name.parse().unwrap();
            assert_eq!(b.to_string().parse::<Border<f64>>(), Ok(b));
        }
        for (name, m) in METHODS {
            assert_eq!(name.parse::<Method>(), Ok(m));
            assert_eq!(m.to_string(), name);
        }
        for (name, r) in ROUNDINGS {
            assert_eq!(name.to_uppercase().parse::<Rounding>(), Ok(r));
            assert_eq!(r.to_string(), name);
        }
        for (name, r) in ROUNDS {
            assert_eq!(format!(" {name} ").parse::<Round>(), Ok(r));
            assert_eq!(r.to_string(), name);
        }
        for (name, o) in OVERFLOWS {
            assert_eq!(name.parse::<Overflow>(), Ok(o));
            assert_eq!(o.to_string(), name);
        }
        for (name, p) in PRESETS {
            assert_eq!(name.parse::<Preset>(), Ok(p));
            assert_eq!(p.to_string().parse::<Preset>(), Ok(p));
        }
    }

    #[test]
    fn every_value_has_a_name() {
        for r in [Rounding::Separate, Rounding::Fused] {
            assert_ne!(r.to_string(), "?");
        }
        for r in [Round::HalfEven, Round::HalfUp, Round::TowardZero] {
            assert_ne!(r.to_string(), "?");
        }
        for o in [Overflow::Saturate, Overflow::Wrap] {
            assert_ne!(o.to_string(), "?");
        }
        for p in [Preset::OpenCv, Preset::ScipySignal, Preset::ScipyNdimage] {
            assert_ne!(p.to_string(), "?");
        }
        for m in [Method::Direct, Method::Separable, Method::Fft, Method::Auto] {
            assert_ne!(m.to_string(), "?");
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = "middle".parse::<Mode>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"middle\" is not a mode name (known: full, same, valid)"
        );
        assert!(matches!(err, Error::UnknownName { what: "mode", .. }));
        // The float opt-in and the integer rule are told apart.
        let err = "half-up".parse::<Rounding>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"half-up\" is not a float rounding name (known: separate, fused)"
        );
        let err = "fused".parse::<Round>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"fused\" is not a rounding name (known: half-even, half-up, toward-zero)"
        );
        let err = "clamp".parse::<Overflow>().unwrap_err();
        assert!(matches!(
            err,
            Error::UnknownName {
                what: "overflow",
                ..
            }
        ));
    }
}
