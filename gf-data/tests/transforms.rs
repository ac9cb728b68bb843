//! Image and tensor transforms against torchvision (fixtures from
//! tests/fixtures/transforms/make_fixtures.py) and the statistics of the random ones.

mod common;

use std::collections::BTreeMap;

use gf_core::ops::create::TensorCreate;
use gf_core::rng::Xoshiro256;
use gf_core::shape::{Const, DynShape};
use gf_core::{Cpu, Tensor};
use gf_data::transforms::*;
use gf_data::{compose, DataLoader, Dataset, Image};
use serde_json::Value;

use common::{floats, usizes};

fn fixtures() -> Value {
    common::read_json("transforms", "expected.json")
}

/// A JSON array of numbers as f32, as torch holds them.
fn f32s(v: &Value) -> Vec<f32> {
    floats(v).into_iter().map(|x| x as f32).collect()
}

fn image_of(v: &Value) -> Image {
    let data = usizes(&v["data"]).into_iter().map(|x| x as u8).collect();
    let n = |k: &str| v[k].as_u64().unwrap() as usize;
    Image::new(n("w"), n("h"), n("c"), data).unwrap()
}

fn mode_of(v: &Value) -> InterpolationMode {
    match v.as_str().unwrap() {
        "nearest" => InterpolationMode::Nearest,
        "bilinear" => InterpolationMode::Bilinear,
        "bicubic" => InterpolationMode::Bicubic,
        "box" => InterpolationMode::Box,
        "hamming" => InterpolationMode::Hamming,
        "lanczos" => InterpolationMode::Lanczos,
        m => panic!("unknown mode {m}"),
    }
}

fn padding_mode_of(v: &Value) -> PaddingMode {
    match v.as_str().unwrap() {
        "constant" => PaddingMode::Constant,
        "edge" => PaddingMode::Edge,
        "reflect" => PaddingMode::Reflect,
        "symmetric" => PaddingMode::Symmetric,
        m => panic!("unknown padding mode {m}"),
    }
}

fn fill_of(v: &Value) -> Fill {
    match v {
        Value::Array(_) => Fill::from(usizes(v).into_iter().map(|x| x as u8).collect::<Vec<_>>()),
        _ => Fill::from(v.as_u64().unwrap() as u8),
    }
}

fn size_of(v: &Value) -> Size {
    match v {
        Value::Array(_) => {
            let s = usizes(v);
            Size::Exact(s[0], s[1])
        }
        _ => Size::Shorter(v.as_u64().unwrap() as usize),
    }
}

enum Out {
    Image(Image),
    Tensor(Vec<usize>, Vec<f32>),
}

/// Replays one fixture case through gf-data.
fn run(case: &Value, input: Image) -> Out {
    let a = &case["args"];
    let f = |k: &str| a[k].as_f64().unwrap();
    let u = |k: &str| a[k].as_u64().unwrap() as usize;
    let mut rng = Xoshiro256::new(0);
    let img = match case["op"].as_str().unwrap() {
        "resize" => Resize::new(size_of(&a["size"]))
            .interpolation(mode_of(&a["mode"]))
            .apply(input, &mut rng)
            .unwrap(),
        "center_crop" => {
            let s = usizes(&a["size"]);
            CenterCrop::new((s[0], s[1]))
                .apply(input, &mut rng)
                .unwrap()
        }
        "pad" => {
            let p = usizes(&a["padding"]);
            pad(
                &input,
                [p[0], p[1], p[2], p[3]],
                fill_of(&a["fill"]),
                padding_mode_of(&a["mode"]),
            )
            .unwrap()
        }
        "random_crop" => {
            let s = usizes(&a["size"]);
            let p = usizes(&a["padding"]);
            RandomCrop::new((s[0], s[1]))
                .padding([p[0], p[1], p[2], p[3]])
                .fill(fill_of(&a["fill"]))
                .padding_mode(padding_mode_of(&a["mode"]))
                .pad_if_needed(a["pad_if_needed"].as_bool().unwrap())
                .crop_at(&input, u("top"), u("left"))
                .unwrap()
        }
        "hflip" => hflip(input),
        "vflip" => vflip(input),
        "rotate" => {
            let center = a["center"].as_array().map(|c| {
                let c: Vec<f64> = c.iter().map(|v| v.as_f64().unwrap()).collect();
                (c[0], c[1])
            });
            rotate(
                &input,
                f("angle"),
                mode_of(&a["mode"]),
                a["expand"].as_bool().unwrap(),
                center,
                fill_of(&a["fill"]),
            )
            .unwrap()
        }
        "brightness" => adjust_brightness(input, f("factor")).unwrap(),
        "contrast" => adjust_contrast(input, f("factor")).unwrap(),
        "saturation" => adjust_saturation(input, f("factor")).unwrap(),
        "hue" => adjust_hue(input, f("factor")).unwrap(),
        "resized_crop" => {
            let s = usizes(&a["size"]);
            resized_crop(
                &input,
                (u("top"), u("left"), u("h"), u("w")),
                (s[0], s[1]),
                mode_of(&a["mode"]),
            )
            .unwrap()
        }
        "to_tensor" => {
            let t = ToTensor.apply(input, &mut rng).unwrap();
            return Out::Tensor(t.dims(), t.to_vec());
        }
        "normalize" => {
            let norm = Normalize::new(f32s(&a["mean"]), f32s(&a["std"])).unwrap();
            let t = ToTensor.then(norm).apply(input, &mut rng).unwrap();
            return Out::Tensor(t.dims(), t.to_vec());
        }
        op => panic!("unknown op {op}"),
    };
    Out::Image(img)
}

