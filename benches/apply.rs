//! Benchmark (not a test) for plan/apply against `helpcenter sandbox serve`:
//!
//! 1. apply of 1,000 article updates with 50 ms of latency per request and a limit of 1,667
//!    requests per 10 s: throughput against min(concurrency / latency, limit), and 429s;
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

fn apply_bench() {
    let emu = Emulator::start();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    generate(&root, &emu.url, 1_000, 20, "one");
    run(&root, &["apply", "--yes", "--concurrency", "8"]);
    generate(&root, &emu.url, 1_000, 20, "two");
    emu.put("/_sandbox/faults", r#"{"latency_ms": 50}"#);
    emu.put(
        "/_sandbox/rate_limit",
        r#"{"limit": 1667, "window_secs": 10}"#,
    );
    emu.get("/_sandbox/requests");
    let c = CONCURRENCY.to_string();
    let (stderr, wall) = run(&root, &["apply", "--yes", "--concurrency", &c]);
    let (changes, requests, secs) = apply_figures(&stderr);
    let log = emu.get("/_sandbox/requests");
    let too_many = log.split("\"429\":").nth(1).map_or(0, |s| {
        s.split([',', '}'])
            .next()
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap_or(0)
    });
    let ceiling = (CONCURRENCY as f64 / 0.050).min(1667.0 / 10.0);
    let throughput = changes as f64 / secs;
    println!(
        "apply: {changes} updates in {secs:.2} s of execution ({wall:.2} s wall incl. plan), {requests} requests"
    );
    println!(
        "apply: throughput {throughput:.1}/s vs ceiling min({CONCURRENCY}/0.05 s, 166.7/s) = {ceiling:.1}/s -> {:.1}% (target >= 85%)",
        100.0 * throughput / ceiling
    );
    println!("apply: 429 responses: {too_many}");
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
