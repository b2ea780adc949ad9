//! Page-numbered listing of `GET /articles` and `GET /help_center/collections`.
//!
//! The client asks for `per_page=250&page=N` from 1 and decides after each page whether
//! another one exists, from the page's `pages` object (numbers may be strings):
//!
//! - an empty `data` ends the list;
//! - when `total_pages` is present it decides: more pages while `page < total_pages`;
//! - otherwise a non-null `next` means one more page;
//! - no `pages` object at all means a single page.
//!
//! So a full listing costs exactly `ceil(count / 250)` requests (one for an empty list). The
//! `next` URL itself is never followed: its host is the API's public host, not necessarily the
//! configured base URL, and the token must only go to the configured one.

use serde_json::Value;

/// Items asked for per page (the API's maximum).
pub(crate) const PER_PAGE: u32 = 250;
/// Stop after this many pages even if the server keeps saying there are more.
pub(crate) const MAX_PAGES: u32 = 100_000;

/// Reads an unsigned integer sent as a number or a numeric string; anything else is `None`.
fn loose_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Path and query of page `page` of a list endpoint, `per_page` items a page.
pub(crate) fn sized_page_path(endpoint: &str, per_page: u32, page: u32) -> String {
    format!("{endpoint}?per_page={per_page}&page={page}")
}

/// Given the page just received, returns the number of the next page to fetch, if any.
///
/// `requested` is the page number that was asked for, `pages` the response's `pages` value and
/// `items` the length of its `data`. Errors when the server answers with another page than
/// the one asked for (it would otherwise loop forever).
pub(crate) fn next_page(
    requested: u32,
    pages: Option<&Value>,
    items: usize,
) -> Result<Option<u32>, String> {
    let pages = pages.filter(|p| p.is_object());
    if let Some(got) = loose_u64(pages.and_then(|p| p.get("page"))) {
        if got != u64::from(requested) {
            return Err(format!(
                "asked for page {requested}, the server sent page {got}"
            ));
        }
    }
    if items == 0 {
        return Ok(None);
    }
    let Some(pages) = pages else {
        return Ok(None);
    };
    let more = match loose_u64(pages.get("total_pages")) {
        Some(total) => u64::from(requested) < total,
        None => match pages.get("next") {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        },
    };
    if !more {
        return Ok(None);
    }
    if requested >= MAX_PAGES {
        return Err(format!("the server reports more than {MAX_PAGES} pages"));
    }
    Ok(Some(requested + 1))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn next(requested: u32, pages: &Value, items: usize) -> Option<u32> {
        next_page(requested, Some(pages), items).unwrap()
    }

    #[test]
    fn page_paths() {
        assert_eq!(
            sized_page_path("/articles", PER_PAGE, 1),
            "/articles?per_page=250&page=1"
        );
        assert_eq!(
            sized_page_path("/help_center/collections", PER_PAGE, 3),
            "/help_center/collections?per_page=250&page=3"
        );
        assert_eq!(
            sized_page_path("/ai/external_pages", 50, 2),
            "/ai/external_pages?per_page=50&page=2"
        );
    }

    #[test]
    fn total_pages_decides() {
        let p = json!({"type":"pages","page":1,"per_page":250,"total_pages":3,"next":"https://api.intercom.io/articles?per_page=250&page=2"});
        assert_eq!(next(1, &p, 250), Some(2));
        let p = json!({"page":3,"per_page":250,"total_pages":3});
        assert_eq!(next(3, &p, 100), None);
        // total_pages says done even though a next link is (wrongly) there.
        let p = json!({"page":2,"total_pages":2,"next":"https://x/articles?page=3"});
        assert_eq!(next(2, &p, 250), None);
        // total_pages says more even without a next link.
        let p = json!({"page":1,"total_pages":2});
        assert_eq!(next(1, &p, 250), Some(2));
    }

    #[test]
    fn numbers_may_be_strings() {
        let p = json!({"page":"1","per_page":"250","total_pages":"40"});
        assert_eq!(next(1, &p, 250), Some(2));
        let p = json!({"page":"40","per_page":"250","total_pages":" 40 "});
        assert_eq!(next(40, &p, 250), None);
    }

    #[test]
    fn next_link_decides_without_total_pages() {
        assert_eq!(
            next(1, &json!({"page":1,"next":"https://x/?page=2"}), 250),
            Some(2)
        );
        assert_eq!(next(2, &json!({"page":2,"next":null}), 250), None);
        assert_eq!(next(2, &json!({"page":2}), 250), None);
        assert_eq!(next(2, &json!({"page":2,"next":""}), 250), None);
        // A cursor object (the 2.12 schema's shape) also means "more".
        assert_eq!(
            next(
                1,
                &json!({"next":{"per_page":250,"starting_after":"abc"}}),
                250
            ),
            Some(2)
        );
        // Unparseable total_pages falls back to next.
        assert_eq!(
            next(1, &json!({"total_pages":"many","next":"u"}), 250),
            Some(2)
        );
    }

    #[test]
    fn empty_data_stops() {
        let p = json!({"page":2,"total_pages":5,"next":"https://x/?page=3"});
        assert_eq!(next(2, &p, 0), None);
        assert_eq!(next_page(1, None, 0).unwrap(), None);
    }

    #[test]
    fn no_pages_object_means_one_page() {
        assert_eq!(next_page(1, None, 3).unwrap(), None);
        assert_eq!(next_page(1, Some(&Value::Null), 3).unwrap(), None);
        assert_eq!(next_page(1, Some(&json!("weird")), 3).unwrap(), None);
    }

    #[test]
    fn wrong_page_is_an_error() {
        let err = next_page(2, Some(&json!({"page":1,"total_pages":5})), 250).unwrap_err();
        assert_eq!(err, "asked for page 2, the server sent page 1");
    }

    #[test]
    fn runaway_servers_are_bounded() {
        let p = json!({"next":"u"});
        assert!(next_page(MAX_PAGES, Some(&p), 1).is_err());
    }

    /// Simulates a full listing of `count` items and returns the number of requests made.
    fn requests_for(count: u64, pages_of: impl Fn(u32, u64) -> Value) -> u32 {
        let mut page = 1;
        let mut requests = 0;
        loop {
            requests += 1;
            let start = u64::from(page - 1) * u64::from(PER_PAGE);
            let items =
                usize::try_from(count.saturating_sub(start).min(u64::from(PER_PAGE))).unwrap();
            match next_page(page, Some(&pages_of(page, count)), items).unwrap() {
                Some(n) => page = n,
                None => return requests,
            }
        }
    }

    #[test]
    fn listing_costs_exactly_the_number_of_pages() {
        let with_total = |page: u32, count: u64| {
            let total = count.div_ceil(u64::from(PER_PAGE));
            json!({"page": page.to_string(), "per_page": "250", "total_pages": total.to_string()})
        };
        let with_next_only = |page: u32, count: u64| {
            let total = count.div_ceil(u64::from(PER_PAGE));
            if u64::from(page) < total {
                json!({"page": page, "next": format!("https://api.intercom.io/articles?page={}", page + 1)})
            } else {
                json!({"page": page})
            }
        };
        for (count, want) in [
            (0, 1),
            (1, 1),
            (250, 1),
            (251, 2),
            (600, 3),
            (10_000, 40),
            (10_001, 41),
        ] {
            assert_eq!(
                requests_for(count, with_total),
                want,
                "{count} with total_pages"
            );
            assert_eq!(
                requests_for(count, with_next_only),
                want,
                "{count} with next"
            );
        }
    }
}