/// Per op: cases, the largest byte difference, differing bytes and all bytes.
#[derive(Default, Debug)]
struct Stats {
    cases: usize,
    max_diff: i32,
    differing: usize,
    total: usize,
}

#[test]
fn matches_torchvision_on_deterministic_transforms() {
    let fx = fixtures();
    let images: BTreeMap<String, Image> = fx["images"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), image_of(v)))
        .collect();
    let mut stats: BTreeMap<String, Stats> = BTreeMap::new();
    let mut tensor_max_err = 0f32;
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let op = case["op"].as_str().unwrap().to_string();
        let input = images[case["input"].as_str().unwrap()].clone();
        match run(case, input) {
            Out::Image(got) => {
                let want = image_of(case);
                assert_eq!(
                    (got.width(), got.height(), got.channels()),
                    (want.width(), want.height(), want.channels()),
                    "{name}: size"
                );
                let s = stats.entry(op).or_default();
                s.cases += 1;
                s.total += want.data().len();
                for (&g, &w) in got.data().iter().zip(want.data()) {
                    let d = (g as i32 - w as i32).abs();
                    if d > 0 {
                        s.differing += 1;
                        s.max_diff = s.max_diff.max(d);
                    }
                }
                if std::env::var("GF_SHOW_DIFFS").is_ok() && got != want {
                    eprintln!("{name}:\n got {:?}\nwant {:?}", got.data(), want.data());
                }
            }
            Out::Tensor(dims, data) => {
                assert_eq!(dims, usizes(&case["shape"]), "{name}: shape");
                let want = f32s(&case["data"]);
                for (g, w) in data.iter().zip(&want) {
                    tensor_max_err = tensor_max_err.max((g - w).abs());
                }
                stats.entry(op).or_default().cases += 1;
            }
        }
    }
    eprintln!("{stats:#?}\ntensor max abs error {tensor_max_err:e}");
    // to_tensor and normalize repeat torch's f32 arithmetic exactly.
    assert_eq!(tensor_max_err, 0.0);
    for (op, s) in &stats {
        assert!(s.cases > 0, "{op}");
        assert_eq!(s.max_diff, 0, "{op}: {s:?}");
    }
    assert_eq!(stats.len(), 14, "{:?}", stats.keys());
}

#[test]
fn fixture_png_decodes_to_the_fixture_pixels() {
    let fx = fixtures();
    for (name, colour) in [("rgb", 3), ("gray", 1)] {
        let path = common::fixture_path("transforms", &format!("input_{name}.png"));
        let png = image::open(path).unwrap();
        let data = if colour == 3 {
            png.to_rgb8().into_raw()
        } else {
            png.to_luma8().into_raw()
        };
        let img = Image::new(png.width() as usize, png.height() as usize, colour, data).unwrap();
        assert_eq!(img, image_of(&fx["images"][name]), "{name}");
    }
}

fn test_image(w: usize, h: usize) -> Image {
    // Pixel (x, y) holds x in red and y in green, so a crop's offset can be read back.
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[x as u8, y as u8, 77]);
        }
    }
    Image::new(w, h, 3, data).unwrap()
}

