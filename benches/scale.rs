//! Benchmark (not a test), one run for the scale targets of PRODUCT.md, printed side by side
//! as ratios with the load average of the shared machine beside each:
//!
//! - `check` vs pulldown-cmark alone on 10,000 × 3 (`benches/check.rs`, in process);
//! - first apply of 2,000 × 3: the embedded target (SQLite data file) vs `sandbox serve`
//!   without persistence, both at the emulator's default rate limit; then `sandbox serve
//!   --state` vs `sandbox serve`, both without a limit (the persistence cost alone);
//! - no-op `plan` CPU vs `check` CPU on 2,000 × 10, the tool's own (the child's rusage through
//!   `/usr/bin/time`; the emulator is another process and is not counted);
//! - no-op `plan` peak RSS on 10,000 × 10;
//! - apply throughput at `--concurrency 16` × 50 ms latency (`benches/apply.rs`'s harness)
//!   without a rate limit, and at Intercom's 1,667 per 10 s;
//! - `preview` of 10,000 articles × 3 locales: first page (the index's initial load), warm
//!   article and home pages, and an edit's way to the live-reload stream.
//!
//! Sizes: `SCALE_ARTICLES` (default 2,000), `SCALE_RSS_ARTICLES` (10,000), `SCALE_UPDATES`
//! (3,000: more than one window of the limit), `SCALE_PREVIEW_ARTICLES` (10,000) and
//! `SCALE_PREVIEW_LOCALES` (3). `SCALE_PARTS=check,sandbox,plan,rss,apply,preview`
//! picks parts; `SCALE_PERF=FILE` also records a `perf` profile of the no-op plan. Run with `cargo bench --bench scale`. Figures are printed; nothing is asserted.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

#[path = "apply.rs"]
#[allow(dead_code)]
mod apply_bench;
#[path = "check.rs"]
#[allow(dead_code)]
mod check_bench;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use check_bench::{article_body, sentence, write, write_collection};

const TOKEN: &str = "bench-token";
const ALL_LOCALES: [&str; 10] = ["en", "fr", "de", "es", "it", "nl", "pt", "ja", "ko", "sv"];

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
    fn start(extra: &[&str]) -> Self {
        let mut child = bin()
            .args(["sandbox", "serve", "--port", "0", "--token", TOKEN])
            .args(extra)
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
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the tool under `/usr/bin/time`: (wall s, user+sys CPU s, peak RSS MB).
fn timed(root: &Path, args: &[&str]) -> (f64, f64, f64) {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "cpu=%U+%S rss_kb=%M"])
        .arg(env!("CARGO_BIN_EXE_helpcenter"))
        .env("BENCH_TOKEN", TOKEN)
        .env("CI", "1")
        .stdin(Stdio::null())
        .arg("--dir")
        .arg(root)
        .args(args)
        .output()
        .expect("/usr/bin/time runs");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "helpcenter {args:?} failed:\n{}",
        &stderr[stderr.len().saturating_sub(3000)..]
    );
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("cpu="))
        .expect("time line");
    let cpu: f64 = line["cpu=".len()..line.find(' ').unwrap()]
        .split('+')
        .map(|s| s.parse::<f64>().unwrap())
        .sum();
    let rss: f64 = line[line.find("rss_kb=").unwrap() + 7..]
        .trim()
        .parse()
        .unwrap();
    (wall, cpu, rss / 1024.0)
}

fn config(locales: &[&str], target: &str) -> String {
    let list: Vec<String> = locales.iter().map(|l| format!("\"{l}\"")).collect();
    format!(
        "default_locale = \"en\"\nlocales = [{}]\ndefault_target = \"bench\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[assets]\nbase_url = \"https://example.com/help/\"\n\n{target}",
        list.join(", ")
    )
}

