//! Benchmark (not a test): `check` on a generated help center of 10,000 articles × 3 locales
//! (en, fr, de) in 100 collections, against pulldown-cmark alone rendering the same Markdown
//! to HTML on one thread. Target: `check` within 2× of pulldown-cmark. Also prints peak RSS.
//!
//! Run with `cargo bench --bench check`. With `CHECK_BENCH_TREE=<dir>` it only writes the
//! tree into `<dir>` (to profile `helpcenter check --dir <dir>` on it) and exits.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const ARTICLES: usize = 10_000;
const TOP_LEVEL: usize = 10;
const CHILDREN: usize = 9;
const LOCALES: [&str; 3] = ["en", "fr", "de"];
const RUNS: usize = 5;

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

/// The figures of one run (best of [`RUNS`] each; CPU is user + sys of this process).
pub struct CheckFigures {
    /// Markdown files generated.
    pub files: usize,
    /// `check_project` on the tree: walk, config, read, front matter, render, link checks.
    pub check: Duration,
    /// Its CPU time (on every thread).
    pub check_cpu: Duration,
    /// Of which loading (walk, config, front matter).
    pub load: Duration,
    /// Of which rendering every file.
    pub render: Duration,
    /// pulldown-cmark alone on the same bodies held in memory, one thread.
    pub baseline: Duration,
    /// Its CPU time.
    pub baseline_cpu: Duration,
    /// pulldown-cmark alone reading the same files (and skipping their front matter), one thread.
    pub baseline_read: Duration,
    /// Its CPU time.
    pub baseline_read_cpu: Duration,
}

impl CheckFigures {
    /// `check` ÷ pulldown-cmark alone on bodies in memory (the bench's headline figure).
    pub fn ratio(&self) -> f64 {
        self.check.as_secs_f64() / self.baseline.as_secs_f64()
    }

    /// `check` ÷ pulldown-cmark alone reading the files too.
    pub fn ratio_read(&self) -> f64 {
        self.check.as_secs_f64() / self.baseline_read.as_secs_f64()
    }

    /// CPU of `check` ÷ CPU of pulldown-cmark alone in memory: the work done, whatever the
    /// number of threads and the load of the machine.
    pub fn cpu_ratio(&self) -> f64 {
        self.check_cpu.as_secs_f64() / self.baseline_cpu.as_secs_f64()
    }
}

/// Generates the 10,000 × 3 tree in a temporary folder and measures `check` against
/// pulldown-cmark alone (also used by `benches/scale.rs`).
pub fn measure() -> CheckFigures {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    let (paths, bodies) = generate_files(root);
    let options = pulldown_cmark::Options::ENABLE_TABLES;
    // The three sides run in turns, round after round, so a slow spell of a shared machine
    // falls on all of them rather than on one side's every run.
    let (mut check, mut baseline, mut baseline_read) = (Best::new(), Best::new(), Best::new());
    let mut html = String::new();
    for _ in 0..RUNS {
        check.time(|| {
            let report = helpcenter::commands::check::check_project(root);
            let (errors, warnings) = helpcenter::diagnostics::counts(&report.diagnostics);
            assert_eq!(
                (errors, warnings),
                (0, 0),
                "generated content must be clean: {:?}",
                report.diagnostics.first()
            );
        });
        baseline.time(|| {
            for body in &bodies {
                html.clear();
                pulldown_cmark::html::push_html(
                    &mut html,
                    pulldown_cmark::Parser::new_ext(body, options),
                );
                std::hint::black_box(&html);
            }
        });
        baseline_read.time(|| {
            for path in &paths {
                let text = std::fs::read_to_string(root.join(path)).expect("read");
                // The body follows the second `---` line (the generator writes no other).
                let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
                html.clear();
                pulldown_cmark::html::push_html(
                    &mut html,
                    pulldown_cmark::Parser::new_ext(body, options),
                );
                std::hint::black_box(&html);
            }
        });
    }
    let mut load = Best::new();
    for _ in 0..RUNS {
        load.time(|| {
            let loaded = helpcenter::content::load(root);
            std::hint::black_box(loaded.project.map(|p| p.articles.len()));
        });
    }
    let project = helpcenter::content::load(root).project.expect("project");
    let mut render = Best::new();
    for _ in 0..RUNS {
        render.time(|| {
            std::hint::black_box(helpcenter::commands::check::render_all(&project).len());
        });
    }
    drop(project);
    let ((check, check_cpu), (load, _), (render, _)) = (check.get(), load.get(), render.get());
    let ((baseline, baseline_cpu), (baseline_read, baseline_read_cpu)) =
        (baseline.get(), baseline_read.get());
    CheckFigures {
        files: bodies.len(),
        check,
        check_cpu,
        load,
        render,
        baseline,
        baseline_cpu,
        baseline_read,
        baseline_read_cpu,
    }
}

