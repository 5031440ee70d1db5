//! `Border`: how the image is extended past its edges.

/// How samples outside the image are defined (SciPy's `boundary=`).
///
/// | simdconv | SciPy (signal) | SciPy (ndimage) | OpenCV | row `a b c d` |
/// | --- | --- | --- | --- | --- |
/// | `Constant(v)` | `fill`, `fillvalue=v` | `constant`, `cval` | `BORDER_CONSTANT` | `v v \| a b c d \| v v` |
/// | `Wrap` | `wrap` | `grid-wrap` | `BORDER_WRAP` | `c d \| a b c d \| a b` |
/// | `Symmetric` | `symm` | `reflect` | `BORDER_REFLECT` | `b a \| a b c d \| d c` |
/// | `Mirror` | - | `mirror` | `BORDER_REFLECT_101` | `c b \| a b c d \| c b` |
/// | `Replicate` | - | `nearest` | `BORDER_REPLICATE` | `a a \| a b c d \| d d` |
///
/// Every border repeats as far as a kernel larger than the image needs.
/// With `Constant(v)`, a sample is `v` when its row or its column (or both)
/// lies outside the image.
///
/// ```
/// use simdconv::Border;
/// // Where index -2 of a row of length 4 comes from, per border:
/// assert_eq!(Border::<f32>::Wrap.source_index(-2, 4), Some(2));
/// assert_eq!(Border::<f32>::Symmetric.source_index(-2, 4), Some(1));
/// assert_eq!(Border::<f32>::Mirror.source_index(-2, 4), Some(2));
/// assert_eq!(Border::<f32>::Replicate.source_index(-2, 4), Some(0));
/// assert_eq!(Border::Constant(7.0f32).source_index(-2, 4), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Border<T> {
    /// Every sample outside the image is this value.
    Constant(T),
    /// Periodic: index `i` reads `i mod m`.
    Wrap,
    /// Reflect including the edge sample: `b a | a b c d | d c`.
    Symmetric,
    /// Reflect about the edge sample: `c b | a b c d | c b`.
    Mirror,
    /// Repeat the edge sample: `a a | a b c d | d d`.
    Replicate,
}

impl<T> Border<T> {
    /// The in-image index that index `i` of an axis of length `len` reads,
    /// or `None` for `Constant` when `i` lies outside `0..len`.
    ///
    /// `len` must be at least 1 (an empty axis has nothing to read); with
    /// `len == 0` every border gives `None`. Indices any distance away
    /// work: the extension repeats.
    ///
    /// ```
    /// use simdconv::Border;
    /// // The row `a b c d` extended by two on each side, as indices.
    /// let row = |b: Border<i32>| (-2..6).map(|i| b.source_index(i, 4)).collect::<Option<Vec<_>>>();
    /// assert_eq!(row(Border::Wrap), Some(vec![2, 3, 0, 1, 2, 3, 0, 1]));
    /// assert_eq!(row(Border::Symmetric), Some(vec![1, 0, 0, 1, 2, 3, 3, 2]));
    /// assert_eq!(row(Border::Mirror), Some(vec![2, 1, 0, 1, 2, 3, 2, 1]));
    /// assert_eq!(row(Border::Replicate), Some(vec![0, 0, 0, 1, 2, 3, 3, 3]));
    /// assert_eq!(row(Border::Constant(0)), None); // -2, -1, 4 and 5 read the constant
    /// assert_eq!(Border::<i32>::Wrap.source_index(-1_000_001, 4), Some(3));
    /// ```
    pub fn source_index(&self, i: isize, len: usize) -> Option<usize> {
        if len == 0 {
            return None;
        }
        if i >= 0 && (i as usize) < len {
            return Some(i as usize);
        }
        // `len` is a real array length, so it fits in i128 along with `i`.
        let i = i as i128;
        let m = len as i128;
        let k = match self {
            Border::Constant(_) => return None,
            Border::Wrap => i.rem_euclid(m),
            Border::Symmetric => {
                let k = i.rem_euclid(2 * m);
                if k < m {
                    k
                } else {
                    2 * m - 1 - k
                }
            }
            Border::Mirror => {
                if m == 1 {
                    0
                } else {
                    let period = 2 * m - 2;
                    let k = i.rem_euclid(period);
                    if k < m {
                        k
                    } else {
                        period - k
                    }
                }
            }
            Border::Replicate => i.clamp(0, m - 1),
        };
        Some(k as usize)
    }

    /// The fill value of `Constant`, `None` for the other borders.
    ///
    /// ```
    /// use simdconv::Border;
    /// assert_eq!(Border::Constant(1.5f32).fill(), Some(&1.5));
    /// assert_eq!(Border::<f32>::Wrap.fill(), None);
    /// ```
    pub fn fill(&self) -> Option<&T> {
        match self {
            Border::Constant(v) => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extend(border: Border<i32>, len: usize, from: isize, to: isize) -> Vec<Option<usize>> {
        (from..to).map(|i| border.source_index(i, len)).collect()
    }

    #[test]
    fn api_table_examples_for_a_row_of_four() {
        let s = |v: &[usize]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        assert_eq!(extend(Border::Wrap, 4, -2, 6), s(&[2, 3, 0, 1, 2, 3, 0, 1]));
        assert_eq!(
            extend(Border::Symmetric, 4, -2, 6),
            s(&[1, 0, 0, 1, 2, 3, 3, 2])
        );
        assert_eq!(
            extend(Border::Mirror, 4, -2, 6),
            s(&[2, 1, 0, 1, 2, 3, 2, 1])
        );
        assert_eq!(
            extend(Border::Replicate, 4, -2, 6),
            s(&[0, 0, 0, 1, 2, 3, 3, 3])
        );
        let c = extend(Border::Constant(9), 4, -2, 6);
        assert_eq!(
            c,
            vec![None, None, Some(0), Some(1), Some(2), Some(3), None, None]
        );
    }

    #[test]
    fn borders_repeat_past_one_period() {
        let s = |v: &[usize]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        // Length 2, far to the left and right.
        assert_eq!(extend(Border::Wrap, 2, -5, 0), s(&[1, 0, 1, 0, 1]));
        assert_eq!(extend(Border::Symmetric, 2, -5, 0), s(&[0, 0, 1, 1, 0]));
        assert_eq!(extend(Border::Mirror, 3, -6, 0), s(&[2, 1, 0, 1, 2, 1]));
        assert_eq!(extend(Border::Mirror, 3, 3, 9), s(&[1, 0, 1, 2, 1, 0]));
        assert_eq!(extend(Border::Replicate, 2, 2, 5), s(&[1, 1, 1]));
    }

    #[test]
    fn mirror_of_a_single_sample_is_that_sample() {
        for i in -5..5 {
            assert_eq!(Border::<f32>::Mirror.source_index(i, 1), Some(0));
            assert_eq!(Border::<f32>::Symmetric.source_index(i, 1), Some(0));
        }
    }

    #[test]
    fn extreme_indices_do_not_overflow() {
        for b in [
            Border::<f32>::Wrap,
            Border::Symmetric,
            Border::Mirror,
            Border::Replicate,
        ] {
            for i in [isize::MIN, isize::MIN + 1, isize::MAX] {
                let k = b.source_index(i, usize::MAX / 2).unwrap();
                assert!(k < usize::MAX / 2);
                assert!(b.source_index(i, 3).unwrap() < 3);
            }
        }
    }
}
