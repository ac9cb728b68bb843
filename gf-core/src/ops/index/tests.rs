//! Tests of the index ops.

use crate::prelude::*;

fn same<T>(_: &T, _: &T) {}

#[test]
fn concat_types_add_along_the_axis() {
    let dev = Cpu::default();
    let a: Tensor<Rank2<2, 3>, f32, Cpu> = dev.zeros();
    let b: Tensor<Rank2<2, 5>, f32, Cpu> = dev.ones();
    let c = a.concat_along(b, Axis::<1>);
    let expected: Tensor<Rank2<2, 8>, f32, Cpu> = dev.zeros();
    same(&c, &expected);
    assert_eq!(
        c.to_vec(),
        [[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]; 2].concat()
    );
    // a run-time dim stays run-time
    let x: Tensor<(usize, Const<2>), f32, Cpu> = dev.zeros_like(&(3, Const));
    let y: Tensor<(usize, Const<2>), f32, Cpu> = dev.zeros_like(&(4, Const));
    let z: Tensor<(usize, Const<2>), f32, Cpu> = x.concat_along(y, Axis::<0>);
    assert_eq!(z.dims(), [7, 2]);
}

#[test]
fn concat_known_values_and_strided_inputs() {
    let dev = Cpu::default();
    let a = dev.tensor([[1.0f64, 2.0], [3.0, 4.0]]);
    let b = dev.tensor([[5.0f64, 6.0]]);
    let c = a.clone().concat_along(b, Axis::<0>);
    assert_eq!(c.to_vec(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // the transpose is read through its strides
    let t = Tensor::concat(vec![a.clone().transpose(), a], Axis::<1>);
    assert_eq!(t.dims(), [2, 4]);
    assert_eq!(t.to_vec(), vec![1.0, 3.0, 1.0, 2.0, 2.0, 4.0, 3.0, 4.0]);
}

#[test]
fn runtime_concat_errors_are_errs() {
    let dev = Cpu::default();
    let a: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(2, 3));
    let b: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(3, 3));
    assert!(a.clone().try_concat_along(b.clone(), Axis::<1>).is_err());
    assert!(a.clone().try_concat_along(b.clone(), Axis::<0>).is_ok());
    let empty: Vec<Tensor<DynShape, f32, Cpu>> = vec![];
    assert!(matches!(
        Tensor::try_concat_axis::<DynShape>(empty, 0),
        Err(Error::Argument { .. })
    ));
    let d = vec![a.clone().into_dyn(), b.into_dyn()];
    assert!(Tensor::try_concat_axis::<DynShape>(d.clone(), 2).is_err());
    assert_eq!(
        Tensor::try_concat_axis::<DynShape>(d.clone(), 0)
            .unwrap()
            .dims(),
        vec![5, 3]
    );
    // joined dims that do not fit the requested output type
    assert!(Tensor::try_concat_axis::<Rank2<4, 3>>(d, 0).is_err());
    let r: Tensor<DynShape, f32, Cpu> = dev.zeros_like(&DynShape::new([2]));
    assert!(Tensor::try_concat_axis::<DynShape>(vec![r, a.into_dyn()], 0).is_err());
}

