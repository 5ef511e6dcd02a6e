//! `bench spill` end to end on small inputs: every run, spilling or not, on each backend,
//! reports a correct answer (the check itself is what this guards: an odd key count once
//! made it expect an account the generator never wrote).

use std::process::Command;

#[test]
fn small_spill_runs_report_correct_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let states = format!("memory,rocksdb:{},tonbo:{}", dir.path().join("rocksdb").display(), dir.path().join("tonbo").display());
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["spill", "--keys", "3001", "--join-keys", "6001", "--limit", "1MiB", "--threads", "2", "--states", &states, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let runs: Vec<&str> = text.lines().filter(|l| l.starts_with("group-by ") || l.starts_with("join ")).collect();
    assert_eq!(runs.len(), 6, "{text}");
    assert!(runs.iter().all(|l| l.trim_end().ends_with("correct")), "{text}");
    assert!(text.contains("join: 12002 probe rows against 3000 build rows"), "{text}");
}
