//! Layer sizes that do not chain are compile errors whose message names both sizes. Each
//! program under `ui/compile_fail/` has its `.stderr` pinned, and a corrected twin under
//! `ui/compile_pass/` that must build.

#[test]
fn layer_size_mismatches_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/compile_fail/*.rs");
    t.pass("tests/ui/compile_pass/*.rs");
}
