//! The op descriptors' lane forms on the SIMD paths: [`UnaryOp::f_lanes`] and friends are
//! written over the safe [`Lanes`] interface; here that interface is implemented over a
//! path's registers, so an op row such as `x.exp()` runs the polynomial of
//! [`math`](super::math) in AVX-512, AVX2 or NEON registers. The scalar path runs the same
//! rows over [`Chunk`], whose transcendentals are libm's.
//!
//! The loops are safe code; the only `unsafe` is in [`Simd`], whose soundness rests on one
//! fact: a `Simd<V>` exists only where `V`'s instruction set has been checked (it is not
//! nameable outside this module and is created only inside [`WithSimd::with`]).

use super::{dispatch, SimdElem, SimdPath, SimdVec, WithSimd};
use crate::device::lanes::{Chunk, Lanes};
use crate::dtype::Dtype;
use crate::ops::binary::BinaryOp;
use crate::ops::unary::UnaryOp;

/// The most lanes any path has (AVX-512 f32), for the padded tail.
const MAX_LANES: usize = 16;

/// The portable lanes the scalar path uses: 64 bytes, as before SIMD dispatch existed, so the
/// compiler's own vectorisation still applies there.
type Portable<E> = Chunk<E, MAX_LANES>;

/// The registers `V` behind the safe [`Lanes`] interface. Creating one asserts that the CPU
/// runs `V`'s instructions: only the kernels below do, inside [`WithSimd::with::<V>`].
#[derive(Clone, Copy, Debug)]
struct Simd<V>(V);

/// Runs `f` on the lanes of `v` spilled to memory, for ops with no lane form.
#[inline(always)]
fn spill<E: SimdElem, V: SimdVec<E>>(v: Simd<V>, f: impl FnOnce(&mut [E])) -> Simd<V> {
    let mut a = [E::zero(); MAX_LANES];
    let w = V::LANES.min(MAX_LANES);
    // SAFETY: a `Simd<V>` exists only where `V` runs (the type's invariant), and `a` holds
    // `MAX_LANES >= V::LANES` elements.
    unsafe { v.0.store(a.as_mut_ptr()) };
    f(&mut a[..w]);
    // SAFETY: as above.
    Simd(unsafe { V::load(a.as_ptr()) })
}

macro_rules! lane_ops {
    ($($name:ident($($arg:ident),*) => $method:ident;)*) => {$(
        #[inline(always)]
        fn $name(self $(, $arg: Self)*) -> Self {
            // SAFETY: a `Simd<V>` exists only where `V`'s instructions run.
            Simd(unsafe { self.0.$method($($arg.0),*) })
        }
    )*};
}

impl<E: SimdElem, V: SimdVec<E>> Lanes<E> for Simd<V> {
    const WIDTH: usize = V::LANES;
    #[inline(always)]
    fn splat(v: E) -> Self {
        // SAFETY: this type is only named inside kernels that run on `V`'s path.
        Simd(unsafe { V::splat(v) })
    }
    #[inline(always)]
    fn load(src: &[E]) -> Self {
        assert!(src.len() >= V::LANES);
        // SAFETY: `V` runs here (as in `splat`) and `src` holds `LANES` elements.
        Simd(unsafe { V::load(src.as_ptr()) })
    }
    #[inline(always)]
    fn store(self, dst: &mut [E]) {
        assert!(dst.len() >= V::LANES);
        // SAFETY: `V` runs here and `dst` holds `LANES` elements.
        unsafe { self.0.store(dst.as_mut_ptr()) }
    }
    #[inline(always)]
    fn map(self, f: impl Fn(E) -> E) -> Self {
        spill(self, |a| a.iter_mut().for_each(|x| *x = f(*x)))
    }
    #[inline(always)]
    fn zip_map(self, other: Self, f: impl Fn(E, E) -> E) -> Self {
        let mut b = [E::zero(); MAX_LANES];
        other.store(&mut b[..V::LANES]);
        spill(self, |a| {
            a.iter_mut().zip(b).for_each(|(x, y)| *x = f(*x, y))
        })
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        // SAFETY: `V` runs here.
        Simd(unsafe { V::select(a.0.lt(b.0), t.0, f.0) })
    }
    lane_ops! {
        add(o) => add;
        sub(o) => sub;
        mul(o) => mul;
        div(o) => div;
        max(o) => max;
        min(o) => min;
        exp() => exp;
        ln() => ln;
        tanh() => tanh;
        sigmoid() => sigmoid;
    }
}

