//! Assembles the content tree: config + walk + `_collection.yml` + front matter → [`Project`].
//!
//! Every problem becomes a [`Diagnostic`]; nothing stops at the first error. Article files are
//! read and parsed on several threads, starting while the walk still runs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::content::collection_file::{self, CollectionFile};
use crate::content::config::{self, Config};
use crate::content::front_matter;
use crate::content::locales;
use crate::content::model::{
    ArticleFile, ArticleState, AuthorRef, FinAvailability, LocalArticle, LocalCollection, Project,
};
use crate::content::walk;
use crate::content::yaml::{Pos, pos_at};
use crate::diagnostics::Diagnostic;

/// Collections may nest this deep (Intercom's limit).
pub const MAX_DEPTH: usize = 3;

/// The outcome of [`load`]: the project (when the config is usable) and every diagnostic.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `None` when `helpcenter.toml` is missing, unreadable or has errors (then only its
    /// diagnostics are reported: no content is checked against a broken config).
    pub project: Option<Project>,
    /// Errors and warnings, sorted by path, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of content files read (config, collection files, Markdown files).
    pub files: usize,
}

/// Loads and validates the content tree under `root`, collecting all errors in one run.
pub fn load(root: &Path) -> Loaded {
    let (config, mut diagnostics) = config::load_with_warnings(root);
    // A broken config is reported alone: content checked against it (a mistyped `locales`,
    // a default replaced by its fallback) would only bury the cause under follow-on errors.
    let config = config.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    let Some(config) = config else {
        return Loaded {
            project: None,
            diagnostics,
            files: 1,
        };
    };
    let (tree, parsed) = read_while_walking(root, &config);
    let mut loader = Loader {
        root,
        config: &config,
        diagnostics: tree.diagnostics.clone(),
        collection_keys: HashMap::new(),
    };
    let collections = loader.collections(&tree);
    let (articles, unloaded) = loader.articles(&tree, parsed);
    loader.warn_same_titles(&articles);
    diagnostics.extend(super::target_scope::diagnostics(
        &config,
        &tree.markdown,
        &articles,
    ));
    diagnostics.append(&mut loader.diagnostics);
    sort_diagnostics(&mut diagnostics);
    let files = 1 + tree.collection_dirs.len() + tree.markdown.len();
    let root = std::fs::canonicalize(root)
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf());
    Loaded {
        project: Some(Project {
            root,
            config,
            collections,
            articles,
            unloaded,
        }),
        diagnostics,
        files,
    }
}

/// Sorts diagnostics by path, line, column, then code, for deterministic output.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
}

struct Loader<'a> {
    root: &'a Path,
    config: &'a Config,
    diagnostics: Vec<Diagnostic>,
    /// Collection directory → key, for every directory with `_collection.yml` (parsed or not).
    collection_keys: HashMap<PathBuf, String>,
}

/// One Markdown file, read and parsed.
struct ParsedFile {
    rel: PathBuf,
    locale: String,
    title: String,
    title_pos: Pos,
    description: Option<String>,
    state: Option<ArticleState>,
    author: Option<AuthorRef>,
    author_pos: Option<Pos>,
    key: Option<(String, Pos)>,
    fin_agent: Option<bool>,
    fin_copilot: Option<bool>,
    markdown: String,
    body_line: usize,
}

/// The longest title shown whole in Intercom's lists and search (longer ones warn).
pub const TITLE_WARN_CHARS: usize = 255;