#[test]
fn random_crop_repeats_by_seed_and_covers_every_offset() {
    let t = RandomCrop::new(24).padding(4);
    let img = test_image(32, 32);
    let a = t.apply(img.clone(), &mut Xoshiro256::new(3)).unwrap();
    assert_eq!(a, t.apply(img.clone(), &mut Xoshiro256::new(3)).unwrap());
    let distinct = (0..20)
        .map(|s| t.apply(img.clone(), &mut Xoshiro256::new(s)).unwrap())
        .collect::<Vec<_>>();
    assert!(distinct.iter().any(|o| *o != distinct[0]));
    // Offsets into the 40x40 padded image run over 0..=16 in each direction, each about equally
    // often. Pixel (12, 12) of the crop is source pixel (left + 8, top + 8), never padding.
    let mut seen = [[0usize; 17]; 17];
    let mut rng = Xoshiro256::new(11);
    let n = 17 * 17 * 40;
    for _ in 0..n {
        let out = t.apply(img.clone(), &mut rng).unwrap();
        let p = out.pixel(12, 12);
        seen[p[1] as usize - 8][p[0] as usize - 8] += 1;
    }
    let (lo, hi) = (
        seen.iter().flatten().min().unwrap(),
        seen.iter().flatten().max().unwrap(),
    );
    assert!(
        *lo >= 15 && *hi <= 70,
        "offset counts range over {lo}..{hi}"
    );
    assert_eq!(seen.iter().flatten().sum::<usize>(), n);
}

#[test]
fn flips_happen_at_rate_p() {
    let img = test_image(4, 3);
    for p in [0.0, 0.3, 0.5, 1.0] {
        let t = RandomHorizontalFlip::new(p);
        let v = RandomVerticalFlip::new(p);
        let mut rng = Xoshiro256::new(1);
        let n = 4000;
        let (mut h_flips, mut v_flips) = (0, 0);
        for _ in 0..n {
            if t.apply(img.clone(), &mut rng).unwrap() != img {
                h_flips += 1;
            }
            if v.apply(img.clone(), &mut rng).unwrap() != img {
                v_flips += 1;
            }
        }
        // Within 4 standard deviations of n p.
        let tol = 4.0 * (n as f64 * p * (1.0 - p)).sqrt() + 0.5;
        for flips in [h_flips, v_flips] {
            assert!(
                (flips as f64 - n as f64 * p).abs() <= tol,
                "p = {p}: {flips} of {n}"
            );
        }
    }
    assert_eq!(RandomHorizontalFlip::default().p, 0.5);
}

#[test]
fn tensor_flips_match_image_flips() {
    let img = test_image(5, 4);
    let mut always = Xoshiro256::new(0);
    let t = ToTensor.apply(img.clone(), &mut always).unwrap();
    let h = RandomHorizontalFlipTensor::new(1.0)
        .apply(t.clone(), &mut always)
        .unwrap();
    assert_eq!(h.to_vec(), to_tensor(&hflip(img.clone())).unwrap().to_vec());
    let v = RandomVerticalFlipTensor::from(RandomVerticalFlip::new(1.0))
        .apply(t, &mut always)
        .unwrap();
    assert_eq!(v.to_vec(), to_tensor(&vflip(img)).unwrap().to_vec());
}

#[test]
fn gaussian_noise_has_its_mean_and_std_and_repeats_by_seed() {
    let dev = Cpu::default();
    let n = 200_000;
    let t: Tensor<DynShape, f32, Cpu> = dev
        .try_tensor_from_vec(vec![0.5f32; n], DynShape(vec![2, 100, 1000]))
        .unwrap();
    let noise = GaussianNoise::new(0.05, 0.2).unwrap().clip(false);
    let a = noise.apply(t.clone(), &mut Xoshiro256::new(4)).unwrap();
    assert_eq!(a.dims(), [2, 100, 1000]);
    let b = noise.apply(t.clone(), &mut Xoshiro256::new(4)).unwrap();
    assert_eq!(a.to_vec(), b.to_vec());
    let c = noise.apply(t.clone(), &mut Xoshiro256::new(5)).unwrap();
    assert_ne!(a.to_vec(), c.to_vec());
    let d: Vec<f64> = a.to_vec().iter().map(|&x| x as f64 - 0.5).collect();
    let mean = d.iter().sum::<f64>() / n as f64;
    let std = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    assert!((mean - 0.05).abs() < 0.003, "mean {mean}");
    assert!((std - 0.2).abs() < 0.003, "std {std}");
    // Clipped by default, like torchvision's v2.GaussianNoise.
    let clipped = GaussianNoise::new(0.0, 1.0)
        .unwrap()
        .apply(t, &mut Xoshiro256::new(4))
        .unwrap();
    assert!(clipped.to_vec().iter().all(|&x| (0.0..=1.0).contains(&x)));
    assert!(GaussianNoise::new(0.0, -1.0).is_err());
}

