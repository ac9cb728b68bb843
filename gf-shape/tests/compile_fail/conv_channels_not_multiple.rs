use gf_shape::*;

fn groups_fit<C: DimMultipleOf<CW>, CW: Dim>() {}

fn main() {
    groups_fit::<Const<1280>, Const<768>>();
}
