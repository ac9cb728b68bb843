use gf_shape::*;

// The bound conv1d / conv2d put on the weight's out-channels `O` and the groups `G`.
fn out_channels_fit<O: SplitsInto<G>, G: Dim>() {}

fn main() {
    out_channels_fit::<Const<8>, Const<4>>();
    // one group takes any out-channels, even above the arithmetic table (`FORWARD_MAX`)
    out_channels_fit::<Const<50257>, Const<1>>();
    // run-time sizes are compared when running
    out_channels_fit::<usize, Const<4>>();
    out_channels_fit::<Const<6>, usize>();
}