#[test]
fn random_rotation_and_color_jitter_follow_their_draws() {
    let img = test_image(9, 7);
    let rot = RandomRotation::new((-40.0, 40.0)).unwrap().fill(5);
    let mut r1 = Xoshiro256::new(8);
    let got = rot.apply(img.clone(), &mut r1).unwrap();
    let angle = Xoshiro256::new(8).uniform(-40.0, 40.0);
    let want = rotate(&img, angle, InterpolationMode::Nearest, false, None, 5).unwrap();
    assert_eq!(got, want);
    let angles: Vec<Image> = (0..5)
        .map(|s| rot.apply(img.clone(), &mut Xoshiro256::new(s)).unwrap())
        .collect();
    assert!(angles.iter().any(|o| *o != angles[0]));

    let jitter = ColorJitter::new(0.5, 0.5, 0.5, 0.2).unwrap();
    let got = jitter.apply(img.clone(), &mut Xoshiro256::new(2)).unwrap();
    let (order, b, c, s, h) = jitter.get_params(&mut Xoshiro256::new(2));
    let mut order_sorted = order.clone();
    order_sorted.sort_unstable();
    assert_eq!(order_sorted, [0, 1, 2, 3]);
    let mut want = img.clone();
    for step in order {
        want = match step {
            0 => adjust_brightness(want, b.unwrap()).unwrap(),
            1 => adjust_contrast(want, c.unwrap()).unwrap(),
            2 => adjust_saturation(want, s.unwrap()).unwrap(),
            _ => adjust_hue(want, h.unwrap()).unwrap(),
        };
    }
    assert_eq!(got, want);
    // Factors stay in their ranges, and every order turns up.
    let mut orders = std::collections::BTreeSet::new();
    let mut rng = Xoshiro256::new(0);
    for _ in 0..2000 {
        let (order, b, c, s, h) = jitter.get_params(&mut rng);
        orders.insert(order);
        for f in [b, c, s] {
            assert!((0.5..1.5).contains(&f.unwrap()));
        }
        assert!((-0.2..0.2).contains(&h.unwrap()));
    }
    assert_eq!(orders.len(), 24);
    assert_eq!(
        ColorJitter::new(0.0, 0.0, 0.0, 0.0).unwrap().brightness,
        None
    );
}

#[test]
fn random_resized_crop_draws_regions_within_scale_and_ratio() {
    let t = RandomResizedCrop::new((8, 6));
    let mut rng = Xoshiro256::new(9);
    let (h, w) = (60usize, 80usize);
    for _ in 0..2000 {
        let (top, left, ch, cw) = t.get_params(h, w, &mut rng);
        assert!(top + ch <= h && left + cw <= w && ch > 0 && cw > 0);
        let area = (ch * cw) as f64 / (h * w) as f64;
        let ratio = cw as f64 / ch as f64;
        // Rounding to whole pixels moves area and ratio a little off their ranges.
        assert!((0.06..=1.0).contains(&area), "area {area}");
        assert!((0.6..=1.45).contains(&ratio), "ratio {ratio}");
    }
    let img = test_image(80, 60);
    let out = t.apply(img.clone(), &mut Xoshiro256::new(1)).unwrap();
    assert_eq!((out.height(), out.width()), (8, 6));
    assert_eq!(out, t.apply(img, &mut Xoshiro256::new(1)).unwrap());
    // A range that can never fit falls back to the central crop of the allowed ratio.
    let wide = RandomResizedCrop::new(4)
        .scale((0.9, 1.0))
        .ratio((3.0, 4.0));
    assert_eq!(wide.get_params(20, 10, &mut rng), (8, 0, 3, 10));
}

