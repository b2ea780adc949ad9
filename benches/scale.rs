//! Benchmark (not a test), one run for the scale targets of PRODUCT.md, printed side by side:
//!
//! - embedded-sandbox first apply (SQLite data file) vs `sandbox serve` without persistence;
//! - no-op `plan` CPU vs `check` CPU, the tool's own (the child's rusage through
//!   `/usr/bin/time`; the emulator is another process and is not counted), and plan peak RSS.
//!
//! Size: `SCALE_ARTICLES` (default 2,000) × `SCALE_LOCALES` (default 3, at most 10).
//! Run with `cargo bench --bench scale`. Figures are printed; nothing is asserted.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const TOKEN: &str = "bench-token";
const ALL_LOCALES: [&str; 10] = ["en", "fr", "de", "es", "it", "nl", "pt", "ja", "ko", "sv"];

const WORDS: [&str; 24] = [
    "account",
    "team",
    "project",
    "timer",
    "report",
    "invoice",
    "export",
    "settings",
    "member",
    "workspace",
    "entry",
    "weekly",
    "billing",
    "plan",
    "download",
    "install",
    "the",
    "your",
    "with",
    "and",
    "from",
    "every",
    "quickly",
    "safely",
];

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
    fn start() -> Self {
        let mut child = bin()
            .args(["sandbox", "serve", "--port", "0", "--token", TOKEN])
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

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let articles = env_usize("SCALE_ARTICLES", 2_000);
    let locales = &ALL_LOCALES[..env_usize("SCALE_LOCALES", 3).clamp(1, 10)];
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    generate(&root, articles, locales);
    println!("tree: {articles} articles x {} locales", locales.len());

    // Embedded sandbox (SQLite data file) vs `sandbox serve` without persistence.
    write(
        &root,
        "helpcenter.toml",
        &config(locales, "[targets.bench]\nkind = \"sandbox\"\n"),
    );
    let (embedded, _, _) = timed(&root, &["apply", "--yes", "-q"]);
    let (noop_embedded, _, _) = timed(&root, &["plan", "--detailed-exitcode", "-q"]);
    let emu = Emulator::start();
    let target = format!(
        "[targets.bench]\nkind = \"intercom\"\nbase_url = \"{}\"\ntoken_env = \"BENCH_TOKEN\"\n",
        emu.url
    );
    write(&root, "helpcenter.toml", &config(locales, &target));
    let _ = std::fs::remove_dir_all(root.join(".helpcenter"));
    let (served, _, _) = timed(&root, &["apply", "--yes", "-q"]);
    println!(
        "first apply: embedded {embedded:.2} s vs sandbox serve {served:.2} s -> {:.2}x (target <= 1.5x)",
        embedded / served
    );
    println!("no-op plan on the embedded target: {noop_embedded:.2} s wall");

    // The tool's own CPU: no-op plan against `sandbox serve` vs check.
    let (_, check_cpu, check_rss) = timed(&root, &["check"]);
    let (plan_wall, plan_cpu, plan_rss) = timed(&root, &["plan", "--detailed-exitcode", "-q"]);
    println!(
        "no-op plan CPU {plan_cpu:.2} s ({plan_wall:.2} s wall) vs check CPU {check_cpu:.2} s -> {:.2}x (target <= 2x)",
        plan_cpu / check_cpu
    );
    println!(
        "peak RSS: plan {plan_rss:.0} MB, check {check_rss:.0} MB (target < 1 GB at 10,000 x 10)"
    );
}

fn write_collection(root: &Path, dir: &str, name: &str) {
    write(
        root,
        &format!("{dir}/_collection.yml"),
        &format!(
            "name: {name}\ndescription: All about {name}\ntranslations:\n  fr:\n    name: {name} (fr)\n  de:\n    name: {name} (de)\n"
        ),
    );
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}

fn sentence(rng: &mut fastrand::Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.usize(..WORDS.len())]);
    }
    s
}

/// A realistic 1–3 KB article: headings, paragraphs, a list, links, a table, code.
fn article_body(rng: &mut fastrand::Rng, n: usize, per_dir: usize, locale: &str) -> String {
    let mut body = String::new();
    let link = |k: usize| {
        let target = (n + k) % per_dir;
        if locale == "en" {
            format!("article-{target:03}.md")
        } else {
            format!("article-{target:03}.{locale}.md")
        }
    };
    let _ = writeln!(body, "{}.\n", sentence(rng, 20));
    for step in 1..=rng.usize(2..=4) {
        let _ = writeln!(body, "## Step {step}: {}\n", sentence(rng, 3));
        let _ = writeln!(
            body,
            "{} **{}** and [{}]({}). {}.\n",
            sentence(rng, 14),
            sentence(rng, 2),
            sentence(rng, 2),
            link(step),
            sentence(rng, 12)
        );
        for _ in 0..rng.usize(2..=4) {
            let _ = writeln!(
                body,
                "- {} `{}`",
                sentence(rng, 6),
                WORDS[rng.usize(..WORDS.len())]
            );
        }
        body.push('\n');
    }
    if rng.bool() {
        body.push_str("| Plan | Members | Price |\n|---|---|---|\n");
        for row in 0..3 {
            let _ = writeln!(
                body,
                "| {} | {} | ${} |",
                sentence(rng, 1),
                row * 5 + 1,
                row * 8
            );
        }
        body.push('\n');
    }
    let _ = writeln!(
        body,
        "```sh\npebble export --from 2024-05-01 --project {}\n```\n",
        WORDS[rng.usize(..WORDS.len())]
    );
    let _ = writeln!(body, "{}.", sentence(rng, 25));
    body
}