/// Writes `articles` × `locales` articles in 10 × 10 collections under `root`.
fn generate(root: &Path, articles: usize, locales: &[&str]) {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut dirs = Vec::new();
    for top in 0..10 {
        let dir = format!("area-{top:02}");
        write_collection(root, &dir, &format!("Area {top}"));
        dirs.push(dir.clone());
        for child in 0..9 {
            let sub = format!("{dir}/topic-{child:02}");
            write_collection(root, &sub, &format!("Topic {top}.{child}"));
            dirs.push(sub);
        }
    }
    let per_dir = articles.div_ceil(dirs.len());
    let mut written = 0;
    for dir in &dirs {
        for n in 0..per_dir {
            if written == articles {
                return;
            }
            written += 1;
            for locale in locales {
                let body = article_body(&mut rng, n, per_dir, locale);
                let name = if *locale == "en" {
                    format!("{dir}/article-{n:03}.md")
                } else {
                    format!("{dir}/article-{n:03}.{locale}.md")
                };
                let text = format!(
                    "---\ntitle: Article {n} in {dir} ({locale})\ndescription: {}\n---\n{body}",
                    sentence(&mut rng, 8)
                );
                write(root, &name, &text);
            }
        }
    }
}

/// The first field of `/proc/loadavg`: how busy the shared machine was.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// One row of the summary table.
struct Row {
    figure: String,
    value: String,
    ratio: String,
    goal: &'static str,
    load: String,
}

fn row(rows: &mut Vec<Row>, figure: String, value: String, ratio: String, goal: &'static str) {
    let r = Row {
        figure,
        value,
        ratio,
        goal,
        load: load(),
    };
    println!(
        "{}: {} -> {} (goal {}; load {})",
        r.figure, r.value, r.ratio, r.goal, r.load
    );
    rows.push(r);
}

fn part(name: &str) -> bool {
    std::env::var("SCALE_PARTS").map_or(true, |p| p.split(',').any(|x| x.trim() == name))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut rows = Vec::new();
    if part("check") {
        let f = check_bench::measure();
        row(
            &mut rows,
            format!(
                "check vs pulldown-cmark alone, 10,000 x 3 ({} files)",
                f.files
            ),
            format!(
                "{:.2} s vs {:.2} s",
                f.check.as_secs_f64(),
                f.baseline.as_secs_f64()
            ),
            format!("{:.2}x", f.ratio()),
            "<= 2x",
        );
    }
    if part("sandbox") {
        first_apply(&mut rows, env_usize("SCALE_ARTICLES", 2_000), 3);
    }
    if part("plan") {
        plan_cpu(&mut rows, env_usize("SCALE_ARTICLES", 2_000), 10);
    }
    if part("rss") {
        plan_rss(&mut rows, env_usize("SCALE_RSS_ARTICLES", 10_000), 10);
    }
    if part("apply") {
        apply(&mut rows, 16, env_usize("SCALE_UPDATES", 3_000));
    }
    if part("preview") {
        preview(
            &mut rows,
            env_usize("SCALE_PREVIEW_ARTICLES", 10_000),
            env_usize("SCALE_PREVIEW_LOCALES", 3),
        );
    }
    println!();
    println!("| figure | measured | ratio | goal | load average |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.figure, r.value, r.ratio, r.goal, r.load
        );
    }
}

fn intercom_target(url: &str) -> String {
    format!(
        "[targets.bench]\nkind = \"intercom\"\nbase_url = \"{url}\"\ntoken_env = \"BENCH_TOKEN\"\n"
    )
}

