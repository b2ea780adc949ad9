//! Benchmark (not a test) for plan/apply against `helpcenter sandbox serve`:
//!
//! 1. apply of 1,000 article updates with 50 ms of latency per request, without a rate limit
//!    (throughput against concurrency / latency) and under 1,667 requests per 10 s (time
//!    against the shortest the fixed window allows), and 429s;
//! 2. plan of 10,000 articles in 300 collections: requests (target ≤ ceil(N/250) +
//!    ceil(C/250) + 4), wall time and peak memory (target < 500 MB).
//!
//! Run with `cargo bench --bench apply`. Figures are printed; nothing is asserted.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const TOKEN: &str = "bench-token";
const CONCURRENCY: usize = 8;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_helpcenter"));
    c.env("BENCH_TOKEN", TOKEN)
        .env("CI", "1")
        .stdin(Stdio::null());
    c
}

struct Emulator {
    child: Child,
    url: String,
}

impl Emulator {
    fn start() -> Self {
        let mut child = bin()
            .args(["sandbox", "serve", "--port", "0", "--token", TOKEN])
            // Seeding thousands of articles assumes no limit; the apply figure sets its own.
            .arg("--no-rate-limit")
            .stdout(Stdio::piped())
            .spawn()
            .expect("sandbox serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().strip_prefix("listening ").unwrap().to_owned();
        Self { child, url }
    }

    fn put(&self, path: &str, body: &str) {
        let status = Command::new("curl")
            .args([
                "-sf",
                "-X",
                "PUT",
                "-H",
                &format!("Authorization: Bearer {TOKEN}"),
                "-H",
                "Content-Type: application/json",
                "-d",
                body,
            ])
            .arg(format!("{}{path}", self.url))
            .stdout(Stdio::null())
            .status()
            .expect("curl");
        assert!(status.success(), "PUT {path}");
    }

    fn delete(&self, path: &str) {
        let status = Command::new("curl")
            .args([
                "-sf",
                "-X",
                "DELETE",
                "-H",
                &format!("Authorization: Bearer {TOKEN}"),
            ])
            .arg(format!("{}{path}", self.url))
            .stdout(Stdio::null())
            .status()
            .expect("curl");
        assert!(status.success(), "DELETE {path}");
    }

    fn get(&self, path: &str) -> String {
        let out = Command::new("curl")
            .args(["-sf", "-H", &format!("Authorization: Bearer {TOKEN}")])
            .arg(format!("{}{path}", self.url))
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn generate(root: &Path, url: &str, articles: usize, collections: usize, revision: &str) {
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(
        root.join("helpcenter.toml"),
        format!(
            "default_locale = \"en\"\nlocales = [\"en\"]\ndefault_target = \"bench\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[targets.bench]\nkind = \"intercom\"\nbase_url = \"{url}\"\ntoken_env = \"BENCH_TOKEN\"\n"
        ),
    )
    .unwrap();
    for c in 0..collections {
        let dir = root.join(format!("c{c:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("_collection.yml"),
            format!("name: Collection {c}\n"),
        )
        .unwrap();
    }
    for a in 0..articles {
        let dir = root.join(format!("c{:03}", a % collections));
        std::fs::write(
            dir.join(format!("article-{a}.md")),
            format!(
                "---\ntitle: Article {a}\n---\n## Section\n\nRevision {revision} of article {a}, with **bold** text and a [link](https://example.com/{a}).\n\n- one\n- two\n\n```\ncode {a}\n```\n"
            ),
        )
        .unwrap();
    }
}

fn run(root: &Path, args: &[&str]) -> (String, f64) {
    let started = Instant::now();
    let out = bin()
        .arg("--dir")
        .arg(root)
        .args(args)
        .output()
        .expect("helpcenter runs");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "helpcenter {args:?} failed:\n{}",
        &stderr[stderr.len().saturating_sub(3000)..]
    );
    (stderr, secs)
}

/// `(N requests, X s)` from the apply summary line.
fn apply_figures(stderr: &str) -> (usize, u64, f64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("Apply complete"))
        .expect("summary line");
    let changes: usize = line
        .split(": ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let inner = &line[line.rfind('(').unwrap() + 1..line.rfind(')').unwrap()];
    let mut parts = inner.split(", ");
    let requests = parts
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let secs = parts
        .next()
        .unwrap()
        .trim_end_matches(" s")
        .parse()
        .unwrap();
    (changes, requests, secs)
}

/// One timed apply of updates at a given concurrency against 50 ms of latency.
pub struct ApplyRun {
    /// Changes applied.
    pub changes: usize,
    /// Requests the apply sent (its summary line).
    pub requests: u64,
    /// Execution seconds (the summary line), wall seconds of the whole command (plan included).
    pub secs: f64,
    pub wall: f64,
    /// 429 answers the emulator gave during the run.
    pub too_many: u64,
    /// Every request the emulator saw during the run (plan and apply).
    pub seen: u64,
}

impl ApplyRun {
    /// Changes per second of execution.
    pub fn throughput(&self) -> f64 {
        self.changes as f64 / self.secs
    }
}

/// Seeds `articles` articles (no latency, no limit), then times applying an update to each at
/// `concurrency` with 50 ms of latency per request: once with no rate limit, once under
/// Intercom's 1,667 per 10 s (fixed window, started just before the run). Also used by
/// `benches/scale.rs`.
pub fn apply_runs(concurrency: usize, articles: usize) -> (ApplyRun, ApplyRun) {
    let emu = Emulator::start();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    generate(&root, &emu.url, articles, 20, "one");
    run(&root, &["apply", "--yes", "-q", "--concurrency", "16"]);
    emu.put("/_sandbox/faults", r#"{"latency_ms": 50}"#);
    let c = concurrency.to_string();
    let timed = |revision: &str, limit: &str| {
        generate(&root, &emu.url, articles, 20, revision);
        emu.put("/_sandbox/rate_limit", limit);
        emu.delete("/_sandbox/requests");
        let (stderr, wall) = run(&root, &["apply", "--yes", "--concurrency", &c]);
        let (changes, requests, secs) = apply_figures(&stderr);
        let log = emu.get("/_sandbox/requests");
        let count = |key: &str| {
            log.split(key).nth(1).map_or(0, |s| {
                s.split([',', '}'])
                    .next()
                    .unwrap()
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        };
        ApplyRun {
            changes,
            requests,
            secs,
            wall,
            too_many: count("\"429\":"),
            seen: count("\"total\":"),
        }
    };
    let free = timed("two", r#"{"limit": null}"#);
    let limited = timed("three", r#"{"limit": 1667, "window_secs": 10}"#);
    (free, limited)
}

/// The shortest time `requests` can take at `concurrency` ÷ 50 ms under a fixed window of
/// 1,667 per 10 s that starts with the run: full windows, then the rest at the concurrency
/// bound.
pub fn ideal_limited_secs(concurrency: usize, requests: u64) -> f64 {
    let rate = concurrency as f64 / 0.050;
    let full_windows = (requests.saturating_sub(1)) / 1667;
    let rest = requests - full_windows * 1667;
    full_windows as f64 * 10.0 + rest as f64 / rate
}

fn apply_bench() {
    let (free, limited) = apply_runs(CONCURRENCY, 1_000);
    let bound = CONCURRENCY as f64 / 0.050;
    println!(
        "apply, no rate limit: {} updates in {:.2} s of execution ({:.2} s wall incl. plan), {} requests: {:.1}/s vs {bound:.0}/s -> {:.1}% (target >= 90%), {} x 429",
        free.changes,
        free.secs,
        free.wall,
        free.requests,
        free.throughput(),
        100.0 * free.throughput() / bound,
        free.too_many
    );
    let ideal = ideal_limited_secs(CONCURRENCY, limited.seen);
    println!(
        "apply, 1,667 per 10 s: {} updates in {:.2} s wall, {} requests seen: ideal {ideal:.2} s -> {:.1}%, {} x 429",
        limited.changes,
        limited.wall,
        limited.seen,
        100.0 * ideal / limited.wall,
        limited.too_many
    );
}

fn plan_bench() {
    let emu = Emulator::start();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    let (articles, collections) = (10_000, 300);
    generate(&root, &emu.url, articles, collections, "one");
    let (_, secs) = run(&root, &["apply", "--yes", "--concurrency", "16", "-q"]);
    println!("plan: seeded {articles} articles in {collections} collections in {secs:.1} s");
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "maxrss_kb=%M"])
        .arg(env!("CARGO_BIN_EXE_helpcenter"))
        .env("BENCH_TOKEN", TOKEN)
        .arg("--dir")
        .arg(&root)
        .args(["plan", "-v", "--detailed-exitcode"])
        .output()
        .expect("/usr/bin/time runs");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let requests = stderr
        .lines()
        .find(|l| l.ends_with(" requests to plan"))
        .unwrap_or("? requests")
        .to_owned();
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb="))
        .unwrap_or("?")
        .to_owned();
    let target = articles.div_ceil(250) + collections.div_ceil(250) + 4;
    println!(
        "plan: {requests} (target <= {target}), {secs:.2} s, peak RSS {} MB, exit {:?} (0 = no changes)",
        rss.parse::<f64>()
            .map_or(rss.clone(), |kb| format!("{:.0}", kb / 1024.0)),
        out.status.code()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    apply_bench();
    plan_bench();
}
