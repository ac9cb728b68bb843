use gf_shape::*;

// The bound conv1d / conv2d put on the weight's out-channels `O` and the groups `G`.
fn out_channels_fit<O: SplitsInto<G>, G: Dim>() {}

fn main() {
    // 6 out-channels do not split into 4 groups
    out_channels_fit::<Const<6>, Const<4>>();
}
