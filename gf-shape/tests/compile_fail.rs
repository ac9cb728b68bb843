//! Shape errors are compile errors with messages that say the reason; each failing case has a
//! compiling twin in `compile_pass/` that differs only in the mistake.

#[test]
fn shape_errors_are_compile_errors_with_readable_messages() {
    let t = trybuild::TestCases::new();
    t.pass("tests/compile_pass/*.rs");
    t.compile_fail("tests/compile_fail/*.rs");
}
