use gf_shape::*;

// The bound conv1d / conv2d put on the weight's out-channels `O` and the groups `G`.
fn out_channels_fit<O: SplitsInto<G>, G: Dim>() {}

fn main() {
    // zero groups is never a split
    out_channels_fit::<Const<8>, Const<0>>();
}
