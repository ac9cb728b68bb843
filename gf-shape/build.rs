//! Generates the typenum→`Const` table and the tuple impls of the axis relations.

use std::fmt::Write;

const MAX_RANK: usize = 6;
const TABLE_MAX: usize = 1024;

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

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = std::path::Path::new(&out_dir);

    let mut table = String::new();
    for n in 0..=TABLE_MAX {
        writeln!(
            table,
            "impl TableConst for typenum::consts::U{n} {{ type Const = Const<{n}>; }}"
        )
        .unwrap();
    }
    std::fs::write(out.join("const_table.rs"), table).unwrap();

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
            let mut bounds = String::new();
            let mut acc = d[k].clone();
            for t in &d[k + 1..] {
                write!(bounds, "{acc}: crate::arith::DimMul<{t}>, ").unwrap();
                acc = format!("<{acc} as crate::arith::DimMul<{t}>>::Output");
            }
            let mut flat: Vec<String> = d[..k].to_vec();
            flat.push(acc);
            writeln!(
                s,
                "impl<{g}> FlattenShape<Axis<{k}>> for {} where {bounds} {{ type Flat = {}; }}",
                tuple(&d),
                tuple(&flat)
            )
            .unwrap();
        }
        // Concat along each axis: the rhs differs only there.
        for k in 0..r {
            let mut rhs = d.clone();
            rhs[k] = "R".into();
            let mut o = d.clone();
            o[k] = format!("<{} as DimAdd<R>>::Output", d[k]);
            writeln!(s, "impl<{g}, R: Dim> ConcatShape<{}, Axis<{k}>> for {} where {}: DimAdd<R> {{ type Output = {}; }}", tuple(&rhs), tuple(&d), d[k], tuple(&o)).unwrap();
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
    println!("cargo:rerun-if-changed=build.rs");
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