impl Loader<'_> {
    fn collections(&mut self, tree: &walk::Tree) -> Vec<LocalCollection> {
        let mut out = Vec::new();
        let mut seen_keys: HashMap<String, PathBuf> = HashMap::new();
        // BTreeSet order puts a parent directory before its children.
        for dir in &tree.collection_dirs {
            let source = dir.join(collection_file::FILE_NAME);
            let dir_key = path_string(dir);
            let depth = dir.components().count();
            if depth > MAX_DEPTH {
                self.diagnostics.push(
                    Diagnostic::error(
                        "collection-too-deep",
                        &source,
                        0,
                        0,
                        format!(
                            "collection `{dir_key}` is nested {depth} levels deep; Intercom allows {MAX_DEPTH}"
                        ),
                    )
                    .with_hint("move the directory up, or remove its `_collection.yml` to make it an asset folder"),
                );
            }
            let parent_dir = dir.parent().filter(|p| !p.as_os_str().is_empty());
            let parent = match parent_dir {
                None => None,
                Some(p) => {
                    if let Some(key) = self.collection_keys.get(p) {
                        Some(key.clone())
                    } else {
                        self.diagnostics.push(
                            Diagnostic::error(
                                "collection-parent-missing",
                                &source,
                                0,
                                0,
                                format!(
                                    "collection `{dir_key}` is inside `{}`, which is not a collection",
                                    p.display()
                                ),
                            )
                            .with_hint(format!(
                                "add `{}/_collection.yml`, or move `{dir_key}` up",
                                p.display()
                            )),
                        );
                        None
                    }
                }
            };
            let parsed = read_text(self.root, &source)
                .and_then(|text| collection_file::parse(&text, &source, self.config));
            let file = match parsed {
                Ok(file) => file,
                Err(mut errors) => {
                    self.diagnostics.append(&mut errors);
                    self.collection_keys.insert(dir.clone(), dir_key);
                    continue;
                }
            };
            let key = file
                .key
                .as_ref()
                .map_or_else(|| dir_key.clone(), |(k, _)| k.clone());
            if let Some(first) = seen_keys.get(&key) {
                let pos = file
                    .key
                    .as_ref()
                    .map_or(Pos { line: 0, column: 0 }, |(_, p)| *p);
                self.diagnostics.push(
                    Diagnostic::error(
                        "duplicate-key",
                        &source,
                        pos.line,
                        pos.column,
                        format!(
                            "duplicate collection key `{key}`: `{}` uses it too",
                            first.display()
                        ),
                    )
                    .with_hint("give one of them a different `key`"),
                );
            } else {
                seen_keys.insert(key.clone(), source.clone());
            }
            self.collection_keys.insert(dir.clone(), key.clone());
            self.translation_warnings(&source, &key, &file);
            out.push(LocalCollection {
                key,
                dir: dir.clone(),
                parent,
                depth,
                name: file.name,
                description: file.description,
                translations: file.translations,
                source,
            });
        }
        out.sort_by(|a, b| (a.depth, &a.dir).cmp(&(b.depth, &b.dir)));
        out
    }

    fn translation_warnings(&mut self, source: &Path, key: &str, file: &CollectionFile) {
        for locale in self.config.locales.iter().skip(1) {
            if !file.translations.contains_key(locale) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        "collection-missing-translation",
                        source,
                        1,
                        1,
                        format!("collection `{key}` has no `{locale}` name"),
                    )
                    .with_hint(format!(
                        "add `translations: {{{locale}: {{name: ...}}}}`; Intercom shows the `{}` name meanwhile",
                        self.config.default_locale
                    )),
                );
            }
        }
    }

    /// The articles, and the article files that did not load (see [`Project::unloaded`]).
    /// `read` holds what [`read_while_walking`] made of each file of `tree.markdown`; the name
    /// checks here decide which of them count.
    fn articles(
        &mut self,
        tree: &walk::Tree,
        read: Vec<Option<Named>>,
    ) -> (Vec<LocalArticle>, BTreeSet<PathBuf>) {
        let mut groups: BTreeMap<String, (Option<ParsedFile>, Vec<ParsedFile>)> = BTreeMap::new();
        let mut failed_defaults = std::collections::HashSet::new();
        let mut unloaded = BTreeSet::new();
        // The files of a directory come one after another: its answer is kept for the next.
        let mut last_dir: Option<(&Path, bool)> = None;
        for (rel, read) in tree.markdown.iter().zip(read) {
            let dir = rel.parent().unwrap_or(Path::new(""));
            let in_collection = match last_dir {
                Some((last, answer)) if last == dir => answer,
                _ => {
                    let answer = dir.as_os_str().is_empty() || tree.collection_dirs.contains(dir);
                    last_dir = Some((dir, answer));
                    answer
                }
            };
            if !in_collection {
                self.diagnostics.push(
                    Diagnostic::error(
                        "markdown-outside-collection",
                        rel,
                        0,
                        0,
                        format!(
                            "`{}` is in `{}`, which is not a collection",
                            rel.display(),
                            dir.display()
                        ),
                    )
                    .with_hint(format!(
                        "add `{}/_collection.yml` to make it a collection, or move the file; a directory without `_collection.yml` holds assets only",
                        dir.display()
                    )),
                );
                continue;
            }
            // Named and read during the walk; a name without a locale is named again here for
            // its error (the same name gives the same answer).
            let (base, locale, result) = match read {
                Some(read) => read,
                None => match split_locale(self.config, rel) {
                    Ok((base, locale)) => {
                        let result = parse_named(
                            self.root,
                            &self.config.default_locale,
                            rel,
                            &base,
                            &locale,
                        );
                        (base, locale, result)
                    }
                    Err(diag) => {
                        self.diagnostics.push(diag);
                        continue;
                    }
                },
            };
            if locale == self.config.default_locale
                && let Some(warning) = self.near_miss_translation(rel, &base)
            {
                self.diagnostics.push(warning);
            }
            match result {
                Ok(file) => {
                    self.diagnostics.extend(title_warning(&file));
                    let group = groups.entry(base).or_default();
                    if file.locale == self.config.default_locale {
                        group.0 = Some(file);
                    } else {
                        group.1.push(file);
                    }
                }
                Err((rel, base, is_default, mut errors)) => {
                    unloaded.insert(rel);
                    if is_default {
                        failed_defaults.insert(base);
                    }
                    self.diagnostics.append(&mut errors);
                }
            }
        }

        let mut out = Vec::new();
        let mut seen_keys: HashMap<String, PathBuf> = HashMap::new();
        for (base, (default, translations)) in groups {
            let Some(default) = default else {
                unloaded.extend(translations.iter().map(|t| t.rel.clone()));
                if !failed_defaults.contains(&base) {
                    for t in &translations {
                        self.diagnostics.push(
                            Diagnostic::error(
                                "translation-without-default",
                                &t.rel,
                                0,
                                0,
                                format!(
                                    "translation `{}` has no default-locale file `{base}.md`",
                                    t.rel.display()
                                ),
                            )
                            .with_hint(format!(
                                "add `{base}.md` (the `{}` version), or rename this file to `{base}.md`",
                                self.config.default_locale
                            )),
                        );
                    }
                }
                continue;
            };
            let (key, explicit_key) = match &default.key {
                Some((key, _)) => (key.clone(), true),
                None => (base.clone(), false),
            };
            for t in &translations {
                self.diagnostics
                    .extend(translation_key_error(t, &key, &default.rel));
            }
            if let Some(first) = seen_keys.get(&key) {
                let pos = default
                    .key
                    .as_ref()
                    .map_or(Pos { line: 0, column: 0 }, |(_, p)| *p);
                self.diagnostics.push(
                    Diagnostic::error(
                        "duplicate-key",
                        &default.rel,
                        pos.line,
                        pos.column,
                        format!(
                            "duplicate article key `{key}`: `{}` uses it too",
                            first.display()
                        ),
                    )
                    .with_hint("give one of them a different `key` in its front matter"),
                );
                unloaded.insert(default.rel.clone());
                unloaded.extend(translations.iter().map(|t| t.rel.clone()));
                continue;
            }
            seen_keys.insert(key.clone(), default.rel.clone());
            let dir = default.rel.parent().unwrap_or(Path::new(""));
            let collection = self.collection_keys.get(dir).cloned();
            let path = default.rel.clone();
            let mut files = BTreeMap::new();
            for file in std::iter::once(default).chain(translations) {
                files.insert(file.locale.clone(), self.article_file(file));
            }
            out.push(LocalArticle {
                key,
                explicit_key,
                path,
                collection,
                locales: files,
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        (out, unloaded)
    }

    fn article_file(&self, file: ParsedFile) -> ArticleFile {
        ArticleFile {
            locale: file.locale,
            path: file.rel,
            title: file.title,
            description: file.description,
            state: file
                .state
                .or(self.config.defaults.state)
                .unwrap_or(ArticleState::Published),
            author_at: file.author_pos.map(|p| (p.line, p.column)),
            author: file.author.or_else(|| self.config.defaults.author.clone()),
            markdown: file.markdown,
            body_line: file.body_line,
            fin: FinAvailability {
                agent: file
                    .fin_agent
                    .or(self.config.defaults.fin_agent)
                    .unwrap_or(true),
                copilot: file
                    .fin_copilot
                    .or(self.config.defaults.fin_copilot)
                    .unwrap_or(true),
            },
        }
    }

    /// Two articles with one title in one collection and locale: readers cannot tell them
    /// apart, and adopting an unmanaged Intercom article by title would be ambiguous.
    fn warn_same_titles(&mut self, articles: &[LocalArticle]) {
        let files = articles.iter().map(|a| a.locales.len()).sum();
        let mut seen: HashMap<(Option<&str>, &str, &str), &Path> = HashMap::with_capacity(files);
        for article in articles {
            for (locale, file) in &article.locales {
                let slot = (
                    article.collection.as_deref(),
                    locale.as_str(),
                    file.title.as_str(),
                );
                match seen.get(&slot) {
                    None => {
                        seen.insert(slot, file.path.as_path());
                    }
                    Some(first) => {
                        let line = std::fs::read_to_string(self.root.join(&file.path))
                            .ok()
                            .and_then(|text| {
                                text.lines()
                                    .position(|l| l.trim_start().starts_with("title:"))
                            })
                            .map_or(1, |i| i + 1);
                        self.diagnostics.push(
                            Diagnostic::warning(
                                "duplicate-title",
                                &file.path,
                                line,
                                1,
                                format!(
                                    "`{}` has the same `{locale}` title as `{}` in the same collection: \"{}\"",
                                    path_string(&file.path),
                                    path_string(first),
                                    file.title
                                ),
                            )
                            .with_hint(
                                "give one of them another title (readers cannot tell them apart, and adopting an Intercom article by title would be ambiguous)",
                            ),
                        );
                    }
                }
            }
        }
    }

    /// A did-you-mean warning for a default-locale file whose name reads like a translation
    /// (`invoices-fr.md`, `invoices.french.md`): it would be a second article, silently.
    fn near_miss_translation(&self, rel: &Path, base: &str) -> Option<Diagnostic> {
        let (locale, intended) = crate::content::near_miss::intended_translation(
            base,
            &self.config.locales,
            &self.config.default_locale,
            |path| self.root.join(format!("{path}.md")).is_file(),
        )?;
        Some(
            Diagnostic::warning(
                "near-miss-translation",
                rel,
                0,
                0,
                format!(
                    "`{}` loads as a separate `{}` article, but its name reads like the `{locale}` translation",
                    path_string(rel),
                    self.config.default_locale
                ),
            )
            .with_hint(format!(
                "did you mean `{intended}.md`? Translations are named `NAME.LOCALE.md`"
            )),
        )
    }
}

/// `guides/install.fr.md` → (`guides/install`, `fr`); checks the locale code against `config`.
fn split_locale(config: &Config, rel: &Path) -> Result<(String, String), Diagnostic> {
    let text = path_string(rel);
    let stem = &text[..text.len() - ".md".len()];
    let default = || Ok((stem.to_owned(), config.default_locale.clone()));
    let Some((base, code)) = stem.rsplit_once('.') else {
        return default();
    };
    if base.is_empty() || base.ends_with('/') {
        return default();
    }
    if code == config.default_locale {
        return Err(Diagnostic::error(
            "default-locale-suffix",
            rel,
            0,
            0,
            format!(
                "`{code}` is the default locale: its file is `{base}.md`, without a locale code"
            ),
        )
        .with_hint(format!("rename the file to `{base}.md`")));
    }
    if config.locales.iter().any(|l| l == code) {
        return Ok((base.to_owned(), code.to_owned()));
    }
    if locales::is_intercom_locale(code) {
        return Err(Diagnostic::error(
            "locale-not-configured",
            rel,
            0,
            0,
            format!("locale `{code}` is not in `locales` of `helpcenter.toml`"),
        )
        .with_hint(format!("add \"{code}\" to `locales`, or rename the file")));
    }
    if let Some(suggestion) = locales::suggest_locale(code).filter(|_| looks_like_locale(code)) {
        return Err(Diagnostic::error(
            "unknown-locale",
            rel,
            0,
            0,
            format!("unknown locale `{code}` in the file name"),
        )
        .with_hint(format!(
            "did you mean `{suggestion}`? Locale codes are case-sensitive"
        )));
    }
    if looks_like_locale(code) {
        return Err(Diagnostic::error(
                "unknown-locale",
                rel,
                0,
                0,
                format!("unknown locale `{code}` in the file name"),
            )
            .with_hint(
                "use one of Intercom's locale codes (e.g. `fr`, `pt-BR`), or rename the file without the dot",
            ));
    }
    // A dot that is not a locale suffix is part of the name (`v1.2.md`).
    default()
}

/// The warning for a title longer than [`TITLE_WARN_CHARS`].
fn title_warning(file: &ParsedFile) -> Option<Diagnostic> {
    let chars = file.title.chars().count();
    (chars > TITLE_WARN_CHARS).then(|| {
        Diagnostic::warning(
            "title-long",
            &file.rel,
            file.title_pos.line,
            file.title_pos.column,
            format!("`title` is {chars} characters long (more than {TITLE_WARN_CHARS})"),
        )
        .with_hint("shorten it: long titles are cut in Intercom's lists and search results")
    })
}

/// The error for a translation `t` whose `key` is not its article's `key` (set in `default`).
fn translation_key_error(t: &ParsedFile, key: &str, default: &Path) -> Option<Diagnostic> {
    let (tkey, pos) = t.key.as_ref().filter(|(tkey, _)| tkey != key)?;
    Some(
        Diagnostic::error(
            "translation-key",
            &t.rel,
            pos.line,
            pos.column,
            format!("translation sets `key: {tkey}`, but the article's key is `{key}`"),
        )
        .with_hint(format!(
            "set `key` in `{}` only, and remove it here",
            default.display()
        )),
    )
}

/// [`load`] again after only the contents of the article files `changed` (relative paths)
/// changed since `project` and its load `diagnostics` were loaded: the same files exist,
/// `helpcenter.toml` and the collection files are the same (the caller knows, from file-system
/// notifications and a walk). Reads only those files and returns what [`load`] would return
/// now, diagnostics included (`files` counts the files read). `None` when the edit can reach
/// beyond those files, for the caller to [`load`] in full: a path that was not a loaded
/// article file, a file that no longer loads, a changed `key` in a default-locale file.
pub fn reload_files(
    root: &Path,
    project: &Project,
    diagnostics: &[Diagnostic],
    changed: &BTreeSet<PathBuf>,
) -> Option<Loaded> {
    let mut at: HashMap<&Path, (usize, &str)> = HashMap::new();
    for (i, article) in project.articles.iter().enumerate() {
        for (locale, file) in &article.locales {
            if changed.contains(&file.path) {
                at.insert(file.path.as_path(), (i, locale.as_str()));
            }
        }
    }
    let mut loader = Loader {
        root,
        config: &project.config,
        diagnostics: Vec::new(),
        collection_keys: HashMap::new(),
    };
    let mut files = Vec::new();
    for rel in changed {
        let &(i, locale) = at.get(rel.as_path())?;
        let article = &project.articles[i];
        let file = parse_one(root, rel, locale).ok()?;
        if locale == project.config.default_locale {
            let key = file.key.as_ref().map(|(key, _)| key);
            let same = match key {
                Some(key) => article.explicit_key && *key == article.key,
                None => !article.explicit_key,
            };
            if !same {
                return None;
            }
        } else {
            loader
                .diagnostics
                .extend(translation_key_error(&file, &article.key, &article.path));
        }
        loader.diagnostics.extend(title_warning(&file));
        files.push((i, loader.article_file(file)));
    }
    // Titles are compared across files again when one changed, or when a changed file holds
    // a `duplicate-title` warning (its line may have moved).
    let titles = files.iter().any(|(i, f)| {
        project.articles[*i]
            .locales
            .get(&f.locale)
            .map(|o| &o.title)
            != Some(&f.title)
    }) || diagnostics.iter().any(|d| {
        d.code == "duplicate-title" && d.path.as_ref().is_some_and(|p| changed.contains(p))
    });
    let mut project = project.clone();
    for (i, file) in files {
        project.articles[i]
            .locales
            .insert(file.locale.clone(), file);
    }
    // What the changed files said before goes.
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| {
            let own = d.path.as_ref().is_some_and(|p| changed.contains(p))
                && matches!(d.code, "title-long" | "translation-key");
            !(own || (titles && d.code == "duplicate-title"))
        })
        .cloned()
        .collect();
    if titles {
        loader.warn_same_titles(&project.articles);
    }
    diagnostics.append(&mut loader.diagnostics);
    sort_diagnostics(&mut diagnostics);
    Some(Loaded {
        project: Some(project),
        diagnostics,
        files: changed.len(),
    })
}

/// Whether a file-name segment reads like a locale code: `xx` or `xx-YY`, any case.
fn looks_like_locale(code: &str) -> bool {
    let bytes = code.as_bytes();
    let letters = |s: &[u8]| s.len() == 2 && s.iter().all(u8::is_ascii_alphabetic);
    match bytes.len() {
        2 => letters(bytes),
        5 => letters(&bytes[..2]) && matches!(bytes[2], b'-' | b'_') && letters(&bytes[3..]),
        _ => false,
    }
}

type ParseResult = Result<ParsedFile, (PathBuf, String, bool, Vec<Diagnostic>)>;

/// A Markdown file's article path (without locale and `.md`), its locale, and what reading it
/// gave.
type Named = (String, String, ParseResult);

/// Walks the tree and reads and parses every Markdown file the walk finds while it goes on
/// ([`crate::parallel::map_while_producing`]): one result per file of [`walk::Tree::markdown`],
/// `None` when its name does not give a locale (reported by [`Loader::articles`]).
fn read_while_walking(root: &Path, config: &Config) -> (walk::Tree, Vec<Option<Named>>) {
    let exclude = walk::exclude_set(&config.exclude);
    crate::parallel::map_while_producing(
        |sink| {
            walk::walk_with(root, &exclude, &mut |rel| {
                sink((rel.to_path_buf(), split_locale(config, rel).ok()));
            })
        },
        |(rel, named)| {
            let (base, locale) = named?;
            let result = parse_named(root, &config.default_locale, &rel, &base, &locale);
            Some((base, locale, result))
        },
    )
}

/// [`parse_one`], its errors with what [`Loader::articles`] needs to file them.
fn parse_named(
    root: &Path,
    default_locale: &str,
    rel: &Path,
    base: &str,
    locale: &str,
) -> ParseResult {
    parse_one(root, rel, locale).map_err(|errors| {
        (
            rel.to_path_buf(),
            base.to_owned(),
            locale == default_locale,
            errors,
        )
    })
}

fn parse_one(root: &Path, rel: &Path, locale: &str) -> Result<ParsedFile, Vec<Diagnostic>> {
    let mut text = read_text(root, rel)?;
    let fm = front_matter::parse(&text, rel)?;
    // The body is the end of the text: cut the front matter off in place rather than copy it.
    let body_start = text.len() - fm.body.len();
    let parsed = ParsedFile {
        rel: rel.to_path_buf(),
        locale: locale.to_owned(),
        title: fm.title,
        title_pos: fm.title_pos,
        description: fm.description,
        state: fm.state,
        author: fm.author,
        author_pos: fm.author_pos,
        key: fm.key,
        fin_agent: fm.fin_agent,
        fin_copilot: fm.fin_copilot,
        markdown: String::new(),
        body_line: fm.body_line,
    };
    text.drain(..body_start);
    Ok(ParsedFile {
        markdown: text,
        ..parsed
    })
}

/// Reads a content file as UTF-8 text; empty files and invalid UTF-8 are errors.
pub fn read_text(root: &Path, rel: &Path) -> Result<String, Vec<Diagnostic>> {
    let bytes = super::read::bounded(&root.join(rel), super::read::TEXT_LIMIT).map_err(|err| {
        vec![Diagnostic::error(
            "io",
            rel,
            0,
            0,
            format!("cannot read `{}`: {err}", rel.display()),
        )]
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&err.as_bytes()[..valid]);
        let pos = pos_at(&prefix, valid);
        vec![
            Diagnostic::error(
                "invalid-utf8",
                rel,
                pos.line,
                pos.column,
                "file is not valid UTF-8",
            )
            .with_hint("save the file as UTF-8 (the first invalid byte is here)"),
        ]
    })?;
    // Old Mac files end lines with CR alone: read them as lines, not as one line without
    // front matter. (CRLF is understood where it matters.)
    let text = if text.contains('\r') && text.replace("\r\n", "").contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err(vec![
            Diagnostic::error(
                "empty-file",
                rel,
                1,
                1,
                format!("`{}` is empty", rel.display()),
            )
            .with_hint("write its content, or delete the file"),
        ]);
    }
    Ok(text)
}