#[test]
fn stack_adds_an_axis() {
    let dev = Cpu::default();
    let a = dev.tensor([1.0f32, 2.0, 3.0]);
    let b = dev.tensor([4.0f32, 5.0, 6.0]);
    let s: Tensor<Rank2<2, 3>, f32, Cpu> = Tensor::stack_array([a.clone(), b.clone()]);
    assert_eq!(s.to_vec(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let s: Tensor<(Const<3>, usize), f32, Cpu> = Tensor::stack(vec![a, b], Axis::<1>);
    assert_eq!(s.to_vec(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let x: Tensor<(usize,), f32, Cpu> = dev.zeros_like(&(2,));
    let y: Tensor<(usize,), f32, Cpu> = dev.zeros_like(&(3,));
    assert!(Tensor::try_stack(vec![x.clone(), y], Axis::<0>).is_err());
    assert!(Tensor::try_stack_axis::<DynShape>(vec![x.clone()], 2).is_err());
    let none: [Tensor<(usize,), f32, Cpu>; 0] = [];
    assert!(Tensor::try_stack_array(none).is_err());
    let s = Tensor::try_stack_axis::<DynShape>(vec![x.clone(), x], 1).unwrap();
    assert_eq!(s.dims(), vec![2, 2]);
}

#[test]
fn index_select_picks_slices_with_repeats() {
    let dev = Cpu::default();
    let x = dev.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let cols = dev.tensor(vec![2usize, 0, 2, 2]);
    let y: Tensor<(Const<2>, usize), f32, Cpu> = x.clone().index_select(Axis::<1>, &cols);
    assert_eq!(y.to_vec(), vec![3.0, 1.0, 3.0, 3.0, 6.0, 4.0, 6.0, 6.0]);
    let rows = dev.tensor([1usize]);
    let y: Tensor<Rank2<1, 3>, f32, Cpu> = x.clone().index_select(Axis::<0>, &rows);
    assert_eq!(y.to_vec(), vec![4.0, 5.0, 6.0]);
    let bad = dev.tensor([0usize, 3]);
    assert_eq!(
        x.clone().try_index_select(Axis::<1>, &bad).unwrap_err(),
        Error::Index {
            op: "index_select",
            index: 3,
            size: 3
        }
    );
    let two_d = dev.tensor([[0usize]]);
    assert!(x
        .clone()
        .into_dyn()
        .try_index_select_axis::<DynShape, _>(0, &two_d)
        .is_err());
    assert!(x
        .into_dyn()
        .try_index_select_axis::<DynShape, _>(2, &rows)
        .is_err());
}

#[test]
fn gather_and_scatter_add_follow_torch() {
    let dev = Cpu::default();
    let x = dev.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
    let index = dev.tensor([[0usize, 0], [1, 0]]);
    // torch.gather(x, 1, index) = [[1, 1], [4, 3]]; along 0: [[1, 2], [3, 2]]
    assert_eq!(
        x.clone().gather(Axis::<1>, &index).to_vec(),
        vec![1.0, 1.0, 4.0, 3.0]
    );
    assert_eq!(
        x.clone().gather(Axis::<0>, &index).to_vec(),
        vec![1.0, 2.0, 3.0, 2.0]
    );
    // a smaller index reads a block; the output has the index's shape
    let small = dev.tensor([[1usize]]);
    let g: Tensor<Rank2<1, 1>, f32, Cpu> = x.clone().gather(Axis::<0>, &small);
    assert_eq!(g.to_vec(), vec![3.0]);
    // scatter_add: out[i][index[i][j]] += src[i][j]
    let src = dev.tensor([[10.0f32, 20.0], [30.0, 40.0]]);
    let out = x.clone().scatter_add(Axis::<1>, &index, src.clone());
    assert_eq!(out.to_vec(), vec![31.0, 2.0, 43.0, 34.0]);
    let out = x.clone().scatter_add(Axis::<0>, &index, src);
    assert_eq!(out.to_vec(), vec![11.0, 62.0, 33.0, 4.0]);
}

#[test]
fn bad_indices_are_errors_not_panics() {
    let dev = Cpu::default();
    let x = dev.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
    let far = dev.tensor([[0usize, 5]]);
    assert_eq!(
        x.clone().try_gather(Axis::<1>, &far).unwrap_err(),
        Error::Index {
            op: "gather",
            index: 5,
            size: 2
        }
    );
    let src = dev.tensor([[1.0f32, 1.0]]);
    assert!(matches!(
        x.clone().try_scatter_add(Axis::<1>, &far, src.clone()),
        Err(Error::Index {
            op: "scatter_add",
            ..
        })
    ));
    // wrong rank, and an index larger than the input off the axis
    let flat = dev.tensor([0usize, 1]);
    assert!(x.clone().try_gather(Axis::<0>, &flat).is_err());
    let wide = dev.tensor([[0usize, 0, 0]]);
    assert!(x.clone().try_gather(Axis::<0>, &wide).is_err());
    assert!(x.clone().try_scatter_add(Axis::<0>, &wide, src).is_err());
    let labels = dev.tensor([0usize, 3]);
    assert!(matches!(
        labels.try_one_hot::<DynShape, f32>(3),
        Err(Error::Index { index: 3, .. })
    ));
}

#[test]
fn one_hot_adds_a_class_axis() {
    let dev = Cpu::default();
    let labels = dev.tensor([[1usize, 0], [2, 1]]);
    let y: Tensor<Rank3<2, 2, 3>, f64, Cpu> = labels.one_hot(3);
    assert_eq!(
        y.to_vec(),
        vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    );
    assert!(labels.try_one_hot::<Rank2<4, 3>, f64>(3).is_err());
    let d: Tensor<DynShape, f32, Cpu> = labels.into_dyn().one_hot(4);
    assert_eq!(d.dims(), vec![2, 2, 4]);
}

#[test]
fn concat_meets_a_computed_size_above_the_const_table() {
    // 512·16·16 = 131072 is above the table, so flatten gives an exact `Computed` dim
    let dev = Cpu::default();
    let x: Tensor<(Const<1>, Const<512>, Const<16>, Const<16>), f32, Cpu> = dev.ones();
    let table: Tensor<Rank2<2, 131072>, f32, Cpu> = dev.zeros();
    let rows: Tensor<Rank2<3, 131072>, f32, Cpu> =
        table.concat_along(x.flatten::<Axis<1>>(), Axis::<0>);
    let v = rows.to_vec();
    assert!(v[..2 * 131072].iter().all(|&e| e == 0.0));
    assert!(v[2 * 131072..].iter().all(|&e| e == 1.0));
}