/// A loop written once over lanes `L`, in safe code; [`run`] picks the lanes of a path.
trait LaneKernel<E: Dtype> {
    /// The loop over lanes `L`.
    fn run<L: Lanes<E>>(self);
}

/// Runs `k` on `path`: its registers for a SIMD path, [`Portable`] lanes for the scalar one.
#[inline]
fn run<E: SimdElem, K: LaneKernel<E>>(path: SimdPath, k: K) {
    if path == SimdPath::Scalar {
        k.run::<Portable<E>>()
    } else {
        dispatch(path, OnSimd(k))
    }
}

struct OnSimd<K>(K);

impl<E: SimdElem, K: LaneKernel<E>> WithSimd<E> for OnSimd<K> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        // `V`'s instructions run here (the caller's contract): the one place a `Simd<V>` is
        // made, which is what its safe methods rely on
        self.0.run::<Simd<V>>()
    }
}

/// Copies up to `MAX_LANES` elements into a zero-padded lane buffer.
#[inline(always)]
fn padded<E: Dtype>(s: &[E]) -> [E; MAX_LANES] {
    let mut a = [E::zero(); MAX_LANES];
    a[..s.len()].copy_from_slice(s);
    a
}

/// `dst[i] = f(src[i])` over lanes; the tail runs through the same lanes, padded, so an
/// element's result does not depend on where it sits in the slice.
#[inline(always)]
fn map_lanes<E: Dtype, L: Lanes<E>>(src: &[E], dst: &mut [E], f: &impl Map1<E>) {
    let n = src.len().min(dst.len());
    let mut s = src[..n].chunks_exact(L::WIDTH);
    let mut d = dst[..n].chunks_exact_mut(L::WIDTH);
    for (s, d) in (&mut s).zip(&mut d) {
        f.call::<L>(L::load(s)).store(d);
    }
    let (s, d) = (s.remainder(), d.into_remainder());
    if !s.is_empty() {
        let mut y = [E::zero(); MAX_LANES];
        f.call::<L>(L::load(&padded(s))).store(&mut y);
        d.copy_from_slice(&y[..d.len()]);
    }
}

/// `buf[i] = f(buf[i])` over lanes, the tail padded.
#[inline(always)]
fn map_lanes_in_place<E: Dtype, L: Lanes<E>>(buf: &mut [E], f: &impl Map1<E>) {
    let mut c = buf.chunks_exact_mut(L::WIDTH);
    for c in &mut c {
        f.call::<L>(L::load(c)).store(c);
    }
    let c = c.into_remainder();
    if !c.is_empty() {
        let mut y = [E::zero(); MAX_LANES];
        f.call::<L>(L::load(&padded(c))).store(&mut y);
        let n = c.len();
        c.copy_from_slice(&y[..n]);
    }
}

/// Where one operand of a lane loop comes from: a slice, or one value repeated (a stride-0
/// broadcast run).
trait Source<E: Dtype>: Copy {
    /// How many elements it holds (unbounded for a repeated value).
    fn len(&self) -> usize;
    /// The lanes starting at element `i` (`i + WIDTH <= len`).
    fn at<L: Lanes<E>>(&self, i: usize) -> L;
    /// Elements `i..n` (fewer than `WIDTH`), zero-padded.
    fn tail<L: Lanes<E>>(&self, i: usize, n: usize) -> L;
}

impl<E: Dtype> Source<E> for &[E] {
    #[inline(always)]
    fn len(&self) -> usize {
        <[E]>::len(self)
    }
    #[inline(always)]
    fn at<L: Lanes<E>>(&self, i: usize) -> L {
        L::load(&self[i..])
    }
    #[inline(always)]
    fn tail<L: Lanes<E>>(&self, i: usize, n: usize) -> L {
        L::load(&padded(&self[i..n]))
    }
}

