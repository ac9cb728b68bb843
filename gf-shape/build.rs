//! Generates the `Const` ↔ typenum tables and the tuple impls of the axis relations.
//!
//! The bounds were chosen by measuring build cost (see `DESIGN.md`, principle 2):
//!
//! * `Const<N> → typenum` ([`FORWARD_MAX`]) is one impl per N on the same type, which rustc's
//!   coherence check compares pairwise, so its cost grows with the square of the bound;
//! * `typenum → Const<N>` ([`REVERSE_MAX`]) is split by the high and low byte of the number: one
//!   impl per high byte, holding 256 associated types, so no trait has more than a few hundred
//!   impls on one type and the cost grows linearly.

use std::fmt::Write;

const MAX_RANK: usize = 6;
/// Largest `N` whose `Const<N>` takes part in compile-time size arithmetic.
const FORWARD_MAX: usize = 8192;
/// Largest computed size that comes back as a plain `Const<N>` (a power of 256).
const REVERSE_MAX: usize = 65536;

/// The typenum spelling of `n`: `UInt<UInt<UTerm, B1>, B0>` for 2 (most significant bit innermost).
fn typenum(n: usize) -> String {
    if n == 0 {
        return "UTerm".into();
    }
    let mut s = String::from("UTerm");
    for i in (0..usize::BITS - n.leading_zeros()).rev() {
        s = format!("UInt<{s}, B{}>", (n >> i) & 1);
    }
    s
}

/// The low byte of `n` as a tuple of eight bits, least significant first.
fn byte_bits(n: usize) -> String {
    let bits: Vec<String> = (0..8).map(|i| format!("B{}", (n >> i) & 1)).collect();
    format!("({},)", bits.join(", "))
}

fn const_tables() -> String {
    let mut s = String::new();
    writeln!(
        s,
        "/// The largest `N` whose `Const<N>` has a typenum size."
    )
    .unwrap();
    writeln!(s, "pub const FORWARD_MAX: usize = {FORWARD_MAX};").unwrap();
    writeln!(
        s,
        "/// The largest computed size that comes back as `Const<N>`."
    )
    .unwrap();
    writeln!(s, "pub const REVERSE_MAX: usize = {REVERSE_MAX};").unwrap();
    writeln!(s, "/// [`REVERSE_MAX`] as a typenum number.").unwrap();
    writeln!(s, "pub type ReverseMax = {};", typenum(REVERSE_MAX)).unwrap();
    for n in 0..=FORWARD_MAX {
        writeln!(
            s,
            "impl DimTn for Const<{n}> {{ type Tn = {}; }}",
            typenum(n)
        )
        .unwrap();
    }
    let mut cols = String::new();
    for j in 0..256 {
        write!(cols, "type C{j}: Dim; ").unwrap();
    }
    writeln!(
        s,
        "/// The 256 `Const` dims whose high byte is `Self`.\npub trait Row {{ {cols}}}"
    )
    .unwrap();
    for hi in 0..=(REVERSE_MAX >> 8) {
        let mut row = String::new();
        for j in 0..256 {
            write!(row, "type C{j} = Const<{}>; ", (hi << 8) | j).unwrap();
        }
        writeln!(s, "impl Row for {} {{ {row}}}", typenum(hi)).unwrap();
    }
    for j in 0..256 {
        writeln!(
            s,
            "impl<R: Row> Column<R> for {} {{ type Const = R::C{j}; }}",
            byte_bits(j)
        )
        .unwrap();
    }
    s
}

fn dims(r: usize) -> Vec<String> {
    (0..r).map(|i| format!("D{i}")).collect()
}

fn tuple(items: &[String]) -> String {
    if items.is_empty() {
        "()".into()
    } else {
        format!("({},)", items.join(", "))
    }
}

