//! Repository-relative paths as URI references (RFC 3986), for SARIF and Markdown links.
//!
//! Every byte outside the unreserved set (`A–Z a–z 0–9 - . _ ~`) and the `/` separator is
//! percent-encoded, UTF-8 first: `infra/prod env/main.tf` becomes `infra/prod%20env/main.tf`.
//! GitHub rejects SARIF whose URIs hold a raw space, and a `#` or `?` in a file name would
//! otherwise start a fragment or a query.

use std::fmt::Write;

/// Percent-encodes a `/`-separated relative path.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn encodes_everything_but_unreserved_characters_and_slashes() {
        let cases = [
            (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
            ("infra/prod env/main.tf", "infra/prod%20env/main.tf"),
            ("a#b?c%d.yml", "a%23b%3Fc%25d.yml"),
            ("docs/café.md", "docs/caf%C3%A9.md"),
            ("weird:name[1]+x,y@z", "weird%3Aname%5B1%5D%2Bx%2Cy%40z"),
            ("back\\slash", "back%5Cslash"),
            ("~user/-_.", "~user/-_."),
        ];
        for (path, uri) in cases {
            assert_eq!(encode_path(path), uri, "{path}");
        }
    }
}