#[test]
fn typed_tensors_batch_through_the_data_loader() {
    let images: Vec<Image> = (0..10).map(|i| test_image(8 + i % 3, 8)).collect();
    let pipeline = compose!(
        CenterCrop::new(8),
        RandomCrop::new(8)
            .padding(2)
            .padding_mode(PaddingMode::Reflect),
        RandomHorizontalFlip::default(),
        ToTensorTyped::<3, 8, 8>,
        Normalize::new([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]).unwrap(),
    );
    let loader = DataLoader::new(images.transform(pipeline))
        .batch_size(4)
        .seed(7);
    let mut n = 0;
    for batch in loader.iter() {
        let batch: Tensor<(usize, Const<3>, Const<8>, Const<8>), f32, Cpu> = batch.unwrap();
        assert_eq!(&batch.dims()[1..], [3, 8, 8]);
        n += batch.dims()[0];
    }
    assert_eq!(n, 10);
    // Generic tensor transforms chain after one another with left-nested `then` (inside
    // `compose!`, which nests to the right, a generic one can only come last).
    let tail = ToTensor
        .then(Normalize::new([0.5], [0.5]).unwrap())
        .then(RandomHorizontalFlipTensor::default())
        .then(GaussianNoise::default());
    let t = tail
        .apply(test_image(5, 4), &mut Xoshiro256::new(0))
        .unwrap();
    assert_eq!(t.dims(), [3, 4, 5]);
    // A size the type does not allow is an error naming both sizes.
    let err = ToTensorTyped::<3, 8, 8>
        .apply(test_image(9, 8), &mut Xoshiro256::new(0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("3x8x8") && err.contains("3x8x9"), "{err}");
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    let mut rng = Xoshiro256::new(0);
    let t = ToTensor.apply(test_image(4, 4), &mut rng).unwrap();
    let err = Normalize::new([0.5, 0.5], [0.2, 0.2])
        .unwrap()
        .apply(t, &mut rng)
        .unwrap_err()
        .to_string();
    assert!(err.contains("3 channels"), "{err}");
    assert!(Normalize::new([0.5], [0.0]).is_err());
    assert!(Normalize::new(Vec::<f32>::new(), [1.0]).is_err());
    let img = test_image(4, 4);
    assert!(RandomCrop::new(5).apply(img.clone(), &mut rng).is_err());
    assert!(RandomCrop::new(5)
        .pad_if_needed(true)
        .apply(img.clone(), &mut rng)
        .is_ok());
    assert!(RandomCrop::new(2)
        .fill([1u8, 2])
        .padding(1)
        .apply(img.clone(), &mut rng)
        .is_err());
    assert!(Resize::new((4, 4))
        .max_size(10)
        .apply(img.clone(), &mut rng)
        .is_err());
    assert!(Resize::new(4)
        .max_size(4)
        .apply(img.clone(), &mut rng)
        .is_err());
    assert!(resize(
        &Image::zeros(0, 0, 3).unwrap(),
        2,
        2,
        InterpolationMode::Bilinear
    )
    .is_err());
    assert!(pad(&Image::zeros(0, 3, 1).unwrap(), 1, 0, PaddingMode::Reflect).is_err());
    assert!(adjust_brightness(img.clone(), -1.0).is_err());
    assert!(adjust_hue(img.clone(), 0.51).is_err());
    assert!(resized_crop(&img, (2, 2, 3, 3), (2, 2), InterpolationMode::Bilinear).is_err());
    let scalar: Tensor<DynShape, f32, Cpu> = Cpu::default()
        .try_tensor_from_vec(vec![1.0], DynShape(vec![]))
        .unwrap();
    assert!(RandomHorizontalFlipTensor::new(1.0)
        .apply(scalar, &mut rng)
        .is_err());
}

#[test]
fn resize_follows_torchvision_output_sizes() {
    // Shorter side to n, the longer one int(n * long / short); max_size caps the longer one.
    assert_eq!(
        resized_output_size(11, 13, Size::Shorter(6), None).unwrap(),
        (6, 7)
    );
    assert_eq!(
        resized_output_size(40, 20, Size::Shorter(10), None).unwrap(),
        (20, 10)
    );
    assert_eq!(
        resized_output_size(10, 100, Size::Shorter(10), Some(50)).unwrap(),
        (5, 50)
    );
    assert_eq!(
        resized_output_size(10, 100, Size::Exact(3, 4), None).unwrap(),
        (3, 4)
    );
}