fn axes(ix: &[usize]) -> String {
    if ix.len() == 1 {
        format!("Axis<{}>", ix[0])
    } else {
        format!(
            "({})",
            ix.iter()
                .map(|i| format!("Axis<{i}>"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn generics(items: &[String]) -> String {
    items
        .iter()
        .map(|d| format!("{d}: Dim"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, n - 1);
            out.push(q);
        }
    }
    out
}

/// The sample `tests/mapping_round_trip.rs` checks: every N up to 1100, a stride of 61 through
/// the forward table with the sizes models use at its edges, and five columns of every reverse
/// row (its first, second, middle and last, and one that moves with the row).
fn round_trip_cases() -> (String, String) {
    let mut fw: Vec<usize> = (0..=1100).chain((1146..FORWARD_MAX).step_by(61)).collect();
    fw.extend([
        2047,
        2048,
        3071,
        3072,
        3135,
        3136,
        3137,
        4095,
        4096,
        FORWARD_MAX - 1,
        FORWARD_MAX,
    ]);
    fw.sort_unstable();
    fw.dedup();
    let list: Vec<String> = fw.iter().map(|n| n.to_string()).collect();
    let forward = format!("forward_all!({})", list.join(", "));
    let mut pairs = Vec::new();
    for hi in 0..(REVERSE_MAX >> 8) {
        let mut cols = vec![0, 1, 127, 255, (37 * hi) % 256];
        cols.sort_unstable();
        cols.dedup();
        pairs.extend(cols.into_iter().map(|lo| format!("({hi}, {lo})")));
    }
    pairs.push(format!("({}, 0)", REVERSE_MAX >> 8));
    (forward, format!("reverse_all!({})", pairs.join(", ")))
}

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = std::path::Path::new(&out_dir);

    std::fs::write(out.join("const_table.rs"), const_tables()).unwrap();
    let (forward, reverse) = round_trip_cases();
    std::fs::write(out.join("forward_cases.rs"), forward).unwrap();
    std::fs::write(out.join("reverse_cases.rs"), reverse).unwrap();

    let mut s = String::new();
    for r in 1..=MAX_RANK {
        let d = dims(r);
        let g = generics(&d);
        // Reductions over every non-empty subset of axes.
        for mask in 1u32..(1 << r) {
            let ax: Vec<usize> = (0..r).filter(|i| mask & (1 << i) != 0).collect();
            let kept: Vec<String> = (0..r)
                .filter(|i| mask & (1 << i) == 0)
                .map(|i| d[i].clone())
                .collect();
            writeln!(
                s,
                "impl<{g}> ReduceShape<{}> for {} {{ type Reduced = {}; }}",
                axes(&ax),
                tuple(&d),
                tuple(&kept)
            )
            .unwrap();
        }
        // Flatten from each axis.
        for k in 0..r {
            // Multiplied as typenum numbers and mapped back to a dim once, so an intermediate
            // product (512·7 of 512·7·7) need not be within the forward table.
            let mut flat: Vec<String> = d[..k].to_vec();
            let mut bounds = String::new();
            if k + 1 == r {
                flat.push(d[k].clone());
            } else {
                let mut acc = format!("<{} as DimTn>::Tn", d[k]);
                write!(bounds, "{}: DimTn, ", d[k]).unwrap();
                for t in &d[k + 1..] {
                    write!(
                        bounds,
                        "{t}: DimTn, {acc}: core::ops::Mul<<{t} as DimTn>::Tn>, "
                    )
                    .unwrap();
                    acc = format!("<{acc} as core::ops::Mul<<{t} as DimTn>::Tn>>::Output");
                }
                write!(bounds, "{acc}: ToDim, ").unwrap();
                flat.push(format!("<{acc} as ToDim>::Output"));
            }
            writeln!(
                s,
                "impl<{g}> FlattenShape<Axis<{k}>> for {} where {bounds} {{ type Flat = {}; }}",
                tuple(&d),
                tuple(&flat)
            )
            .unwrap();
        }
        // Concat along each axis: the rhs has its own size there and the same dims elsewhere
        // (`SameDim`: a computed size above the table meets the equal `Const`, compared when
        // building through `CHECK`).
        for k in 0..r {
            let rhs: Vec<String> = (0..r)
                .map(|i| if i == k { "R".into() } else { format!("E{i}") })
                .collect();
            let mut same = String::new();
            let mut check = String::new();
            for i in (0..r).filter(|&i| i != k) {
                write!(same, ", E{i}: SameDim<D{i}>").unwrap();
                write!(check, "let () = <E{i} as SameDim<D{i}>>::CHECK; ").unwrap();
            }
            let mut o = d.clone();
            o[k] = format!("<{} as DimAdd<R>>::Output", d[k]);
            writeln!(
                s,
                "impl<{g}, R: Dim{same}> ConcatShape<{}, Axis<{k}>> for {} where {}: DimAdd<R> {{ type Output = {}; const CHECK: () = {{ {check}}}; }}",
                tuple(&rhs),
                tuple(&d),
                d[k],
                tuple(&o)
            )
            .unwrap();
        }
        // Replace the dim at each axis (narrow, slice).
        for k in 0..r {
            let mut o = d.clone();
            o[k] = "N".into();
            writeln!(
                s,
                "impl<{g}, N: Dim> ReplaceDim<Axis<{k}>, N> for {} {{ type Output = {}; }}",
                tuple(&d),
                tuple(&o)
            )
            .unwrap();
        }
        if r >= 2 {
            for p in permutations(r) {
                let pd: Vec<String> = p.iter().map(|&i| d[i].clone()).collect();
                writeln!(
                    s,
                    "impl<{g}> PermuteShape<{}> for {} {{ type Permuted = {}; }}",
                    axes_tuple_always(&p),
                    tuple(&d),
                    tuple(&pd)
                )
                .unwrap();
            }
            let mut t = d.clone();
            t.swap(r - 1, r - 2);
            writeln!(
                s,
                "impl<{g}> TransposeShape for {} {{ type Transposed = {}; }}",
                tuple(&d),
                tuple(&t)
            )
            .unwrap();
        }
    }
    for r in 0..MAX_RANK {
        let d = dims(r);
        let g = generics(&d);
        for k in 0..=r {
            let mut o = d.clone();
            o.insert(k, "N".into());
            let sep = if g.is_empty() { "" } else { ", " };
            writeln!(
                s,
                "impl<{g}{sep}N: Dim> InsertAxis<Axis<{k}>, N> for {} {{ type Output = {}; }}",
                tuple(&d),
                tuple(&o)
            )
            .unwrap();
        }
    }
    std::fs::write(out.join("relations.rs"), s).unwrap();
    std::fs::write(out.join("same_shape.rs"), same_shape_impls()).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}

/// `SameShapeAs` between shapes whose first differing dims are a `Computed<T>` and a
/// `Const<N>` (either way round): the dims before are one type, those after are `SameDim`, and
/// `CHECK` compares every pair when building.
fn same_shape_impls() -> String {
    let mut s = String::new();
    for r in 1..=MAX_RANK {
        for i in 0..r {
            for (rhs_i, lhs_i) in [("Computed<T>", "Const<N>"), ("Const<N>", "Computed<T>")] {
                let mut generics: Vec<String> = (0..i).map(|j| format!("D{j}: Dim")).collect();
                generics.push("T".into());
                generics.push("const N: usize".into());
                let (mut lhs, mut rhs): (Vec<String>, Vec<String>) =
                    (0..i).map(|j| (format!("D{j}"), format!("D{j}"))).unzip();
                lhs.push(lhs_i.into());
                rhs.push(rhs_i.into());
                let mut check = format!("let () = <{rhs_i} as SameDim<{lhs_i}>>::CHECK; ");
                for j in i + 1..r {
                    generics.push(format!("L{j}: Dim, R{j}: SameDim<L{j}>"));
                    lhs.push(format!("L{j}"));
                    rhs.push(format!("R{j}"));
                    write!(check, "let () = <R{j} as SameDim<L{j}>>::CHECK; ").unwrap();
                }
                writeln!(
                    s,
                    "#[diagnostic::do_not_recommend] impl<{}> SameShapeAs<{}> for {} where Computed<T>: ConstDim {{ const CHECK: () = {{ {check}}}; }}",
                    generics.join(", "),
                    tuple(&lhs),
                    tuple(&rhs)
                )
                .unwrap();
            }
        }
    }
    s
}

fn axes_tuple_always(ix: &[usize]) -> String {
    format!(
        "({},)",
        ix.iter()
            .map(|i| format!("Axis<{i}>"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
