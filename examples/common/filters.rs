//! The image example's filters, shared with `tests/image_example.rs`.
//!
//! Everything between the PNG file and simdconv lives here: the named
//! filters and their kernels, the conversion of an RGB image to three `f32`
//! channels and back, the per-channel filtering, and the procedural test
//! image shipped as `assets/sample.png`. `examples/image.rs` only parses
//! the command line, reads and writes files and times the calls.
//!
//! The narrow-pixel path (`--pixels`) lives here too: the PNG's own
//! samples, `u8` or `u16`, decoded into one buffer and viewed as `(H, W,
//! C)` without a copy ([`Png::view`]), filtered by [`ImageFilter`]
//! ([`PixelFilter`], from [`Named::build_pixels`]) and written back at the
//! same bit depth and colour type.
//!
//! This file is a module, not an example of its own (cargo only builds
//! `examples/*.rs` and `examples/*/main.rs`): `examples/image.rs` and the
//! test include it with `#[path = ...] mod filters;`.
//!
//! PNG files are read and written with the `png` codec (image-rs's own),
//! into the small [`RgbImage`] below: the `image` crate would bring a
//! colour-management stack (moxcms, pxfm: about two minutes of CPU to
//! build) into every cold `cargo test` for these few lines.

use std::fmt;

use ndarray::{s, Array2, Array3, ArrayView2, ArrayView3, Zip};
use simdconv::{Backend, Border, Filter2d, ImageFilter, Mode, Pixel};

/// A filter named on the command line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Named {
    /// Gaussian blur of standard deviation `sigma` pixels (kernel radius
    /// `ceil(3 sigma)`), normalised to sum 1.
    Gaussian(f32),
    /// Gradient magnitude `sqrt(gx^2 + gy^2) / 4` from the two 3x3 Sobel
    /// correlations (a unit step edge gives 1).
    Sobel,
    /// `5 * centre - (4 neighbours)`: the identity plus a Laplacian.
    Sharpen,
    /// Mean over a `size x size` square.
    Box(usize),
}

/// The usage line of the filters, for error messages.
pub const FILTER_USAGE: &str = "gaussian <sigma> | sobel | sharpen | box <size>";

impl Named {
    /// Parses a filter name and its parameter, if it takes one, from the
    /// front of `args`; returns the filter and the number of arguments used.
    pub fn parse(args: &[String]) -> Result<(Named, usize), String> {
        let name = args
            .first()
            .ok_or_else(|| format!("missing filter: {FILTER_USAGE}"))?;
        let param = |what: &str| {
            args.get(1)
                .ok_or_else(|| format!("{name} needs {what}: {FILTER_USAGE}"))
        };
        match name.as_str() {
            "gaussian" => {
                let text = param("a sigma in pixels, e.g. `gaussian 2.0`")?;
                let sigma: f32 = text
                    .parse()
                    .map_err(|_| format!("gaussian: sigma {text:?} is not a number"))?;
                if !(sigma > 0.0 && sigma <= 100.0) {
                    return Err(format!("gaussian: sigma must be in (0, 100], not {sigma}"));
                }
                Ok((Named::Gaussian(sigma), 2))
            }
            "box" => {
                let text = param("a side length, e.g. `box 5`")?;
                let size: usize = text
                    .parse()
                    .map_err(|_| format!("box: size {text:?} is not a positive integer"))?;
                if size == 0 || size > 1001 {
                    return Err(format!("box: size must be in 1..=1001, not {size}"));
                }
                Ok((Named::Box(size), 2))
            }
            "sobel" => Ok((Named::Sobel, 1)),
            "sharpen" => Ok((Named::Sharpen, 1)),
            other => Err(format!("unknown filter {other:?}: {FILTER_USAGE}")),
        }
    }

    /// The correlation kernels the filter applies (two for Sobel: x, y).
    pub fn kernels(self) -> Vec<Array2<f32>> {
        match self {
            Named::Gaussian(sigma) => vec![gaussian_kernel(sigma)],
            Named::Sobel => {
                let (gx, gy) = sobel_kernels();
                vec![gx, gy]
            }
            Named::Sharpen => vec![sharpen_kernel()],
            Named::Box(size) => vec![box_kernel(size)],
        }
    }