/// First apply on the embedded target (SQLite data file, the emulator's default rate limit)
/// vs `sandbox serve` without persistence at the same limit; then the persistence cost alone:
/// `sandbox serve --state FILE.db` vs `sandbox serve`, both without a rate limit.
fn first_apply(rows: &mut Vec<Row>, articles: usize, locales: usize) {
    let locales = &ALL_LOCALES[..locales];
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    generate(&root, articles, locales);
    let fresh = || {
        let _ = std::fs::remove_dir_all(root.join(".helpcenter"));
    };
    write(
        &root,
        "helpcenter.toml",
        &config(locales, "[targets.bench]\nkind = \"sandbox\"\n"),
    );
    let (embedded, _, _) = timed(&root, &["apply", "--yes", "-q"]);
    let (noop, _, _) = timed(&root, &["plan", "--detailed-exitcode", "-q"]);
    println!("no-op plan on the embedded target: {noop:.2} s wall");
    let served = {
        let emu = Emulator::start(&[]);
        write(
            &root,
            "helpcenter.toml",
            &config(locales, &intercom_target(&emu.url)),
        );
        fresh();
        timed(&root, &["apply", "--yes", "-q"]).0
    };
    row(
        rows,
        format!(
            "first apply {articles} x {}: embedded target vs sandbox serve, both at the default limit",
            locales.len()
        ),
        format!("{embedded:.2} s vs {served:.2} s"),
        format!("{:.2}x", embedded / served),
        "<= 1.5x",
    );
    let db = tmp.path().join("serve.sandbox.db");
    let mut walls = Vec::new();
    for state in [Some(&db), None] {
        let mut args = vec!["--no-rate-limit"];
        let state_arg;
        if let Some(db) = state {
            state_arg = db.display().to_string();
            args.extend(["--state", &state_arg]);
        }
        let emu = Emulator::start(&args);
        write(
            &root,
            "helpcenter.toml",
            &config(locales, &intercom_target(&emu.url)),
        );
        fresh();
        walls.push(timed(&root, &["apply", "--yes", "-q"]).0);
    }
    row(
        rows,
        format!(
            "first apply {articles} x {}: sandbox serve --state (SQLite) vs without, no rate limit",
            locales.len()
        ),
        format!("{:.2} s vs {:.2} s", walls[0], walls[1]),
        format!("{:.2}x", walls[0] / walls[1]),
        "<= 1.5x",
    );
}

/// Where a seeded tree lives: removed after the run, or kept (`SCALE_KEEP`).
enum Seeded {
    Temp(tempfile::TempDir),
    Kept(std::path::PathBuf),
}

impl Seeded {
    fn path(&self) -> &Path {
        match self {
            Seeded::Temp(t) => t.path(),
            Seeded::Kept(p) => p,
        }
    }
}

/// A tree of `articles` × `locales` seeded into `sandbox serve --no-rate-limit`.
fn seeded(articles: usize, locales: usize) -> (Seeded, Emulator) {
    let locales = &ALL_LOCALES[..locales];
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    generate(&root, articles, locales);
    // `SCALE_KEEP=1`: the emulator persists into the tree's folder, kept after the run, so a
    // profile can be repeated against it (`sandbox serve --state <dir>/serve.sandbox.db`).
    let keep = std::env::var_os("SCALE_KEEP").is_some();
    let db = tmp.path().join("serve.sandbox.db").display().to_string();
    let mut args = vec!["--no-rate-limit"];
    if keep {
        args.extend(["--state", &db]);
    }
    let emu = Emulator::start(&args);
    write(
        &root,
        "helpcenter.toml",
        &config(locales, &intercom_target(&emu.url)),
    );
    let (wall, _, _) = timed(&root, &["apply", "--yes", "-q", "--concurrency", "16"]);
    println!(
        "seeded {articles} x {} in {wall:.1} s (load {})",
        locales.len(),
        load()
    );
    if keep {
        println!("kept {}", tmp.path().display());
        return (Seeded::Kept(tmp.keep()), emu);
    }
    (Seeded::Temp(tmp), emu)
}