/// One value repeated along a run.
#[derive(Clone, Copy)]
struct Splat<E>(E);

impl<E: Dtype> Source<E> for Splat<E> {
    #[inline(always)]
    fn len(&self) -> usize {
        usize::MAX
    }
    #[inline(always)]
    fn at<L: Lanes<E>>(&self, _: usize) -> L {
        L::splat(self.0)
    }
    #[inline(always)]
    fn tail<L: Lanes<E>>(&self, _: usize, _: usize) -> L {
        L::splat(self.0)
    }
}

/// `acc[i] = f(a[i], b[i], acc[i])` over lanes and the shortest length, the tail padded.
#[inline(always)]
fn zip_lanes<E: Dtype, L: Lanes<E>>(
    acc: &mut [E],
    a: impl Source<E>,
    b: impl Source<E>,
    f: &impl Map3<E>,
) {
    let n = acc.len().min(a.len()).min(b.len());
    let w = L::WIDTH;
    let mut i = 0;
    while i + w <= n {
        f.call::<L>(a.at(i), b.at(i), L::load(&acc[i..]))
            .store(&mut acc[i..]);
        i += w;
    }
    if i < n {
        let z = padded(&acc[i..n]);
        let mut r = [E::zero(); MAX_LANES];
        f.call::<L>(a.tail(i, n), b.tail(i, n), L::load(&z))
            .store(&mut r);
        acc[i..n].copy_from_slice(&r[..n - i]);
    }
}

/// One operand of a binary run: a slice of the run's length, or one value broadcast along it.
#[derive(Clone, Copy, Debug)]
pub enum Run<'a, E> {
    /// The elements, one per position.
    Slice(&'a [E]),
    /// One value for every position (a stride-0 axis).
    Splat(E),
}

impl<E: Copy> Run<'_, E> {
    /// The operand at position `i` (which a slice run must hold).
    #[inline(always)]
    pub fn get(&self, i: usize) -> E {
        match *self {
            Run::Slice(s) => s[i],
            Run::Splat(v) => v,
        }
    }
}

/// The per-lane body of a one-operand loop. A trait method rather than a closure, so that it
/// is `#[inline(always)]` into the function compiled for the path's instructions: a closure
/// left out of line runs without them, and each intrinsic in it becomes a call.
trait Map1<E: Dtype> {
    /// The body on one lane value.
    fn call<L: Lanes<E>>(&self, x: L) -> L;
}

/// The per-lane body of a loop over two operands and an accumulator (see [`Map1`]).
trait Map3<E: Dtype> {
    /// The body on one lane value of each.
    fn call<L: Lanes<E>>(&self, a: L, b: L, acc: L) -> L;
}

/// `f(x)`.
struct Fwd<'a, Op>(&'a Op);

impl<E: Dtype, Op: UnaryOp<E>> Map1<E> for Fwd<'_, Op> {
    #[inline(always)]
    fn call<L: Lanes<E>>(&self, x: L) -> L {
        self.0.f_lanes(x)
    }
}

/// `df(v) · g + acc`.
struct Bwd<'a, Op>(&'a Op);

impl<E: Dtype, Op: UnaryOp<E>> Map3<E> for Bwd<'_, Op> {
    #[inline(always)]
    fn call<L: Lanes<E>>(&self, v: L, g: L, acc: L) -> L {
        self.0.df_lanes(v).mul(g).add(acc)
    }
}

/// `f(a, b)`, the accumulator ignored.
struct Bin<'a, Op>(&'a Op);

impl<E: Dtype, Op: BinaryOp<E>> Map3<E> for Bin<'_, Op> {
    #[inline(always)]
    fn call<L: Lanes<E>>(&self, a: L, b: L, _: L) -> L {
        self.0.f_lanes(a, b)
    }
}

/// `f(acc, b)`: the accumulator is the left operand, updated in place.
struct BinInPlace<'a, Op>(&'a Op);

impl<E: Dtype, Op: BinaryOp<E>> Map3<E> for BinInPlace<'_, Op> {
    #[inline(always)]
    fn call<L: Lanes<E>>(&self, _: L, b: L, acc: L) -> L {
        self.0.f_lanes(acc, b)
    }
}