    /// The border the filter extends the image with: `Replicate` for Sobel
    /// (no false edges at the image's sides), `Symmetric` for the others.
    pub fn border(self) -> Border<f32> {
        match self {
            Named::Sobel => Border::Replicate,
            _ => Border::Symmetric,
        }
    }

    /// The prepared filters: one `Filter2d` per kernel, `Mode::Same`.
    pub fn build(self) -> Result<Vec<Filter2d<f32>>, simdconv::Error> {
        self.kernels()
            .iter()
            .map(|k| {
                Ok(Filter2d::correlation(k)?
                    .mode(Mode::Same)
                    .border(self.border()))
            })
            .collect()
    }

    /// Filters one channel with the prepared `filters` (from
    /// [`Named::build`]).
    pub fn apply(
        self,
        filters: &[Filter2d<f32>],
        channel: ArrayView2<'_, f32>,
    ) -> Result<Array2<f32>, simdconv::Error> {
        match self {
            Named::Sobel => {
                let gx = filters[0].apply(channel)?;
                let gy = filters[1].apply(channel)?;
                Ok(ndarray::Zip::from(&gx)
                    .and(&gy)
                    .map_collect(|&x, &y| (x * x + y * y).sqrt() / 4.0))
            }
            _ => filters[0].apply(channel),
        }
    }
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Named::Gaussian(sigma) => write!(f, "gaussian sigma={sigma}"),
            Named::Sobel => write!(f, "sobel"),
            Named::Sharpen => write!(f, "sharpen"),
            Named::Box(size) => write!(f, "box {size}x{size}"),
        }
    }
}

/// A `(2r + 1) x (2r + 1)` Gaussian, `r = ceil(3 sigma)`, summing to 1.
pub fn gaussian_kernel(sigma: f32) -> Array2<f32> {
    let sigma = f64::from(sigma);
    let r = (3.0 * sigma).ceil() as usize;
    let side = 2 * r + 1;
    let g1: Vec<f64> = (0..side)
        .map(|i| {
            let d = i as f64 - r as f64;
            (-d * d / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let total: f64 = g1.iter().sum::<f64>().powi(2);
    Array2::from_shape_fn((side, side), |(i, j)| (g1[i] * g1[j] / total) as f32)
}

/// The Sobel correlation kernels `(gx, gy)`: `gx` responds to intensity
/// increasing to the right, `gy` downwards.
pub fn sobel_kernels() -> (Array2<f32>, Array2<f32>) {
    let gx = ndarray::array![[-1.0f32, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]];
    let gy = gx.t().to_owned();
    (gx, gy)
}

/// The 3x3 sharpening kernel (sums to 1).
pub fn sharpen_kernel() -> Array2<f32> {
    ndarray::array![[0.0f32, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]
}

/// A `size x size` mean filter.
pub fn box_kernel(size: usize) -> Array2<f32> {
    Array2::from_elem((size, size), 1.0 / (size * size) as f32)
}

/// An 8-bit RGB pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

impl std::ops::Index<usize> for Rgb {
    type Output = u8;
    fn index(&self, c: usize) -> &u8 {
        &self.0[c]
    }
}

/// An 8-bit RGB image, row-major, 3 bytes a pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    width: u32,
    height: u32,
    pixels: Vec<Rgb>,
}

impl RgbImage {
    /// The image whose pixel `(x, y)` is `f(x, y)`.
    pub fn from_fn(width: u32, height: u32, mut f: impl FnMut(u32, u32) -> Rgb) -> Self {
        let pixels = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect();
        RgbImage {
            width,
            height,
            pixels,
        }
    }

    /// `(width, height)`.
    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The pixel at column `x`, row `y`.
    pub fn get_pixel(&self, x: u32, y: u32) -> &Rgb {
        &self.pixels[(y * self.width + x) as usize]
    }
}

/// Reads a PNG (any bit depth and colour type: palettes and grey are
/// expanded, 16-bit samples keep their high byte, alpha is dropped) as RGB.
pub fn open_png(path: &std::path::Path) -> Result<RgbImage, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the PNG is too large to decode in memory")?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let data = &buf[..frame.buffer_size()];
    let channels = frame.color_type.samples();
    let (w, h) = (frame.width, frame.height);
    Ok(RgbImage::from_fn(w, h, |x, y| {
        let at = ((y * w + x) as usize) * channels;
        match channels {
            1 | 2 => Rgb([data[at]; 3]),
            _ => Rgb([data[at], data[at + 1], data[at + 2]]),
        }
    }))
}

/// The red, green and blue channels of `image` as `f32` in `[0, 1]`.
pub fn to_channels(image: &RgbImage) -> [Array2<f32>; 3] {
    let (w, h) = image.dimensions();
    let shape = (h as usize, w as usize);
    std::array::from_fn(|c| {
        Array2::from_shape_fn(shape, |(y, x)| {
            f32::from(image.get_pixel(x as u32, y as u32)[c]) / 255.0
        })
    })
}

/// Quantises three channels (values clamped to `[0, 1]`) back to an RGB image.
pub fn from_channels(channels: &[Array2<f32>; 3]) -> RgbImage {
    let (h, w) = channels[0].dim();
    let quantise = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let at = [y as usize, x as usize];
        Rgb(std::array::from_fn(|c| quantise(channels[c][at])))
    })
}