/// The tool's own CPU (user + sys of the child): no-op plan vs check.
fn plan_cpu(rows: &mut Vec<Row>, articles: usize, locales: usize) {
    let (tmp, _emu) = seeded(articles, locales);
    let root = tmp.path().join("content");
    let (_, check_cpu, _) = timed(&root, &["check"]);
    let (plan_wall, plan_cpu, plan_rss) = timed(&root, &["plan", "--detailed-exitcode", "-q"]);
    // The same plan without the raw-body hashes in the state file (as a state written before
    // they existed): every remote body is normalised again, as before that memo.
    let state = root.join(".helpcenter").join("bench.state.json");
    let saved = std::fs::read_to_string(&state).expect("state file");
    let mut value: serde_json::Value = serde_json::from_str(&saved).expect("state JSON");
    strip_raw(&mut value);
    std::fs::write(&state, value.to_string()).expect("write state");
    let (_, old_cpu, _) = timed(&root, &["plan", "--detailed-exitcode", "-q"]);
    std::fs::write(&state, &saved).expect("restore state");
    row(
        rows,
        format!("no-op plan CPU without the raw-body memo vs check CPU, {articles} x {locales}"),
        format!("{old_cpu:.2} s vs {check_cpu:.2} s"),
        format!("{:.2}x", old_cpu / check_cpu),
        "<= 2x",
    );
    if let Ok(out) = std::env::var("SCALE_PERF") {
        // A profile of the same no-op plan: `perf record` (cpu-clock samples) into `out`.
        let status = Command::new("perf")
            .args(["record", "-F", "999", "-g", "-o", &out, "--"])
            .arg(env!("CARGO_BIN_EXE_helpcenter"))
            .env("BENCH_TOKEN", TOKEN)
            .env("CI", "1")
            .arg("--dir")
            .arg(&root)
            .args(["plan", "-q"])
            .stdout(Stdio::null())
            .status()
            .expect("perf runs");
        println!("perf record of the no-op plan: {out} ({status})");
    }
    row(
        rows,
        format!("no-op plan CPU vs check CPU, {articles} x {locales}"),
        format!("{plan_cpu:.2} s ({plan_wall:.2} s wall, {plan_rss:.0} MB) vs {check_cpu:.2} s"),
        format!("{:.2}x", plan_cpu / check_cpu),
        "<= 2x",
    );
}

/// Removes every `raw` key (the state file's raw-body hashes) from `value`.
fn strip_raw(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("raw");
            map.values_mut().for_each(strip_raw);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_raw),
        _ => {}
    }
}

/// Peak RSS of a no-op plan.
fn plan_rss(rows: &mut Vec<Row>, articles: usize, locales: usize) {
    let (tmp, _emu) = seeded(articles, locales);
    let root = tmp.path().join("content");
    let (wall, cpu, rss) = timed(&root, &["plan", "--detailed-exitcode", "-q"]);
    row(
        rows,
        format!("no-op plan peak RSS, {articles} x {locales}"),
        format!("{rss:.0} MB ({cpu:.2} s CPU, {wall:.2} s wall)"),
        format!("{:.2} of 1 GB", rss / 1024.0),
        "< 1 GB",
    );
}

/// Apply throughput at `concurrency` x 50 ms, without a limit and at Intercom's limit.
fn apply(rows: &mut Vec<Row>, concurrency: usize, updates: usize) {
    let (free, limited) = apply_bench::apply_runs(concurrency, updates);
    let bound = concurrency as f64 / 0.050;
    row(
        rows,
        format!(
            "apply {} updates at --concurrency {concurrency} x 50 ms, no rate limit ({} requests, {} x 429)",
            free.changes, free.requests, free.too_many
        ),
        format!(
            "{:.1}/s ({:.2} s) vs {bound:.0}/s",
            free.throughput(),
            free.secs
        ),
        format!("{:.1}%", 100.0 * free.throughput() / bound),
        ">= 90%",
    );
    let ideal = apply_bench::ideal_limited_secs(concurrency, limited.seen);
    let rate = limited.seen as f64 / limited.wall;
    row(
        rows,
        format!(
            "apply {} updates at --concurrency {concurrency} x 50 ms, 1,667 per 10 s ({} requests seen, {} x 429)",
            limited.changes, limited.seen, limited.too_many
        ),
        format!(
            "{:.2} s wall vs {ideal:.2} s fixed-window ideal; {rate:.1} requests/s vs 166.7/s",
            limited.wall
        ),
        format!(
            "{:.1}% of ideal, {:.1}% of the limit",
            100.0 * ideal / limited.wall,
            100.0 * rate / 166.7
        ),
        "100% of the limit, 0 x 429",
    );
}

