//! A runtime-shaped model (sizes read at run time, as the Python layer's are) trained by the
//! same Trainer: regression of a noisy linear map with the mean squared error, scored by R².

use gf_core::prelude::*;
use gf_data::{DataLoader, Rows, TensorDataset};
use gf_nn::prelude::*;
use gf_optim::Adam;
use gf_train::metrics::{Mae, R2Score};
use gf_train::{ConstantLr, Regression, RegressionLoss, Trainer, Verbosity};

type Matrix = Tensor<(usize, usize), f32, Cpu>;

/// `y = x·w + 0.01·noise` with 5 inputs and 2 outputs, widths only known at run time.
fn data(n: usize, seed: u64) -> (Matrix, Matrix) {
    let dev = Cpu::seed_from_u64(seed);
    let (inputs, outputs) = (5, 2);
    let x: Matrix = dev.randn_like(&(n, inputs));
    let w: Vec<f32> = (0..inputs * outputs)
        .map(|i| (i as f32 - 4.5) / 3.0)
        .collect();
    let xs = x.to_vec();
    let noise: Matrix = dev.randn_like(&(n, outputs));
    let noise = noise.to_vec();
    let mut y = vec![0.0; n * outputs];
    for r in 0..n {
        for c in 0..outputs {
            let dot: f32 = (0..inputs)
                .map(|k| xs[r * inputs + k] * w[k * outputs + c])
                .sum();
            y[r * outputs + c] = dot + 0.01 * noise[r * outputs + c];
        }
    }
    (x, dev.tensor_from_vec(y, (n, outputs)))
}

#[test]
fn a_runtime_sized_linear_model_fits_a_linear_map() {
    let (x, y) = data(256, 1);
    let (inputs, outputs) = (x.dims()[1], y.dims()[1]);
    let ds = TensorDataset::new((Rows::new(&x).unwrap(), Rows::new(&y).unwrap())).unwrap();
    let train = DataLoader::new(ds).batch_size(32).shuffle(true).seed(2);
    let (xv, yv) = data(64, 3);
    let ds = TensorDataset::new((Rows::new(&xv).unwrap(), Rows::new(&yv).unwrap())).unwrap();
    let valid = DataLoader::new(ds).batch_size(32);

    let dev = Cpu::seed_from_u64(0);
    let mut model: Linear<usize, usize> = Linear::try_new(&dev, inputs, outputs, true).unwrap();
    let mut trainer = Trainer::new(Cpu::seed_from_u64(4))
        .verbosity(Verbosity::Quiet)
        .max_epochs(40)
        .metric(R2Score::new())
        .metric(Mae::new());
    let mut task = Regression {
        loss: RegressionLoss::Mse,
    };
    let report = trainer
        .fit(
            &mut model,
            &mut Adam::new(5e-2),
            &mut ConstantLr,
            &mut task,
            &train,
            Some(&valid),
        )
        .unwrap();
    let last = report.history.last().unwrap();
    assert!(last["valid_r2"] > 0.999, "{last:?}");
    assert!(last["valid_mae"] < 0.05, "{last:?}");
    assert!(
        report.confusion.is_none(),
        "no confusion matrix for real targets"
    );
    let pred = trainer.predict(&mut model, &mut task, &valid).unwrap();
    assert_eq!((pred.rows, pred.width()), (64, 2));
}