/// Filters each of the three channels with the prepared `filters` (from
/// [`Named::build`]): the part of the example that is timed.
pub fn filter_channels(
    named: Named,
    filters: &[Filter2d<f32>],
    channels: &[Array2<f32>; 3],
) -> Result<[Array2<f32>; 3], simdconv::Error> {
    let [r, g, b] = channels;
    Ok([
        named.apply(filters, r.view())?,
        named.apply(filters, g.view())?,
        named.apply(filters, b.view())?,
    ])
}

/// The procedural test image (`assets/sample.png` is `sample_image(256)`):
/// a zone plate (rings whose frequency grows with the radius) in a disc,
/// on a checkerboard tinted by a colour gradient. Sharp edges for Sobel,
/// fine detail for blurs, smooth colour for everything.
pub fn sample_image(side: u32) -> RgbImage {
    let s = side as f32;
    let centre = (s - 1.0) / 2.0;
    let radius = 0.39 * s;
    let cell = (side / 8).max(1);
    RgbImage::from_fn(side, side, |x, y| {
        let (u, v) = (x as f32 / (s - 1.0), y as f32 / (s - 1.0));
        let (dx, dy) = (x as f32 - centre, y as f32 - centre);
        let r = (dx * dx + dy * dy).sqrt();
        let rgb = if r < radius {
            // Zone plate: phase pi r^2 / k, so the ring period at radius r
            // is 2k / (2r) = k / r pixels; about 3 pixels at the rim.
            let k = radius * 3.0;
            let rings = 0.5 + 0.5 * (std::f32::consts::PI * r * r / k).cos();
            [rings, rings * (0.6 + 0.4 * u), rings * (0.6 + 0.4 * v)]
        } else if r < radius + 4.0 {
            [1.0, 1.0, 1.0]
        } else {
            let checker = if (x / cell + y / cell) % 2 == 0 {
                1.0
            } else {
                0.35
            };
            [
                checker * (0.2 + 0.8 * u),
                checker * (0.9 - 0.6 * u * v),
                checker * (0.2 + 0.8 * v),
            ]
        };
        Rgb(rgb.map(|c: f32| (c.clamp(0.0, 1.0) * 255.0).round() as u8))
    })
}

/// Writes `image` as an 8-bit RGB PNG with the best compression (the
/// shipped images stay small).
pub fn save_png(image: &RgbImage, path: &std::path::Path) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), image.width, image.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    encoder.set_filter(png::Filter::Adaptive);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|p| p.0).collect();
    writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}

/// The narrow-pixel filters of a [`Named`] filter (`--pixels`): one
/// [`ImageFilter`] into the pixel type, or Sobel's two derivatives.
// One value per run, built once: its size (two filters for Sobel) costs
// nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum PixelFilter<P: Pixel> {
    /// Gaussian (the `f32` taps of [`gaussian_kernel`], summed in `f32`),
    /// sharpen (integer taps, saturating), box (taps 1, divisor `size^2`:
    /// the exact mean); each rounded half to even.
    Direct(ImageFilter<P>),
    /// The two 3x3 Sobel correlations with integer taps, into exact `i32`
    /// derivatives; the magnitude `sqrt(gx^2 + gy^2) / 4` is rounded half
    /// to even and clamped to the pixel range.
    Sobel(ImageFilter<P, i32>, ImageFilter<P, i32>),
}

