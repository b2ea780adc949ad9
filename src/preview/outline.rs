//! The collection tree of one snapshot, indexed once for every page that shows it: which
//! articles and sub-collections each collection holds, how many articles sit under each
//! top-level collection (the home page's cards), and articles by key.
//!
//! In: a loaded [`Project`]. Out: an [`Outline`] of indexes into its `collections` and
//! `articles`, in the order the pages list them (the project's). Built once per snapshot (see
//! `Site::outline`), so a page costs the size of its HTML, not collections × articles.

use std::collections::HashMap;

use crate::content::model::Project;

/// Indexes into one project's `collections` and `articles`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// Articles outside any collection, in project order.
    pub root_articles: Vec<usize>,
    /// Collections without a parent, in project order.
    pub top: Vec<usize>,
    /// Collection key → the first collection with that key (keys are unique unless the tree
    /// has a `duplicate-key` error; the pages then show the first, as a lookup by key would).
    first_collection: HashMap<String, usize>,
    /// Collection key → the articles whose `collection` is that key, in project order.
    articles_in: HashMap<String, Vec<usize>>,
    /// Collection key → the collections whose `parent` is that key, in project order.
    children_of: HashMap<String, Vec<usize>>,
    /// Article key → its index (the first one, for a tree with a duplicate key).
    article_by_key: HashMap<String, usize>,
    /// Per entry of `top`: the number of articles under it at any depth, and the article its
    /// card links to (the first directly in it, else the first anywhere under it).
    pub cards: Vec<Card>,
}

/// What the home page shows for one top-level collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Card {
    /// Index into `collections`.
    pub collection: usize,
    /// Articles under it, at any depth.
    pub count: usize,
    /// The article the card links to.
    pub first: Option<usize>,
}

impl Outline {
    /// Indexes `project`: linear in its collections and articles (times the nesting depth).
    pub fn new(project: &Project) -> Self {
        let mut outline = Self::default();
        for (i, collection) in project.collections.iter().enumerate() {
            outline
                .first_collection
                .entry(collection.key.clone())
                .or_insert(i);
            match &collection.parent {
                None => outline.top.push(i),
                Some(parent) => outline
                    .children_of
                    .entry(parent.clone())
                    .or_default()
                    .push(i),
            }
        }
        // Per entry of `top`: articles under it (count, first in project order).
        let mut under: Vec<(usize, Option<usize>)> = vec![(0, None); outline.top.len()];
        for (i, article) in project.articles.iter().enumerate() {
            outline
                .article_by_key
                .entry(article.key.clone())
                .or_insert(i);
            let Some(key) = &article.collection else {
                outline.root_articles.push(i);
                continue;
            };
            outline.articles_in.entry(key.clone()).or_default().push(i);
            // A top-level collection counts the article when its key is among the ancestor
            // keys of the article's collection (looked up by key, as the pages do).
            let chain = outline.ancestors(project, key);
            for (slot, &top) in under.iter_mut().zip(&outline.top) {
                if chain.contains(&project.collections[top].key.as_str()) {
                    slot.0 += 1;
                    slot.1.get_or_insert(i);
                }
            }
        }
        outline.cards = outline
            .top
            .iter()
            .zip(&under)
            .map(|(&c, &(count, first_under))| Card {
                collection: c,
                count,
                first: outline
                    .articles_in(&project.collections[c].key)
                    .first()
                    .copied()
                    .or(first_under),
            })
            .collect();
        outline
    }

    /// Keys of a collection's ancestors, nearest first, the collection itself included; each
    /// step looks the parent up by key (the first collection with it). At most as many steps
    /// as there are collections, whatever the tree.
    pub fn ancestors<'a>(&self, project: &'a Project, key: &'a str) -> Vec<&'a str> {
        let mut chain = vec![key];
        let mut next = key;
        while chain.len() <= project.collections.len() {
            let Some(parent) = self
                .first_collection
                .get(next)
                .and_then(|&i| project.collections[i].parent.as_deref())
            else {
                break;
            };
            chain.push(parent);
            next = parent;
        }
        chain
    }