/// A relative path as a `/`-separated string.
fn path_string(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_tree(files: &[(&str, &str)]) -> Vec<(String, usize, usize, &'static str)> {
        let dir = tempfile::tempdir().unwrap();
        let config = "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n";
        for (path, text) in std::iter::once(&("helpcenter.toml", config)).chain(files) {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        load(dir.path())
            .diagnostics
            .into_iter()
            .map(|d| {
                let path = d.path.map(|p| path_string(&p)).unwrap_or_default();
                (path, d.line, d.column, d.code)
            })
            .collect()
    }

    const COLL: &str = "name: G\ntranslations: {fr: {name: G}}\n";

    #[test]
    fn translation_keys_and_suffixes() {
        let got = load_tree(&[
            ("g/_collection.yml", COLL),
            ("g/a.md", "---\ntitle: A\nkey: one\n---\n"),
            ("g/a.fr.md", "---\ntitle: A\nkey: two\n---\n"),
            ("g/b.en.md", "---\ntitle: B\n---\n"),
        ]);
        assert_eq!(
            got,
            [
                ("g/a.fr.md".to_owned(), 3, 6, "translation-key"),
                ("g/b.en.md".to_owned(), 0, 0, "default-locale-suffix"),
            ]
        );
    }

    #[test]
    fn collection_tree_shape() {
        let got = load_tree(&[
            (
                "g/_collection.yml",
                "name: G\nkey: same\ntranslations: {fr: {name: G}}\n",
            ),
            (
                "h/_collection.yml",
                "name: H\nkey: same\ntranslations: {fr: {name: H}}\n",
            ),
            ("x/y/_collection.yml", COLL),
            ("z/_collection.yaml", COLL),
        ]);
        assert_eq!(
            got,
            [
                ("h/_collection.yml".to_owned(), 2, 6, "duplicate-key"),
                (
                    "x/y/_collection.yml".to_owned(),
                    0,
                    0,
                    "collection-parent-missing"
                ),
                (
                    "z/_collection.yaml".to_owned(),
                    0,
                    0,
                    "collection-file-name"
                ),
            ]
        );
    }

    #[test]
    fn a_failed_default_file_hides_its_translations() {
        let got = load_tree(&[
            ("g/_collection.yml", COLL),
            ("g/a.md", "no front matter\n"),
            ("g/a.fr.md", "---\ntitle: A\n---\n"),
        ]);
        assert_eq!(got, [("g/a.md".to_owned(), 1, 1, "front-matter-missing")]);
    }

    /// Every Markdown file is read while the walk goes on, before the name checks: a file they
    /// refuse reports only why, not what reading it found.
    #[test]
    fn files_refused_by_name_report_only_their_name() {
        let mut files = vec![
            ("g/_collection.yml".to_owned(), COLL.to_owned()),
            ("loose/a.md".to_owned(), "no front matter\n".to_owned()),
            ("g/b.en.md".to_owned(), "---\ntitle: [\n---\n".to_owned()),
            ("g/c.zz-ZZ.md".to_owned(), "\u{0}\u{ff}".to_owned()),
            ("g/d.md".to_owned(), "no front matter\n".to_owned()),
        ];
        // More files than one batch, so readers run beside the walk.
        for i in 0..200 {
            files.push((format!("g/n{i:03}.md"), format!("---\ntitle: N{i}\n---\n")));
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let got = load_tree(&files);
        assert_eq!(
            got,
            [
                ("g/b.en.md".to_owned(), 0, 0, "default-locale-suffix"),
                ("g/c.zz-ZZ.md".to_owned(), 0, 0, "unknown-locale"),
                ("g/d.md".to_owned(), 1, 1, "front-matter-missing"),
                ("loose/a.md".to_owned(), 0, 0, "markdown-outside-collection"),
            ]
        );
    }

    /// Edits files of a loaded tree one set at a time and checks that [`reload_files`] gives
    /// what a full [`load`] gives (articles and diagnostics), or `None` where it must.
    #[test]
    fn reloading_changed_files_matches_a_full_load() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let file = dir.path().join(rel);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        };
        write(
            "helpcenter.toml",
            "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n",
        );
        write("g/_collection.yml", COLL);
        write("g/a.md", "---\ntitle: Same\n---\nA\n");
        write("g/a.fr.md", "---\ntitle: A\nkey: wrong\n---\nA fr\n");
        write("g/b.md", "---\ntitle: Same\nkey: bee\n---\nB\n");
        write("g/c.md", "---\ntitle: C\n---\nC\n");
        write("g/broken.md", "no front matter\n");
        let set =
            |paths: &[&str]| -> BTreeSet<PathBuf> { paths.iter().map(PathBuf::from).collect() };
        let mut before = load(dir.path());
        let long = "L".repeat(TITLE_WARN_CHARS + 1);
        let edits: [(&str, String); 7] = [
            // The duplicate title goes, a long one comes.
            ("g/a.md", format!("---\ntitle: {long}\n---\nA2\n")),
            // The translation's wrong key is fixed; then a new duplicate title.
            ("g/a.fr.md", "---\ntitle: A\n---\nA fr 2\n".to_owned()),
            (
                "g/c.md",
                "---\ntitle: Same\nstate: draft\n---\nC2\n".to_owned(),
            ),
            // The same title, its line moved: the warning moves with it.
            (
                "g/c.md",
                "---\ndescription: Moved\ntitle: Same\nstate: draft\n---\nC3\n".to_owned(),
            ),
            // A body edit alone leaves the warning where it is.
            (
                "g/c.md",
                "---\ndescription: Moved\ntitle: Same\nstate: draft\n---\nC4\n".to_owned(),
            ),
            ("g/b.md", "---\ntitle: B\nkey: bee\n---\nB2\n".to_owned()),
            (
                "g/a.fr.md",
                "---\ntitle: A\nkey: other\n---\nA fr 3\n".to_owned(),
            ),
        ];
        for (rel, text) in edits {
            write(rel, &text);
            let full = load(dir.path());
            let project = before.project.as_ref().unwrap();
            let again = reload_files(dir.path(), project, &before.diagnostics, &set(&[rel]))
                .unwrap_or_else(|| panic!("{rel} reloads alone"));
            assert_eq!(again.diagnostics, full.diagnostics, "after editing {rel}");
            let (a, f) = (again.project.unwrap(), full.project.as_ref().unwrap());
            assert_eq!(a.articles, f.articles, "after editing {rel}");
            assert_eq!(a.unloaded, f.unloaded);
            assert_eq!(again.files, 1);
            before = full;
        }
        let project = before.project.as_ref().unwrap();
        let reload = |rel: &str, text: &str| {
            write(rel, text);
            reload_files(dir.path(), project, &before.diagnostics, &set(&[rel]))
        };
        // What only a full load can tell.
        assert!(reload("g/broken.md", "---\ntitle: Fixed\n---\n").is_none());
        assert!(reload("g/a.md", "---\ntitle: A\nkey: new\n---\n").is_none());
        assert!(reload("g/b.md", "---\ntitle: B\n---\n").is_none());
        assert!(reload("g/c.md", "---\ntitle: [oops\n---\n").is_none());
        assert!(reload("g/missing.md", "---\ntitle: M\n---\n").is_none());
    }

    #[test]
    fn locale_like_segments() {
        assert!(looks_like_locale("xx"));
        assert!(looks_like_locale("pt-br"));
        assert!(looks_like_locale("zh_CN"));
        assert!(!looks_like_locale("v2"));
        assert!(!looks_like_locale("draft"));
    }
}