impl Named {
    /// The filter on the pixels themselves (`u8` or `u16`), `Mode::Same`,
    /// with the border of [`Named::border`].
    pub fn build_pixels<P: Pixel>(self) -> Result<PixelFilter<P>, simdconv::Error> {
        let border = match self.border() {
            Border::Replicate => Border::Replicate,
            _ => Border::Symmetric,
        };
        let integer = |k: Array2<f32>| k.mapv(|t| t as i32);
        let direct = |f: ImageFilter<P>| PixelFilter::Direct(f.mode(Mode::Same).border(border));
        Ok(match self {
            Named::Gaussian(sigma) => direct(ImageFilter::correlation(&gaussian_kernel(sigma))?),
            Named::Sharpen => direct(ImageFilter::correlation(&integer(sharpen_kernel()))?),
            Named::Box(size) => direct(
                ImageFilter::correlation(&Array2::from_elem((size, size), 1i32))?
                    .divisor((size * size) as u32),
            ),
            Named::Sobel => {
                let (gx, gy) = sobel_kernels();
                let derivative = |k: Array2<f32>| -> Result<ImageFilter<P, i32>, simdconv::Error> {
                    Ok(ImageFilter::<P>::correlation(&integer(k))?
                        .mode(Mode::Same)
                        .border(border)
                        .output::<i32>())
                };
                PixelFilter::Sobel(derivative(gx)?, derivative(gy)?)
            }
        })
    }
}

impl<P: Pixel> PixelFilter<P> {
    /// Filters the colour channels of `image` `(H, W, C)`: all `C`, or the
    /// first `C - 1` when `alpha` (a strided view, no copy), whose last
    /// channel is copied through unchanged.
    pub fn apply(
        &self,
        image: ArrayView3<'_, P>,
        alpha: bool,
    ) -> Result<Array3<P>, simdconv::Error> {
        let (h, w, c) = image.dim();
        let colour = if alpha { c.saturating_sub(1) } else { c };
        let colours = image.slice(s![.., .., ..colour]);
        let mut out = Array3::<P>::default((h, w, c));
        match self {
            PixelFilter::Direct(f) => {
                f.apply_channels_last_into(colours, out.slice_mut(s![.., .., ..colour]))?
            }
            PixelFilter::Sobel(gx, gy) => {
                let (x, y) = (
                    gx.apply_channels_last(colours)?,
                    gy.apply_channels_last(colours)?,
                );
                Zip::from(out.slice_mut(s![.., .., ..colour]))
                    .and(&x)
                    .and(&y)
                    .for_each(|o, &x, &y| {
                        let magnitude = f64::from(x).hypot(f64::from(y)) / 4.0;
                        *o = P::from_float(magnitude.round_ties_even(), true);
                    });
            }
        }
        if alpha {
            out.slice_mut(s![.., .., colour..])
                .assign(&image.slice(s![.., .., colour..]));
        }
        Ok(out)
    }

    /// The accumulator the sums run in (see `ImageFilter::accumulator`).
    pub fn accumulator(&self) -> &'static str {
        match self {
            PixelFilter::Direct(f) => f.accumulator(),
            PixelFilter::Sobel(gx, _) => gx.accumulator(),
        }
    }

    /// The backend that runs.
    pub fn resolved_backend(&self) -> Result<Backend, simdconv::Error> {
        match self {
            PixelFilter::Direct(f) => f.resolved_backend(),
            PixelFilter::Sobel(gx, _) => gx.resolved_backend(),
        }
    }

    /// The number of `ImageFilter` calls per image.
    pub fn calls(&self) -> usize {
        match self {
            PixelFilter::Direct(_) => 1,
            PixelFilter::Sobel(..) => 2,
        }
    }
}

