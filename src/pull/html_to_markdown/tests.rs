use super::*;

fn md(html: &str) -> String {
    convert(html, &|_| None).markdown
}

#[test]
fn placeholder() {
    assert_eq!(md("<p>a</p>"), "a\n");
}