/// `∂f/∂x` (`by_x`) or `∂f/∂y` over lanes.
#[inline(always)]
fn partial<E: Dtype, L: Lanes<E>, Op: BinaryOp<E>>(op: &Op, by_x: bool, x: L, y: L) -> L {
    if by_x {
        op.dfdx_lanes(x, y)
    } else {
        op.dfdy_lanes(x, y)
    }
}

struct UnaryInto<'a, E, Op>(&'a Op, &'a [E], &'a mut [E]);

impl<E: Dtype, Op: UnaryOp<E>> LaneKernel<E> for UnaryInto<'_, E, Op> {
    #[inline(always)]
    fn run<L: Lanes<E>>(self) {
        let op = self.0;
        map_lanes::<E, L>(self.1, self.2, &Fwd(op))
    }
}

struct UnaryInPlace<'a, E, Op>(&'a Op, &'a mut [E]);

impl<E: Dtype, Op: UnaryOp<E>> LaneKernel<E> for UnaryInPlace<'_, E, Op> {
    #[inline(always)]
    fn run<L: Lanes<E>>(self) {
        let op = self.0;
        map_lanes_in_place::<E, L>(self.1, &Fwd(op))
    }
}

struct UnaryBwd<'a, E, Op>(&'a Op, &'a [E], &'a [E], &'a mut [E]);

impl<E: Dtype, Op: UnaryOp<E>> LaneKernel<E> for UnaryBwd<'_, E, Op> {
    #[inline(always)]
    fn run<L: Lanes<E>>(self) {
        let op = self.0;
        zip_lanes::<E, L>(self.3, self.1, self.2, &Bwd(op))
    }
}

struct BinaryInto<'a, E, Op, A, B>(&'a Op, A, B, &'a mut [E]);

impl<E: Dtype, Op: BinaryOp<E>, A: Source<E>, B: Source<E>> LaneKernel<E>
    for BinaryInto<'_, E, Op, A, B>
{
    #[inline(always)]
    fn run<L: Lanes<E>>(self) {
        let op = self.0;
        // the output's old contents are loaded as `acc` and ignored
        zip_lanes::<E, L>(self.3, self.1, self.2, &Bin(op))
    }
}

struct BinaryInPlace<'a, E, Op, B>(&'a Op, &'a mut [E], B);

impl<E: Dtype, Op: BinaryOp<E>, B: Source<E>> LaneKernel<E> for BinaryInPlace<'_, E, Op, B> {
    #[inline(always)]
    fn run<L: Lanes<E>>(self) {
        let (op, b) = (self.0, self.2);
        zip_lanes::<E, L>(self.1, b, b, &BinInPlace(op))
    }
}

/// `acc[i] += ∂f(x[i], y[i]) · g[i]`, the partial by `x` or by `y`.
struct BinaryBwd<'a, E, Op, X, Y>(&'a Op, bool, X, Y, &'a [E], &'a mut [E]);

impl<E: Dtype, Op: BinaryOp<E>, X: Source<E>, Y: Source<E>> LaneKernel<E>
    for BinaryBwd<'_, E, Op, X, Y>
{
    #[inline(always)]
    fn run<L: Lanes<E>>(self) {
        let (op, by_x, x, y, g) = (self.0, self.1, self.2, self.3, self.4);
        let (acc, w) = (self.5, L::WIDTH);
        let n = acc.len().min(g.len()).min(x.len()).min(y.len());
        let mut i = 0;
        while i + w <= n {
            let v = partial(op, by_x, x.at::<L>(i), y.at(i)).mul(L::load(&g[i..]));
            v.add(L::load(&acc[i..])).store(&mut acc[i..]);
            i += w;
        }
        if i < n {
            let (gt, at) = (padded(&g[i..n]), padded(&acc[i..n]));
            let mut r = [E::zero(); MAX_LANES];
            let v = partial(op, by_x, x.tail::<L>(i, n), y.tail(i, n)).mul(L::load(&gt));
            v.add(L::load(&at)).store(&mut r);
            acc[i..n].copy_from_slice(&r[..n - i]);
        }
    }
}