/// A PNG sample type: `u8` (8-bit PNGs) or `u16` (16-bit PNGs).
pub trait Sample: Pixel {
    /// The PNG bit depth.
    const DEPTH: png::BitDepth;
    /// The samples in PNG's byte order (big-endian for 16 bits), row-major.
    fn png_bytes(image: ArrayView3<'_, Self>) -> Vec<u8>;
}

impl Sample for u8 {
    const DEPTH: png::BitDepth = png::BitDepth::Eight;
    fn png_bytes(image: ArrayView3<'_, u8>) -> Vec<u8> {
        image.iter().copied().collect()
    }
}

impl Sample for u16 {
    const DEPTH: png::BitDepth = png::BitDepth::Sixteen;
    fn png_bytes(image: ArrayView3<'_, u16>) -> Vec<u8> {
        image.iter().flat_map(|v| v.to_be_bytes()).collect()
    }
}

/// A decoded PNG's samples, interleaved row by row: `width * height *
/// channels` values of `S`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Png<S> {
    pub width: u32,
    pub height: u32,
    /// Grayscale, GrayscaleAlpha, Rgb or Rgba (palettes are expanded).
    pub color: png::ColorType,
    pub samples: Vec<S>,
}

impl<S> Png<S> {
    /// Whether the last channel is alpha.
    pub fn alpha(&self) -> bool {
        matches!(
            self.color,
            png::ColorType::GrayscaleAlpha | png::ColorType::Rgba
        )
    }

    /// The samples as `(H, W, C)`: a view of the decoded buffer, no copy.
    pub fn view(&self) -> Result<ArrayView3<'_, S>, String> {
        let shape = (
            self.height as usize,
            self.width as usize,
            self.color.samples(),
        );
        ArrayView3::from_shape(shape, &self.samples).map_err(|e| format!("{shape:?}: {e}"))
    }
}

/// A PNG at its own bit depth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnyPng {
    Eight(Png<u8>),
    Sixteen(Png<u16>),
}

/// Reads a PNG's samples as they are: palettes become RGB(A), grey of
/// fewer than 8 bits becomes 8-bit, a tRNS chunk becomes alpha; 16-bit
/// samples stay 16-bit.
///
/// 16-bit samples are decoded straight into the `u16` buffer: `png` writes
/// big-endian bytes into `bytemuck::cast_slice_mut(&mut samples)` (a
/// `&mut [u8]` over the same memory, always aligned), and one in-place
/// pass, `u16::from_be`, puts them in native order (a no-op on big-endian
/// machines). No second buffer, and [`Png::view`] views it as is.
pub fn open_png_samples(path: &std::path::Path) -> Result<AnyPng, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the PNG is too large to decode in memory")?;
    let (_, depth) = reader.output_color_type();
    if depth == png::BitDepth::Sixteen {
        let mut samples = vec![0u16; size.div_ceil(2)];
        let frame = reader
            .next_frame(bytemuck::cast_slice_mut(&mut samples))
            .map_err(|e| e.to_string())?;
        samples.truncate(frame.buffer_size() / 2);
        for v in &mut samples {
            *v = u16::from_be(*v);
        }
        Ok(AnyPng::Sixteen(Png {
            width: frame.width,
            height: frame.height,
            color: frame.color_type,
            samples,
        }))
    } else {
        let mut samples = vec![0u8; size];
        let frame = reader.next_frame(&mut samples).map_err(|e| e.to_string())?;
        samples.truncate(frame.buffer_size());
        Ok(AnyPng::Eight(Png {
            width: frame.width,
            height: frame.height,
            color: frame.color_type,
            samples,
        }))
    }
}

/// Writes `(H, W, C)` samples as a PNG of colour type `color` at `S`'s bit
/// depth.
pub fn save_png_samples<S: Sample>(
    image: ArrayView3<'_, S>,
    color: png::ColorType,
    path: &std::path::Path,
) -> Result<(), String> {
    let (h, w, c) = image.dim();
    if c != color.samples() {
        return Err(format!("{c} channels for a {color:?} PNG"));
    }
    let (w, h) = (
        u32::try_from(w).map_err(|e| e.to_string())?,
        u32::try_from(h).map_err(|e| e.to_string())?,
    );
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(color);
    encoder.set_depth(S::DEPTH);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&S::png_bytes(image))
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}
