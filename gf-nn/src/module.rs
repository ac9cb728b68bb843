//! The [`Module`] trait: a forward pass from an input type to an output type, and sequential
//! composition by tuples.

/// A layer or model: maps an input (usually a tensor) to an output.
///
/// **Training vs inference.** Two independent switches, as in PyTorch:
///
/// * *whether gradients are recorded* is decided by the input's tape. A layer watches its
///   parameters onto the tape the input carries (`w.watched(x.tape())`), so an input on an
///   `OwnedTape` records a graph whose `backward()` gives every parameter a gradient, and an
///   input on `NoneTape` records nothing and keeps nothing alive;
/// * *training behaviour* (dropout drops, batch norm uses batch statistics and updates its
///   running ones) is a mode flag set by `model.train()` / `model.eval()`
///   ([`ModuleExt`](crate::ModuleExt)); a module starts in training mode, like PyTorch's.
///
/// So `forward` takes `&self` in both cases; batch norm keeps its running statistics behind a
/// lock, which is the one piece of state a forward pass changes.
///
/// The trait carries a message for the case a newcomer meets first: a layer whose input size
/// differs from what the previous layer produces.
#[diagnostic::on_unimplemented(
    message = "the module `{Self}` cannot take `{Input}` as its input",
    label = "this module's input size (or rank) differs from what it is given",
    note = "in a sequence `(A, B)`, `B`'s input must be `A`'s output: compare the sizes in both types"
)]
pub trait Module<Input> {
    /// What the forward pass returns.
    type Output;
    /// The forward pass; `Err` when run-time sizes do not fit.
    fn try_forward(&self, x: Input) -> gf_core::Result<Self::Output>;
    /// The forward pass; panics at the caller when run-time sizes do not fit
    /// (see [`try_forward`](Self::try_forward)).
    #[track_caller]
    fn forward(&self, x: Input) -> Self::Output {
        self.try_forward(x).unwrap()
    }
}

macro_rules! tuple_module {
    ($last:ident; $(, $m:ident $i:tt $prev:ident)*) => {
        /// Runs the modules one after the other, each on the previous one's output.
        impl<X, A: Module<X>, $($m: Module<$prev::Output>),*> Module<X> for (A, $($m,)*) {
            type Output = $last::Output;
            fn try_forward(&self, x: X) -> gf_core::Result<Self::Output> {
                let x = self.0.try_forward(x)?;
                $(let x = self.$i.try_forward(x)?;)*
                Ok(x)
            }
        }
    };
}

tuple_module!(A;);
tuple_module!(B;, B 1 A);
tuple_module!(C;, B 1 A, C 2 B);
tuple_module!(F;, B 1 A, C 2 B, F 3 C);
tuple_module!(G;, B 1 A, C 2 B, F 3 C, G 4 F);
tuple_module!(H;, B 1 A, C 2 B, F 3 C, G 4 F, H 5 G);
tuple_module!(I;, B 1 A, C 2 B, F 3 C, G 4 F, H 5 G, I 6 H);
tuple_module!(J;, B 1 A, C 2 B, F 3 C, G 4 F, H 5 G, I 6 H, J 7 I);
