//! Compile-fail and compile-pass cases for `#[sabot::pipeline]` and `#[derive(Record)]`.
//! Refresh the `.stderr` snapshots after an intended change with `TRYBUILD=overwrite cargo test -p sabot-ui-tests`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
    t.pass("tests/pass/*.rs");
}
