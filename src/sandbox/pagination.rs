//! `page`/`per_page` paging of list endpoints (`API-NOTES.md` §1.5): 1-based pages, a default
//! and a maximum of 250, `pages.next` as the absolute URL of the next page.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::options::{LastPageNext, Switches};

/// Largest accepted `per_page`; larger values are clamped.
pub const MAX_PER_PAGE: usize = 250;

/// The paging a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: usize,
    pub per_page: usize,
    /// Whether `page`/`per_page` were in the request (`numbers_as_strings` applies then).
    pub sent: bool,
}

impl Paging {
    /// Reads `page` and `per_page`; missing or unparsable values fall back to the defaults.
    pub fn from_query(query: &BTreeMap<String, String>, default_per_page: usize) -> Self {
        let number = |key: &str| query.get(key).and_then(|v| v.trim().parse::<usize>().ok());
        let page = number("page").filter(|p| *p >= 1).unwrap_or(1);
        let per_page = number("per_page")
            .filter(|p| *p >= 1)
            .unwrap_or(default_per_page)
            .min(MAX_PER_PAGE);
        Self {
            page,
            per_page,
            sent: query.contains_key("page") || query.contains_key("per_page"),
        }
    }

    /// The `{type:"list", pages, total_count, data}` body for one page of `items`.
    /// `next_base` is the absolute URL of the endpoint with any filters already in its query.
    pub fn list(&self, items: Vec<Value>, next_base: &str, switches: &Switches) -> Value {
        let total = items.len();
        let total_pages = total.div_ceil(self.per_page).max(1);
        let data: Vec<Value> = items
            .into_iter()
            .skip((self.page - 1).saturating_mul(self.per_page))
            .take(self.per_page)
            .collect();
        let number = |n: usize| {
            if switches.numbers_as_strings && self.sent {
                json!(n.to_string())
            } else {
                json!(n)
            }
        };
        let mut pages = serde_json::Map::new();
        pages.insert("type".into(), json!("pages"));
        if self.page < total_pages {
            let sep = if next_base.contains('?') { '&' } else { '?' };
            pages.insert(
                "next".into(),
                json!(format!(
                    "{next_base}{sep}per_page={}&page={}",
                    self.per_page,
                    self.page + 1
                )),
            );
        } else if switches.last_page_next == LastPageNext::Null {
            pages.insert("next".into(), Value::Null);
        }
        pages.insert("page".into(), number(self.page));
        pages.insert("per_page".into(), number(self.per_page));
        pages.insert("total_pages".into(), json!(total_pages));
        json!({"type": "list", "pages": pages, "total_count": total, "data": data})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn pages_and_next() {
        let items: Vec<Value> = (0..30).map(|i| json!(i)).collect();
        let p = Paging::from_query(&query(&[]), 25);
        let body = p.list(items.clone(), "http://h/articles", &Switches::default());
        assert_eq!(
            body["pages"]["next"],
            "http://h/articles?per_page=25&page=2"
        );
        assert_eq!(body["data"].as_array().unwrap().len(), 25);
        let p = Paging::from_query(&query(&[("page", "2")]), 25);
        let body = p.list(items.clone(), "http://h/articles", &Switches::default());
        assert!(body["pages"].get("next").is_none());
        assert_eq!(body["data"].as_array().unwrap().len(), 5);
        let p = Paging::from_query(&query(&[("page", "9"), ("per_page", "1000")]), 25);
        assert_eq!(p.per_page, 250);
        let body = p.list(items, "http://h/x?help_center_id=1", &Switches::default());
        assert_eq!(body["data"], json!([]));
        assert_eq!(body["total_count"], 30);
    }
}
