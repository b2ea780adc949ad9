//! Fin AI Content (external pages) through the binary: `check` of a
//! `publish = "external_pages"` target, and plan/apply against `sandbox serve`.

use std::path::Path;

use crate::support::{TOKEN_ENV, run_in, write};

/// A content tree with public guides and an `internal/` folder published by target `fin`.
fn fin_tree(root: &Path, base_url: Option<&str>) {
    let target = match base_url {
        Some(url) => {
            format!("kind = \"intercom\"\nbase_url = \"{url}\"\ntoken_env = \"{TOKEN_ENV}\"\n")
        }
        None => "kind = \"sandbox\"\n".to_owned(),
    };
    write(
        root,
        "helpcenter.toml",
        &format!(
            "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\ndefault_target = \"fin\"\n\n[defaults]\nfin_copilot = true\n\n[targets.fin]\n{target}publish = \"external_pages\"\nsource_url = \"https://docs.acme.com/\"\npage_url = \"https://docs.acme.com/{{key}}\"\ninclude = [\"internal/**\"]\n"
        ),
    );
    write(
        root,
        "guides/_collection.yml",
        "name: Guides\ntranslations:\n  fr:\n    name: Guides\n",
    );
    write(
        root,
        "guides/install.md",
        "---\ntitle: Install\n---\nPublic.\n",
    );
    write(
        root,
        "internal/_collection.yml",
        "name: Internal\ntranslations:\n  fr:\n    name: Interne\n",
    );
    write(
        root,
        "internal/refunds.md",
        "---\ntitle: Refunds\n---\nRefund within 30 days. See [escalation](escalation.md).\n",
    );
    write(
        root,
        "internal/refunds.fr.md",
        "---\ntitle: Remboursements\n---\nSous 30 jours.\n",
    );
    write(
        root,
        "internal/escalation.md",
        "---\ntitle: Escalation\nfin_agent: false\n---\nPage the on-call lead.\n",
    );
}

#[test]
fn check_accepts_a_fin_target_and_warns_once_about_translations() {
    let tmp = tempfile::tempdir().unwrap();
    fin_tree(tmp.path(), None);
    let run = run_in(tmp.path(), &["check"]).expect(0);
    let prefix = format!("{}/", tmp.path().display());
    assert_eq!(
        run.stderr.replace(&prefix, ""),
        "warning: target `fin` publishes Fin external pages, which are English only: the translations of 1 article(s) (e.g. `internal/refunds.md`) are not sent
  --> helpcenter.toml:10:11
   |
10 | publish = \"external_pages\"
   |           ^
   = hint: nothing to do if that is intended; translations are published by help-center targets

0 errors, 1 warning in 7 files
"
    );
}

#[test]
fn check_reports_every_fin_config_error_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"fr\"\n\n[targets.fin]\nkind = \"sandbox\"\npublish = \"external_pages\"\nsource_url = \"https://docs.acme.com/\"\npage_url = \"https://docs.acme.com/\"\ninclude = [\"internal/**\", \"runbooks/**\"]\nexclude = [\"internal/old/**\"]\n",
    );
    write(tmp.path(), "internal/_collection.yml", "name: Interne\n");
    write(
        tmp.path(),
        "internal/a.md",
        "---\ntitle: A\nfin_agent: sometimes\n---\nBody.\n",
    );
    write(
        tmp.path(),
        "internal/b.md",
        "---\ntitle: B\nfin_copilot: false\n---\nBody.\n",
    );
    let run = run_in(tmp.path(), &["check", "--format", "github"]).expect(1);
    let prefix = format!("{}/", tmp.path().display());
    let stdout = run.stdout.replace(&prefix, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=helpcenter.toml,line=1,col=18,title=config-fin-locale::target `fin` publishes Fin external pages, which are English only, but `default_locale` is `fr`%0Ahint: write the content in English with `default_locale = \"en\"`, or remove `publish = \"external_pages\"` from `[targets.fin]`",
            "::error file=helpcenter.toml,line=7,col=12,title=config-bad-url::`page_url` `https://docs.acme.com/` has no `{key}`: every page would get the same URL%0Ahint: put `{key}` where the article key goes, e.g. \"https://docs.example.com/{key}\"",
            "::error file=helpcenter.toml,line=8,col=27,title=target-glob-unmatched::`include` glob `runbooks/**` of target `fin` matches no article%0Ahint: globs match each article's path from the content root, e.g. `internal/**` or `guides/*.md`",
            "::warning file=helpcenter.toml,line=9,col=12,title=target-glob-unmatched::`exclude` glob `internal/old/**` of target `fin` matches no article%0Ahint: globs match each article's path from the content root, e.g. `internal/**` or `guides/*.md`",
            "::error file=internal/a.md,line=3,col=12,title=front-matter-bad-value::`fin_agent` must be true or false, found a string%0Ahint: write `fin_agent: true` or `fin_agent: false`",
        ]
    );
}