/// `dst[i] = f(src[i])` for the op's lane form on `path` (the shorter length).
pub fn unary_into<E: SimdElem, Op: UnaryOp<E>>(path: SimdPath, op: &Op, src: &[E], dst: &mut [E]) {
    run(path, UnaryInto(op, src, dst))
}

/// `buf[i] = f(buf[i])` for the op's lane form on `path`.
pub fn unary_in_place<E: SimdElem, Op: UnaryOp<E>>(path: SimdPath, op: &Op, buf: &mut [E]) {
    run(path, UnaryInPlace(op, buf))
}

/// `grad_inp[i] += df(saved[i]) · grad_out[i]` for the op's lane form of `df` on `path` (the
/// shortest length); `saved` is `x` or `f(x)` as the op's `DF_USES` says.
pub fn unary_bwd<E: SimdElem, Op: UnaryOp<E>>(
    path: SimdPath,
    op: &Op,
    saved: &[E],
    grad_out: &[E],
    grad_inp: &mut [E],
) {
    run(path, UnaryBwd(op, saved, grad_out, grad_inp))
}

/// `dst[i] = f(a[i], b[i])` for the op's lane form on `path` (the shortest length).
pub fn binary_into<E: SimdElem, Op: BinaryOp<E>>(
    path: SimdPath,
    op: &Op,
    a: &[E],
    b: &[E],
    dst: &mut [E],
) {
    run(path, BinaryInto(op, a, b, dst))
}

/// [`binary_into`] over runs, either of which may be one value broadcast along `dst`.
pub fn binary_run_into<E: SimdElem, Op: BinaryOp<E>>(
    path: SimdPath,
    op: &Op,
    a: Run<'_, E>,
    b: Run<'_, E>,
    dst: &mut [E],
) {
    match (a, b) {
        (Run::Slice(a), Run::Slice(b)) => run(path, BinaryInto(op, a, b, dst)),
        (Run::Slice(a), Run::Splat(b)) => run(path, BinaryInto(op, a, Splat(b), dst)),
        (Run::Splat(a), Run::Slice(b)) => run(path, BinaryInto(op, Splat(a), b, dst)),
        (Run::Splat(a), Run::Splat(b)) => dst.fill(op.f(a, b)),
    }
}

/// `a[i] = f(a[i], b[i])` for the op's lane form on `path` (the shorter length).
pub fn binary_in_place<E: SimdElem, Op: BinaryOp<E>>(
    path: SimdPath,
    op: &Op,
    a: &mut [E],
    b: &[E],
) {
    run(path, BinaryInPlace(op, a, b))
}

/// [`binary_in_place`] with `b` a run, which may be one value broadcast along `a`.
pub fn binary_run_in_place<E: SimdElem, Op: BinaryOp<E>>(
    path: SimdPath,
    op: &Op,
    a: &mut [E],
    b: Run<'_, E>,
) {
    match b {
        Run::Slice(b) => run(path, BinaryInPlace(op, a, b)),
        Run::Splat(b) => run(path, BinaryInPlace(op, a, Splat(b))),
    }
}

/// `acc[i] += ∂f/∂x(x[i], y[i]) · g[i]` (`by_x`) or `∂f/∂y(…) · g[i]` on `path`, over the
/// shortest length; an operand the partial does not read may be any run (`Splat(0)`).
pub fn binary_bwd<E: SimdElem, Op: BinaryOp<E>>(
    path: SimdPath,
    op: &Op,
    by_x: bool,
    x: Run<'_, E>,
    y: Run<'_, E>,
    g: &[E],
    acc: &mut [E],
) {
    match (x, y) {
        (Run::Slice(x), Run::Slice(y)) => run(path, BinaryBwd(op, by_x, x, y, g, acc)),
        (Run::Slice(x), Run::Splat(y)) => run(path, BinaryBwd(op, by_x, x, Splat(y), g, acc)),
        (Run::Splat(x), Run::Slice(y)) => run(path, BinaryBwd(op, by_x, Splat(x), y, g, acc)),
        (Run::Splat(x), Run::Splat(y)) => {
            run(path, BinaryBwd(op, by_x, Splat(x), Splat(y), g, acc))
        }
    }
}
