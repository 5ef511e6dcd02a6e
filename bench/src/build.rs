//! Bench (b): how long a developer waits after editing a pipeline. Times `cargo build` of the
//! quickstart job after changing one constant in its pipeline body (release and debug), and
//! the expansion of its macros by the compiler library, in process.

use crate::median;
use proc_macro2::TokenStream;
use quote::ToTokens;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const PIPELINE_FILE: &str = "examples/quickstart/src/lib.rs";
const NEEDLE: &str = "b.auction % 123 == 0";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is inside the workspace").to_path_buf()
}

/// Restores the edited file when dropped, even on error.
struct Restore(PathBuf, String);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.0, &self.1);
    }
}

fn cargo_build(profile: &[&str]) -> anyhow::Result<f64> {
    let t = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "sabot-quickstart", "--bin", "quickstart"])
        .args(profile)
        .current_dir(workspace())
        .status()?;
    anyhow::ensure!(status.success(), "cargo build failed");
    Ok(t.elapsed().as_secs_f64())
}

/// Runs bench (b) and prints the figures.
pub fn run(runs: usize) -> anyhow::Result<()> {
    let path = workspace().join(PIPELINE_FILE);
    let original = std::fs::read_to_string(&path)?;
    anyhow::ensure!(original.contains(NEEDLE), "{PIPELINE_FILE} no longer contains `{NEEDLE}`");
    let (pipeline_us, derive_us) = expansion_times(&original)?;

    let mut rows = Vec::new();
    for (name, profile) in [("release", &["--release"][..]), ("debug", &[][..])] {
        cargo_build(profile)?; // up to date before timing
        let _restore = Restore(path.clone(), original.clone());
        let mut times = Vec::new();
        for i in 0..runs {
            let edited = original.replace(NEEDLE, &format!("b.auction % {} == 0", 124 + i));
            std::fs::write(&path, edited)?;
            times.push(cargo_build(profile)?);
        }
        drop(_restore);
        cargo_build(profile)?;
        rows.push((name, median(times)));
    }
    println!(
        "bench build: quickstart job, pipeline body edited, median of {runs} rebuilds, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (name, secs) in rows {
        println!("  incremental {name:<8} cargo build: {secs:>6.2} s   (target < 15 s)");
    }
    println!("  #[sabot::pipeline] expansion: {:>8.3} ms   (target < 50 ms)", pipeline_us / 1000.0);
    println!("  #[derive(Record)] expansion:  {:>8.3} ms   (both records)", derive_us / 1000.0);
    Ok(())
}

fn is_pipeline_attr(a: &syn::Attribute) -> bool {
    a.path().segments.last().is_some_and(|s| s.ident == "pipeline")
}

/// Median microseconds to expand the file's pipeline and its records' derives.
fn expansion_times(source: &str) -> anyhow::Result<(f64, f64)> {
    let file = syn::parse_file(source)?;
    let mut pipeline: Option<TokenStream> = None;
    let mut records: Vec<TokenStream> = Vec::new();
    for item in file.items {
        match item {
            syn::Item::Fn(mut f) if f.attrs.iter().any(is_pipeline_attr) => {
                f.attrs.retain(|a| !is_pipeline_attr(a));
                pipeline = Some(f.to_token_stream());
            }
            syn::Item::Struct(s) => records.push(s.to_token_stream()),
            _ => {}
        }
    }
    let pipeline = pipeline.ok_or_else(|| anyhow::anyhow!("no #[sabot::pipeline] fn in {PIPELINE_FILE}"))?;
    let time = |f: &dyn Fn()| {
        let v: Vec<f64> = (0..200)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        median(v)
    };
    let p = time(&|| {
        std::hint::black_box(sabot_compiler::expand_pipeline(TokenStream::new(), pipeline.clone()));
    });
    let d = time(&|| {
        for r in &records {
            std::hint::black_box(sabot_compiler::expand_record(r.clone()));
        }
    });
    Ok((p, d))
}
