//! Shape and tape errors are compile errors with readable messages. Each program under
//! `compile_fail/` has its `.stderr` pinned, and a corrected twin under `compile_pass/` that
//! must build.

#[test]
fn shape_errors_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
    t.pass("tests/compile_pass/*.rs");
}