    /// The first collection with `key`.
    pub fn collection(&self, key: &str) -> Option<usize> {
        self.first_collection.get(key).copied()
    }

    /// The articles whose collection is `key`, in project order.
    pub fn articles_in(&self, key: &str) -> &[usize] {
        self.articles_in.get(key).map_or(&[], Vec::as_slice)
    }

    /// The collections whose parent is `key`, in project order.
    pub fn children_of(&self, key: &str) -> &[usize] {
        self.children_of.get(key).map_or(&[], Vec::as_slice)
    }

    /// The article with `key`.
    pub fn article(&self, key: &str) -> Option<usize> {
        self.article_by_key.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let config = "default_locale = \"en\"\nlocales = [\"en\"]\n";
        for (path, text) in std::iter::once(&("helpcenter.toml", config)).chain(files) {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        crate::content::load(dir.path()).project.unwrap()
    }

    fn keys(project: &Project, list: &[usize]) -> Vec<String> {
        list.iter()
            .map(|&i| project.articles[i].key.clone())
            .collect()
    }

    #[test]
    fn indexes_children_counts_and_first_articles() {
        let p = project(&[
            ("top.md", "---\ntitle: Top\n---\n"),
            ("a/_collection.yml", "name: A\n"),
            ("a/x/_collection.yml", "name: X\n"),
            ("a/x/deep.md", "---\ntitle: Deep\n---\n"),
            ("b/_collection.yml", "name: B\n"),
            ("b/one.md", "---\ntitle: One\n---\n"),
            ("b/y/_collection.yml", "name: Y\n"),
            ("b/y/two.md", "---\ntitle: Two\n---\n"),
            ("c/_collection.yml", "name: C\n"),
        ]);
        let outline = Outline::new(&p);
        assert_eq!(keys(&p, &outline.root_articles), ["top"]);
        let names = |list: &[usize]| -> Vec<&str> {
            list.iter()
                .map(|&i| p.collections[i].key.as_str())
                .collect()
        };
        assert_eq!(names(&outline.top), ["a", "b", "c"]);
        assert_eq!(names(outline.children_of("a")), ["a/x"]);
        assert_eq!(names(outline.children_of("c")), Vec::<&str>::new());
        assert_eq!(keys(&p, outline.articles_in("b")), ["b/one"]);
        assert_eq!(keys(&p, outline.articles_in("b/y")), ["b/y/two"]);
        assert_eq!(outline.ancestors(&p, "b/y"), ["b/y", "b"]);
        let cards: Vec<(usize, Option<String>)> = outline
            .cards
            .iter()
            .map(|c| (c.count, c.first.map(|i| p.articles[i].key.clone())))
            .collect();
        // `a` holds no article itself: its card links to the first one under it.
        assert_eq!(
            cards,
            [
                (1, Some("a/x/deep".to_owned())),
                (2, Some("b/one".to_owned())),
                (0, None)
            ]
        );
        assert_eq!(
            outline.article("b/y/two").map(|i| &p.articles[i].key),
            Some(&"b/y/two".to_owned())
        );
        assert_eq!(outline.article("nope"), None);
    }

    #[test]
    fn a_child_with_its_parents_key_ends_the_ancestor_chain() {
        // `a/b` reuses the key of `a` (a `duplicate-key` error): looking parents up by key
        // must not go round in circles.
        let p = project(&[
            ("a/_collection.yml", "name: A\nkey: same\n"),
            ("a/b/_collection.yml", "name: B\nkey: same\n"),
            ("a/b/x.md", "---\ntitle: X\n---\n"),
        ]);
        let outline = Outline::new(&p);
        assert_eq!(outline.ancestors(&p, "same"), ["same"]);
        assert_eq!(outline.cards.len(), 1);
        assert_eq!(outline.cards[0].count, 1);
    }
}
