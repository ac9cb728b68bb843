//! The DataLoader's contract: order fixed by seed and epoch whatever the worker count, failing
//! samples surfacing as errors in place, bounded prefetch, and samplers plugged in.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use gf_core::rng::Xoshiro256;
use gf_data::{
    DataLoader, Dataset, Error, FnTransform, RandomSampler, Result, SubsetRandomSampler,
    WeightedRandomSampler,
};
use proptest::prelude::*;

/// Sample `i` is `(i as f32 feature pair, label i % 3)`, with an optional poisoned index.
struct Numbers {
    len: usize,
    poisoned: Option<usize>,
    panicking: Option<usize>,
    fetched: Arc<AtomicUsize>,
}

impl Numbers {
    fn new(len: usize) -> Self {
        Numbers {
            len,
            poisoned: None,
            panicking: None,
            fetched: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Dataset for Numbers {
    type Item = ([f32; 2], usize);
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, index: usize) -> Result<Self::Item> {
        self.fetched.fetch_add(1, Ordering::SeqCst);
        if Some(index) == self.poisoned {
            return Err(Error::format(
                format!("images/{index}.png"),
                "byte 33",
                "unexpected end of file",
            ));
        }
        if Some(index) == self.panicking {
            panic!("sample {index} exploded");
        }
        Ok(([index as f32, -(index as f32)], index % 3))
    }
}

fn epoch_features(workers: usize, seed: u64, epochs: usize) -> Vec<Vec<Vec<f32>>> {
    let loader = DataLoader::new(Numbers::new(103))
        .batch_size(8)
        .shuffle(true)
        .seed(seed)
        .num_workers(workers);
    (0..epochs)
        .map(|_| {
            loader
                .iter()
                .map(|b| b.expect("batch").0.to_vec())
                .collect()
        })
        .collect()
}

#[test]
fn same_batches_in_the_same_order_for_0_1_and_2_workers() {
    let serial = epoch_features(0, 42, 2);
    assert_eq!(serial, epoch_features(1, 42, 2));
    assert_eq!(serial, epoch_features(2, 42, 2));
    assert_eq!(serial, epoch_features(3, 42, 2));
    // Every epoch is a new permutation of all samples; the seed changes it.
    assert_ne!(serial[0], serial[1]);
    assert_ne!(serial, epoch_features(0, 43, 2));
    for epoch in &serial {
        let mut firsts: Vec<i64> = epoch
            .iter()
            .flat_map(|b| b.chunks(2).map(|p| p[0] as i64))
            .collect();
        assert_eq!(firsts.len(), 103);
        firsts.sort_unstable();
        assert_eq!(firsts, (0..103).collect::<Vec<_>>());
    }
}

#[test]
fn length_and_drop_last() {
    let keep = DataLoader::new(Numbers::new(10)).batch_size(4);
    assert_eq!(keep.len(), 3);
    let sizes: Vec<usize> = keep.iter().map(|b| b.unwrap().1.dims()[0]).collect();
    assert_eq!(sizes, [4, 4, 2]);
    let drop = DataLoader::new(Numbers::new(10))
        .batch_size(4)
        .drop_last(true);
    assert_eq!(drop.len(), 2);
    let batches = drop.iter();
    assert_eq!(batches.len(), 2);
    assert_eq!(batches.count(), 2);
    let bad = DataLoader::new(Numbers::new(10)).batch_size(0);
    let results: Vec<_> = bad.iter().collect();
    assert_eq!(results.len(), 1);
    assert!(results[0].as_ref().is_err());
}

#[test]
fn a_failing_sample_is_an_error_in_its_batch_place_naming_it() {
    for workers in [0, 2] {
        let mut ds = Numbers::new(20);
        ds.poisoned = Some(13);
        let loader = DataLoader::new(ds).batch_size(5).num_workers(workers);
        let results: Vec<_> = loader.iter().collect();
        assert_eq!(results.len(), 4, "no batch is dropped");
        assert!(results[0].is_ok() && results[1].is_ok() && results[3].is_ok());
        let err = results[2].as_ref().expect_err("batch 2 fails").to_string();
        assert_eq!(
            err,
            "sample 13: images/13.png: byte 33: unexpected end of file"
        );
    }
}

#[test]
fn a_panicking_sample_is_an_error_not_a_hang() {
    for workers in [0, 2] {
        let mut ds = Numbers::new(12);
        ds.panicking = Some(5);
        let loader = DataLoader::new(ds).batch_size(4).num_workers(workers);
        let results: Vec<_> = loader.iter().collect();
        assert_eq!(results.len(), 3);
        let err = results[1].as_ref().expect_err("batch 1 fails").to_string();
        assert!(err.contains("sample 5 exploded"), "{err}");
        assert!(results[2].is_ok());
    }
}

#[test]
fn workers_prefetch_a_bounded_number_of_batches() {
    let ds = Numbers::new(400);
    let fetched = Arc::clone(&ds.fetched);
    let loader = DataLoader::new(ds)
        .batch_size(4)
        .num_workers(2)
        .prefetch_factor(3);
    let mut batches = loader.iter();
    batches.next().unwrap().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    // One consumed batch plus at most 2 workers x 3 batches ahead.
    let seen = fetched.load(Ordering::SeqCst);
    assert!(seen <= (1 + 6) * 4, "{seen} samples fetched");
    assert!(seen >= 4);
    drop(batches);
    // Dropping an unfinished epoch stops the workers.
    let after = fetched.load(Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(after, fetched.load(Ordering::SeqCst));
}

#[test]
fn random_transforms_repeat_for_any_worker_count_and_change_per_epoch() {
    let run = |workers| {
        let ds = (0..30u64).collect::<Vec<_>>().transform(FnTransform(
            |x: u64, rng: &mut Xoshiro256| Ok(x as f64 + rng.next_f64()),
        ));
        let loader = DataLoader::new(ds)
            .batch_size(7)
            .shuffle(true)
            .seed(5)
            .num_workers(workers);
        let a: Vec<Vec<f64>> = loader.iter().map(|b| b.unwrap().to_vec()).collect();
        let b: Vec<Vec<f64>> = loader.iter().map(|b| b.unwrap().to_vec()).collect();
        (a, b)
    };
    let (a0, b0) = run(0);
    assert_eq!((a0.clone(), b0.clone()), run(2));
    let frac = |v: &Vec<Vec<f64>>| -> Vec<f64> {
        let mut all: Vec<f64> = v.iter().flatten().copied().collect();
        all.sort_by(f64::total_cmp);
        all.iter().map(|x| x.fract()).collect()
    };
    assert_ne!(frac(&a0), frac(&b0), "a new augmentation each epoch");
}

#[test]
fn samplers_plug_in() {
    let weighted = WeightedRandomSampler::new(&[0.0, 1.0, 0.0, 1.0], 40, true, 1).unwrap();
    let loader = DataLoader::new((0..4usize).collect::<Vec<_>>())
        .batch_size(10)
        .sampler(weighted);
    let drawn: Vec<usize> = loader.iter().flat_map(|b| b.unwrap().to_vec()).collect();
    assert_eq!(drawn.len(), 40);
    assert!(drawn.iter().all(|&i| i == 1 || i == 3));

    let subset = DataLoader::new((0..10usize).collect::<Vec<_>>())
        .batch_size(2)
        .sampler(SubsetRandomSampler::new(vec![2, 4, 6], 0));
    assert_eq!(subset.len(), 2);

    let with_replacement = DataLoader::new((0..3usize).collect::<Vec<_>>())
        .batch_size(5)
        .sampler(RandomSampler::new(0).with_replacement(10));
    assert_eq!(with_replacement.iter().count(), 2);

    let custom = DataLoader::new((0..10usize).collect::<Vec<_>>())
        .batch_sampler(vec![vec![9, 0], vec![5, 5, 5]]);
    let got: Vec<Vec<usize>> = custom.iter().map(|b| b.unwrap().to_vec()).collect();
    assert_eq!(got, [vec![9, 0], vec![5, 5, 5]]);
}

#[test]
fn custom_collate() {
    let loader = DataLoader::with_collate((0..7i64).collect::<Vec<_>>(), |items| {
        Ok(items.iter().sum::<i64>())
    })
    .batch_size(3);
    let sums: Vec<i64> = loader.iter().map(|b| b.unwrap()).collect();
    assert_eq!(sums, [3, 12, 6]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// The loader's batches are the reference: the sampler's order cut into chunks.
    #[test]
    fn batches_match_the_naive_chunking(
        len in 0usize..60,
        batch_size in 1usize..9,
        drop_last: bool,
        shuffle: bool,
        workers in 0usize..3,
        seed: u64,
    ) {
        let loader = DataLoader::new((0..len).collect::<Vec<usize>>())
            .batch_size(batch_size)
            .drop_last(drop_last)
            .shuffle(shuffle)
            .seed(seed)
            .num_workers(workers);
        let got: Vec<Vec<usize>> = loader.iter_epoch(3).map(|b| b.unwrap().to_vec()).collect();
        let order = if shuffle {
            Xoshiro256::for_keys(seed, &[3]).permutation(len)
        } else {
            (0..len).collect()
        };
        let mut expected: Vec<Vec<usize>> = order.chunks(batch_size).map(<[usize]>::to_vec).collect();
        if drop_last && expected.last().is_some_and(|b| b.len() < batch_size) {
            expected.pop();
        }
        prop_assert_eq!(loader.len(), expected.len());
        prop_assert_eq!(got, expected);
    }
}

#[test]
fn streams_batch_and_report_failures_by_position() {
    use gf_data::loader::stream_batches;
    use gf_data::{FetchContext, IterFn};
    let stream = IterFn(|ctx: FetchContext| {
        (0..7usize).map(move |i| {
            if i == 4 {
                Err(Error::argument("read", "bad record"))
            } else {
                Ok(i + ctx.epoch as usize * 100)
            }
        })
    });
    let ctx = FetchContext { seed: 0, epoch: 1 };
    let out: Vec<_> = stream_batches(&stream, ctx, 3, false).collect();
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].as_ref().unwrap().to_vec(), [100, 101, 102]);
    assert!(out[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .starts_with("sample 4:"));
    // The failing item takes its batch (3, 4, 5) with it, as a map-style loader does.
    assert_eq!(out[2].as_ref().unwrap().to_vec(), [106]);
    assert_eq!(stream_batches(&stream, ctx, 3, true).count(), 2);
}