fn main() {
    let mut out = std::io::stdout().lock();
    if let Some(dir) = std::env::var_os("CHECK_BENCH_TREE") {
        let files = generate(Path::new(&dir)).len();
        let _ = writeln!(out, "{files} files written under {}", dir.to_string_lossy());
        return;
    }
    let started = Instant::now();
    let figures = measure();
    let _ = writeln!(
        out,
        "{} files, generated and measured in {:.1?}",
        figures.files,
        started.elapsed()
    );
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let _ = writeln!(
        out,
        "helpcenter check:      {:>10.1?}  (best of {RUNS} interleaved, {threads} threads; CPU {:.1?})",
        figures.check, figures.check_cpu
    );
    let _ = writeln!(
        out,
        "  of which load:       {:>10.1?}  (walk, config, read, front matter)",
        figures.load
    );
    let _ = writeln!(
        out,
        "  of which render:     {:>10.1?}  (render::render_article on every file)",
        figures.render
    );
    let _ = writeln!(
        out,
        "pulldown-cmark alone:  {:>10.1?}  (best of {RUNS} interleaved, 1 thread, bodies in memory; CPU {:.1?})",
        figures.baseline, figures.baseline_cpu
    );
    let _ = writeln!(
        out,
        "  reading the files:   {:>10.1?}  (best of {RUNS} interleaved, 1 thread; CPU {:.1?})",
        figures.baseline_read, figures.baseline_read_cpu
    );
    let _ = writeln!(
        out,
        "ratio:                 {:>10.2}x  (target <= 2x; {:.2}x against the baseline reading the files, {:.2}x in CPU)",
        figures.ratio(),
        figures.ratio_read(),
        figures.cpu_ratio()
    );
    let _ = writeln!(out, "peak RSS:              {:>10}", peak_rss());
}

/// The fastest wall time and the least CPU time of the runs of one side.
struct Best {
    wall: Duration,
    cpu: Duration,
}

impl Best {
    fn new() -> Self {
        Self {
            wall: Duration::MAX,
            cpu: Duration::MAX,
        }
    }

    /// Runs `f` once and keeps its times when they are the best so far.
    fn time(&mut self, f: impl FnOnce()) {
        let (start, cpu_start) = (Instant::now(), cpu_time());
        f();
        self.wall = self.wall.min(start.elapsed());
        self.cpu = self.cpu.min(cpu_time().saturating_sub(cpu_start));
    }

    fn get(&self) -> (Duration, Duration) {
        (self.wall, self.cpu)
    }
}

/// User + system CPU time of this process so far, all threads (`/proc/self/stat`, Linux; in
/// clock ticks, 10 ms each on Linux). Zero where unknown.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the `(comm)`: state is field 3, utime 14, stime 15.
            let rest = stat.rsplit_once(')')?.1.to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let user: u64 = fields.get(11)?.parse().ok()?;
            let sys: u64 = fields.get(12)?.parse().ok()?;
            Some(user + sys)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// `VmHWM` from `/proc/self/status` (Linux), else "unknown".
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Writes the content tree under `root`; returns every Markdown body (for the baseline).
pub fn generate(root: &Path) -> Vec<String> {
    generate_files(root).1
}

/// Writes the content tree under `root`; returns every Markdown file's path and body.
pub fn generate_files(root: &Path) -> (Vec<String>, Vec<String>) {
    let mut rng = fastrand::Rng::with_seed(7);
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\", \"de\"]\ndefault_target = \"local\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[assets]\nbase_url = \"https://example.com/help/\"\n\n[targets.local]\nkind = \"sandbox\"\n",
    );
    let mut dirs = Vec::new();
    for top in 0..TOP_LEVEL {
        let dir = format!("area-{top:02}");
        write_collection(root, &dir, &format!("Area {top}"));
        dirs.push(dir.clone());
        for child in 0..CHILDREN {
            let sub = format!("{dir}/topic-{child:02}");
            write_collection(root, &sub, &format!("Topic {top}.{child}"));
            dirs.push(sub);
        }
    }
    let per_dir = ARTICLES / dirs.len();
    let mut bodies = Vec::with_capacity(ARTICLES * LOCALES.len());
    let mut paths = Vec::with_capacity(ARTICLES * LOCALES.len());
    for dir in &dirs {
        for n in 0..per_dir {
            for locale in LOCALES {
                let body = article_body(&mut rng, n, per_dir, locale);
                let name = if locale == "en" {
                    format!("{dir}/article-{n:03}.md")
                } else {
                    format!("{dir}/article-{n:03}.{locale}.md")
                };
                let text = format!(
                    "---\ntitle: Article {n} in {dir} ({locale})\ndescription: {}\n---\n{body}",
                    sentence(&mut rng, 8)
                );
                write(root, &name, &text);
                paths.push(name);
                bodies.push(body);
            }
        }
    }
    (paths, bodies)
}

pub fn write_collection(root: &Path, dir: &str, name: &str) {
    write(
        root,
        &format!("{dir}/_collection.yml"),
        &format!(
            "name: {name}\ndescription: All about {name}\ntranslations:\n  fr:\n    name: {name} (fr)\n  de:\n    name: {name} (de)\n"
        ),
    );
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}

pub fn sentence(rng: &mut fastrand::Rng, words: usize) -> String {
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
pub fn article_body(rng: &mut fastrand::Rng, n: usize, per_dir: usize, locale: &str) -> String {
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