/// `preview` over `articles` × `locales`: the first page (waits for the index's first load),
/// warm pages (median and slowest of several, each a different article), the home page, an
/// edit until its `refresh` event, and the preview's peak RSS.
fn preview(rows: &mut Vec<Row>, articles: usize, locales: usize) {
    let locales = &ALL_LOCALES[..locales];
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    generate(&root, articles, locales);
    write(
        &root,
        "helpcenter.toml",
        &config(locales, "[targets.bench]\nkind = \"sandbox\"\n"),
    );
    let started = Instant::now();
    let mut child = bin()
        .arg("--dir")
        .arg(&root)
        .args(["preview", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("preview starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().strip_prefix("preview ").unwrap().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{url}{path}");
        async move {
            let t = Instant::now();
            let resp = client.get(&url).send().await.expect("GET");
            assert_eq!(resp.status(), 200, "{url}");
            let text = resp.text().await.unwrap();
            (t.elapsed().as_secs_f64(), text)
        }
    };
    let key = |i: usize| {
        format!(
            "area-{:02}/topic-{:02}/article-{:03}",
            i % 10,
            i % 9,
            i % 90
        )
    };
    let (first, _) = rt.block_on(get(format!("/articles/{}", key(0))));
    let first_total = started.elapsed().as_secs_f64();
    let mut warm: Vec<f64> = (1..=20)
        .map(|i| {
            rt.block_on(get(format!("/articles/{}?locale=fr", key(i * 7))))
                .0
        })
        .collect();
    warm.sort_by(f64::total_cmp);
    let mut home: Vec<f64> = (0..5).map(|_| rt.block_on(get("/".to_owned())).0).collect();
    home.sort_by(f64::total_cmp);
    let page = format!("/articles/{}", key(3));
    let (reload, after) = rt.block_on(async {
        let mut events = client
            .get(format!("{url}/_preview/events"))
            .send()
            .await
            .expect("events");
        let mut seen = String::new();
        while !seen.contains("event: ready") {
            let chunk = events.chunk().await.unwrap().expect("stream open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        let file = root.join(format!("{}.md", key(3)));
        let text = std::fs::read_to_string(&file).unwrap();
        let t = Instant::now();
        std::fs::write(&file, format!("{text}\n## Edited for the bench\n")).unwrap();
        let mut seen = String::new();
        while !seen.contains(&key(3)) {
            let chunk = events.chunk().await.unwrap().expect("stream open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        let reload = t.elapsed().as_secs_f64();
        (reload, get(page.clone()).await)
    });
    assert!(
        after.1.contains("Edited for the bench"),
        "the edit is served"
    );
    let rss_mb = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0);
    let _ = child.kill();
    let _ = child.wait();
    let median = warm[warm.len() / 2];
    row(
        rows,
        format!(
            "preview of {articles} x {}: warm article page (median of {}, slowest)",
            locales.len(),
            warm.len()
        ),
        format!(
            "{:.0} ms, {:.0} ms; home page {:.0} ms; first page {:.1} s after start ({:.1} s request); edit to live-reload event {:.0} ms, page after {:.0} ms; peak RSS {rss_mb:.0} MB",
            median * 1e3,
            warm[warm.len() - 1] * 1e3,
            home[home.len() / 2] * 1e3,
            first_total,
            first,
            reload * 1e3,
            after.0 * 1e3,
        ),
        format!("{:.2} of 300 ms", median * 1e3 / 300.0),
        "< 300 ms warm",
    );
}
