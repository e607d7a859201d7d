//! Peak resident set size of one stage on one document, in a fresh process.
//!
//! `cargo bench -p codegen --bench peak_rss -- STAGE FILE` with STAGE one of
//! - `read`: only read the file (the process baseline);
//! - `floor`: `serde_yaml` into a `serde_json::Value`;
//! - `parse`: `codegen::parse` (to the IR);
//! - `generate`: `codegen::generate` (every file rendered, kept in memory).
//!
//! Prints `peak_rss_kib STAGE N` from `VmHWM` in `/proc/self/status` (Linux only; prints
//! `unknown` elsewhere). `benches/run.sh` runs each stage in its own process.

use std::hint::black_box;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    // `cargo bench` passes `--bench`; ignore flags.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let (Some(stage), Some(file)) = (args.first(), args.get(1)) else {
        println!(
            "peak_rss: usage: cargo bench -p codegen --bench peak_rss -- read|floor|parse|generate FILE \
             (nothing measured)"
        );
        return;
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            println!("peak_rss: skipping, cannot read {file}: {e}");
            return;
        }
    };
    let options = codegen::Options { spec_path: file.clone(), skip_unsupported: true, ..codegen::Options::default() };
    match stage.as_str() {
        "read" => {
            black_box(&text);
        }
        "floor" => {
            let value: serde_json::Value = serde_yaml::from_str(&text).expect("valid YAML");
            black_box(&value);
        }
        "parse" => {
            let api = codegen::parse(&text, &options).expect("parses");
            black_box(&api);
        }
        "generate" => {
            let out = codegen::generate(&text, &options).expect("generates");
            black_box(&out);
        }
        other => {
            eprintln!("peak_rss: unknown stage `{other}`");
            std::process::exit(2);
        }
    }
    match peak_rss_kib() {
        Some(kib) => println!("peak_rss_kib {stage} {kib}"),
        None => println!("peak_rss_kib {stage} unknown"),
    }
}
