//! Splitting a shell script into commands, each with the source line it stands on.
//!
//! This is not a shell parser: it joins `\` continuations and lines that end in an
//! operator, drops comments outside quotes, splits on `;`, `&&`, `||` and `|`, and notes
//! the shapes that stop a failure from failing the step (`|| true`, `set +e`). It never
//! runs anything.

use std::collections::BTreeMap;

use crate::model::{Command, Location};

/// Longest value a variable may reach through `+=`, so a hostile loop cannot grow it.
const MAX_VARIABLE_BYTES: usize = 16 * 1024;

/// Most variables one script keeps: every line with a `$` is matched against each, so a
/// script of twenty thousand assignments must not cost twenty thousand squared.
const MAX_VARIABLES: usize = 256;

/// Records `NAME=value`, `export NAME=value`, `NAME=(a b)` and `NAME+=(c)`; returns whether
/// the line was only an assignment. Assignments with a command substitution are kept as
/// commands (the substituted command runs).
fn record_assignment(text: &str, variables: &mut BTreeMap<String, String>) -> bool {
    let text = text.strip_prefix("export ").unwrap_or(text).trim();
    let Some(eq) = text.find('=') else { return false };
    let (name, append) = match text[..eq].strip_suffix('+') {
        Some(name) => (name, true),
        None => (&text[..eq], false),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    let value = text[eq + 1..].trim();
    if value.contains("$(")
        || value.contains('`')
        || (value.contains(' ') && !value.starts_with(['(', '"', '\'']))
    {
        return false;
    }
    let value =
        value.trim_start_matches('(').trim_end_matches(')').trim_matches(['"', '\'']).to_string();
    if variables.len() >= MAX_VARIABLES && !variables.contains_key(name) {
        // Still an assignment, only not remembered.
        return true;
    }
    let entry = variables.entry(name.to_string()).or_default();
    if append && !entry.is_empty() {
        entry.push(' ');
        entry.push_str(&value);
    } else {
        *entry = value;
    }
    entry.truncate(MAX_VARIABLE_BYTES);
    true
}

/// `$NAME` in `text` replaced by `value` where the name ends there (`$NAMES` is another
/// variable).
pub fn replace_bare(text: &str, name: &str, value: &str) -> String {
    let form = format!("${name}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&form) {
        let after = &rest[at + form.len()..];
        let ends = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if ends { value } else { &form });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Replaces references to known variables; unknown ones stay as written.
fn expand(text: &str, variables: &BTreeMap<String, String>) -> String {
    if !text.contains('$') || variables.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in variables.iter().rev() {
        if !out.contains(name.as_str()) {
            continue;
        }
        for form in [
            format!("\"${{{name}[@]}}\""),
            format!("${{{name}[@]}}"),
            format!("${{{name}[*]}}"),
            format!("${{{name}}}"),
        ] {
            out = out.replace(&form, value);
        }
        out = replace_bare(&out, name, value);
        if out.len() > 4 * MAX_VARIABLE_BYTES {
            break;
        }
    }
    out
}

/// One shell segment: a simple command between operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    /// The operator after this segment (`;`, `&&`, `||`, `|`) or empty at the end.
    pub next_op: &'static str,
}

/// Where the script text sits in its file, to give each command its own line.
pub struct ScriptSource<'a> {
    pub path: &'a str,
    /// The whole file, split into lines (index 0 is line 1).
    pub file_lines: &'a [String],
    /// First and last line of the script value in the file.
    pub start_line: u32,
    pub end_line: u32,
    pub column: u32,
}

/// How many places could end a command (`;`, `&`, `|`, line ends): a bound on the
/// commands and segments of a script, cheap to compute before splitting it.
pub fn separators(script: &str) -> usize {
    script.bytes().filter(|b| matches!(b, b';' | b'&' | b'|' | b'\n')).count()
}

/// Splits `script` into logical commands with their lines.
pub fn split_commands(script: &str, source: &ScriptSource) -> Vec<Command> {
    split_commands_with_env(script, source, &BTreeMap::new())
}

/// Like [`split_commands`], expanding `$NAME`, `${NAME}` and `"${NAME[@]}"` from `env` (the
/// step's environment) and from plain assignments earlier in the script, so that arguments
/// carried in variables (`ARGS=(--framework terraform)`, `FLAGS="--exit-code 1"`) are seen.
pub fn split_commands_with_env(
    script: &str,
    source: &ScriptSource,
    env: &BTreeMap<String, String>,
) -> Vec<Command> {
    let mut variables = env.clone();
    let wrappers = wrapper_functions(script);
    let mut commands = Vec::new();
    let mut errexit_off: Option<u32> = None;
    let mut search_from = source.start_line;
    for (text, first_physical) in logical_lines(script) {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let line = locate(trimmed, first_physical, source, &mut search_from);
        let expanded = expand(trimmed, &variables);
        if record_assignment(&expanded, &mut variables) {
            continue;
        }
        let trimmed = expanded.as_str();
        if is_set_flag(trimmed, "+e") {
            errexit_off = Some(line);
        } else if is_set_flag(trimmed, "-e") {
            errexit_off = None;
        }
        let cannot_fail = swallowed_failure(trimmed).or_else(|| {
            errexit_off
                .map(|at| format!("`set +e` on line {at} lets the script go on after a failure"))
        });
        commands.push(Command {
            text: unwrap_call(trimmed, &wrappers),
            location: Location::new(source.path, line, source.column),
            cannot_fail,
        });
    }
    commands
}

fn is_set_flag(text: &str, flag: &str) -> bool {
    let mut words = text.split_whitespace();
    words.next() == Some("set")
        && words.any(|w| {
            w == flag
                || (w.starts_with(&flag[..1])
                    && w.contains(&flag[1..])
                    && !w.starts_with("-o")
                    && !w.starts_with("+o"))
        })
}

/// Why the exit status of this logical line cannot fail the step, if it cannot.
fn swallowed_failure(text: &str) -> Option<String> {
    let segments = segments(text);
    let last_or = segments.iter().rposition(|s| s.next_op == "||")?;
    let fallback = segments.get(last_or + 1)?.text.trim();
    let first = fallback.split_whitespace().next().unwrap_or("");
    let swallows = matches!(first, "true" | ":" | "echo" | "printf")
        || fallback == "exit 0"
        || fallback.starts_with("exit 0 ")
        || fallback.starts_with("echo");
    swallows.then(|| format!("`|| {fallback}` swallows a failure"))
}

/// Joins continued lines and drops comments. Yields each logical line with the 0-based
/// index of its first physical line in the script.
pub fn logical_lines(script: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (index, raw) in script.lines().enumerate() {
        let line = strip_comment(raw);
        if current.is_empty() {
            start = index;
        }
        let trimmed_end = line.trim_end();
        if let Some(body) = trimmed_end.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed_end);
        let ends_with_operator = ["&&", "||", "|"].iter().any(|op| trimmed_end.ends_with(op));
        if ends_with_operator || (opens_array(&current) && index - start < MAX_ARRAY_LINES) {
            current.push(' ');
            continue;
        }
        if !current.trim().is_empty() {
            out.push((std::mem::take(&mut current), start));
        }
        current.clear();
    }
    if !current.trim().is_empty() {
        out.push((current, start));
    }
    out
}

/// Most lines one array assignment may span: an array left open must not swallow the
/// rest of the script.
const MAX_ARRAY_LINES: usize = 200;

/// Whether `text` is an array assignment (`ARGS=(`, `ARGS+=(`) whose parenthesis is still
/// open, so the next lines belong to it.
fn opens_array(text: &str) -> bool {
    let text = text.trim_start();
    let text = text.strip_prefix("export ").or_else(|| text.strip_prefix("local ")).unwrap_or(text);
    let Some((name, value)) = text.split_once("=(") else { return false };
    let name = name.strip_suffix('+').unwrap_or(name);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    for c in value.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth > 0
}

/// Shell functions of the script that run their arguments as a command (`dry_run() {
/// "$@"; }`, `retry() { … "$@" … }`): a call of one runs what follows it, as `sudo` does.
fn wrapper_functions(script: &str) -> Vec<String> {
    let lines: Vec<&str> = script.lines().collect();
    let mut wrappers = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(name) = function_name(line) else { continue };
        let body = lines.iter().skip(index).take(MAX_FUNCTION_LINES);
        let runs_arguments = body.take_while(|l| l.trim() != "}").any(|l| {
            let l = l.trim().trim_start_matches(['{', ' ']);
            ["\"$@\"", "$@", "exec \"$@\"", "command \"$@\""].iter().any(|f| l.starts_with(f))
                || l.ends_with("then \"$@\"")
                || l.contains("; \"$@\"")
        });
        if runs_arguments && wrappers.len() < MAX_WRAPPERS {
            wrappers.push(name.to_string());
        }
    }
    wrappers
}

/// Lines of a function body looked at for `"$@"`.
const MAX_FUNCTION_LINES: usize = 30;

/// Most wrapper functions one script may declare.
const MAX_WRAPPERS: usize = 32;

/// The name a line declares a function of: `name() {`, `function name {`, `function name() {`.
fn function_name(line: &str) -> Option<&str> {
    let line = line.trim();
    let (line, keyword) = match line.strip_prefix("function ") {
        Some(rest) => (rest.trim_start(), true),
        None => (line, false),
    };
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
    let (name, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let declares = rest.starts_with("()") || (keyword && rest.starts_with('{'));
    (declares && !name.is_empty()).then_some(name)
}

/// The command with a leading call of a wrapper function dropped (`dry_run deb-s3 upload`
/// runs `deb-s3 upload`).
fn unwrap_call(text: &str, wrappers: &[String]) -> String {
    let mut text = text;
    for _ in 0..4 {
        let stripped = wrappers.iter().find_map(|w| {
            text.strip_prefix(w.as_str()).filter(|rest| rest.starts_with(' ')).map(str::trim_start)
        });
        match stripped {
            Some(rest) => text = rest,
            None => break,
        }
    }
    text.to_string()
}

/// Removes a `#` comment that is outside quotes and starts a word. A backslash outside
/// single quotes escapes the next character: `\"` opens no quote, `\#` starts no comment.
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (None | Some('"'), '\\') => {
                chars.next();
                previous = '\\';
                continue;
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

/// The words of a simple command: split on whitespace, quotes removed (nothing expanded).
/// A CI expression (`${{ inputs.version }}`) stays inside its word, spaces and all: in
/// `VERSION=${{ inputs.v }} make publish` the program is `make`.
pub fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut in_expression = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_expression {
            current.push(c);
            if c == '}' && chars.peek() == Some(&'}') {
                current.push('}');
                chars.next();
                in_expression = false;
            }
            continue;
        }
        if c == '$' && quote.is_none() && text_starts_expression(&mut chars) {
            current.push_str("${{");
            in_expression = true;
            in_word = true;
            continue;
        }
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word || !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                in_word = false;
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word || !current.is_empty() {
        words.push(current);
    }
    words
}

/// After a `$`: whether `{{` follows (consumed if so).
fn text_starts_expression(chars: &mut std::iter::Peekable<std::str::Chars>) -> bool {
    let mut ahead = chars.clone();
    if ahead.next() == Some('{') && ahead.next() == Some('{') {
        chars.next();
        chars.next();
        return true;
    }
    false
}

/// How many substitutions inside substitutions are opened.
const MAX_SUBSTITUTION_DEPTH: usize = 4;

/// Most segments one logical line yields, substitutions included.
const MAX_SEGMENTS: usize = 256;

/// Every simple command a logical line runs: its own segments, then those of the commands
/// it substitutes (`echo "digest=$(make publish)"`, `V=$(trivy --version)`,
/// `diff <(syft .) sbom.json`), which run too. In the line's own segments each substitution
/// is replaced by the placeholder `$(…)`, so a command is matched once, where it runs, and
/// `SHA=$(sha256sum snyk)` is never taken for a call of `snyk`.
pub fn runnable_segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    runnable_into(text, 0, &mut out);
    out
}

fn runnable_into(text: &str, depth: usize, out: &mut Vec<Segment>) {
    let (outer, bodies) = substitutions(text);
    for segment in segments(&outer) {
        if out.len() >= MAX_SEGMENTS {
            return;
        }
        out.push(segment);
    }
    if depth < MAX_SUBSTITUTION_DEPTH {
        for body in bodies {
            runnable_into(body, depth + 1, out);
        }
    }
}

/// The text with each outermost command substitution (`$(…)`, backquotes, `<(…)`, `>(…)`;
/// not `$((…))` arithmetic) replaced by `$(…)`, and the substitutions' bodies. Nothing is
/// substituted inside single quotes; a substitution left open runs to the end of the text.
fn substitutions(text: &str) -> (String, Vec<&str>) {
    let bytes = text.as_bytes();
    let mut outer = String::with_capacity(text.len());
    let mut bodies = Vec::new();
    let (mut single, mut double) = (false, false);
    let mut copied = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        let opens = match b {
            b'\\' if !single => {
                i += 2;
                continue;
            }
            b'\'' if !double => {
                single = !single;
                None
            }
            b'"' if !single => {
                double = !double;
                None
            }
            _ if single => None,
            // Process substitution (`<(…)`, `>(…)`) is not done inside double quotes.
            b'$' | b'<' | b'>'
                if next == Some(b'(')
                    && bytes.get(i + 2) != Some(&b'(')
                    && (b == b'$' || !double) =>
            {
                Some((i + 2, Closer::Paren))
            }
            b'`' => Some((i + 1, Closer::Backquote)),
            _ => None,
        };
        let Some((start, closer)) = opens else {
            i += 1;
            continue;
        };
        let end = closer.find(bytes, start);
        // Every position here is at an ASCII delimiter, so a char boundary.
        outer.push_str(text.get(copied..i).unwrap_or(""));
        outer.push_str("$(…)");
        bodies.push(text.get(start..end).unwrap_or(""));
        i = (end + 1).min(bytes.len());
        copied = i;
    }
    outer.push_str(text.get(copied..).unwrap_or(""));
    (outer, bodies)
}

#[derive(Clone, Copy)]
enum Closer {
    Paren,
    Backquote,
}

impl Closer {
    /// Where the substitution opened before `start` closes (the end of the text if never).
    fn find(self, bytes: &[u8], start: usize) -> usize {
        let mut depth = 0usize;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            match (self, b) {
                (_, b'\\') => i += 1,
                (Closer::Backquote, b'`') => return i,
                (Closer::Paren, b'(') => depth += 1,
                (Closer::Paren, b')') if depth == 0 => return i,
                (Closer::Paren, b')') => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        bytes.len()
    }
}

/// Splits a logical line on `;`, `&&`, `||`, `|` and `&` outside quotes.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // A backslash outside single quotes escapes the next character: `echo "\"; x"` is
        // one command.
        if c == '\\' && quote != Some('\'') {
            current.push(c);
            current.extend(chars.next());
            continue;
        }
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            current.push(c);
            continue;
        }
        let op: Option<&'static str> = match c {
            '\'' | '"' => {
                quote = Some(c);
                None
            }
            ';' => Some(";"),
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                Some("&&")
            }
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                Some("||")
            }
            '|' => Some("|"),
            _ => None,
        };
        match op {
            Some(op) => {
                out.push(Segment { text: current.trim().to_string(), next_op: op });
                current.clear();
            }
            None => current.push(c),
        }
    }
    out.push(Segment { text: current.trim().to_string(), next_op: "" });
    out.retain(|s| !s.text.is_empty() || !s.next_op.is_empty());
    out
}

/// The file line of a logical line: found by its text in the script's span of the file,
/// so that folded and quoted scalars (whose text lines do not map one-to-one) still point
/// at the right place.
fn locate(text: &str, first_physical: usize, source: &ScriptSource, search_from: &mut u32) -> u32 {
    let probe: String = text.chars().take(40).collect();
    let probe = probe.trim();
    let last = source.end_line.max(source.start_line);
    for line in (*search_from).max(source.start_line)..=last {
        let Some(content) = source.file_lines.get(line as usize - 1) else { break };
        if !probe.is_empty() && content.contains(probe) {
            *search_from = line;
            return line;
        }
    }
    let guess = source.start_line + first_physical as u32;
    guess.min(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runnable(text: &str) -> Vec<String> {
        runnable_segments(text).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn substituted_commands_run_too() {
        assert_eq!(
            runnable(r#"echo "digest=$(VERSION=1 make publish)" >> out"#),
            vec![r#"echo "digest=$(…)" >> out"#, "VERSION=1 make publish"]
        );
        assert_eq!(
            runnable("SHA=$(sha256sum snyk | cut -c1-8)"),
            vec!["SHA=$(…)", "sha256sum snyk", "cut -c1-8"]
        );
        assert_eq!(
            runnable("diff <(syft . -o json) sbom.json && echo `trivy --version`"),
            vec!["diff $(…) sbom.json", "echo $(…)", "syft . -o json", "trivy --version"]
        );
        assert_eq!(runnable("a $(b $(c d) e)"), vec!["a $(…)", "b $(…) e", "c d"]);
    }

    #[test]
    fn a_multi_line_array_is_one_assignment() {
        let script = "ARGS=(\n  --sign \"$KEY\"\n  --codename x  # note\n)\nARGS+=(\n  --bucket b\n)\ndeb-s3 upload \"${ARGS[@]}\" p.deb\n";
        let commands = split(script);
        assert_eq!(commands.len(), 1, "{commands:?}");
        let words = shell_words(&commands[0].text);
        assert_eq!(words.join(" "), "deb-s3 upload --sign $KEY --codename x --bucket b p.deb");
        assert_eq!(commands[0].location.line, 8);
        let open = "X=(\n".to_string() + &"a\n".repeat(1_000) + "trivy fs .\n";
        assert!(logical_lines(&open).len() > 1, "an unclosed array must not swallow the script");
    }

    #[test]
    fn functions_that_run_their_arguments_are_wrappers() {
        let script = "dry_run() {\n  if [[ \"$X\" == false ]]; then\n    \"$@\"\n  else\n    echo \"$*\"\n  fi\n}\nfunction info {\n  echo \"$1\"\n}\ndry_run bundle exec deb-s3 upload p.deb\ninfo trivy image x\n";
        assert_eq!(wrapper_functions(script), vec!["dry_run"]);
        let texts: Vec<String> = split(script).into_iter().map(|c| c.text).collect();
        assert!(texts.contains(&"bundle exec deb-s3 upload p.deb".to_string()), "{texts:?}");
        assert!(texts.contains(&"info trivy image x".to_string()), "{texts:?}");
    }

    #[test]
    fn words_keep_ci_expressions_whole() {
        assert_eq!(
            shell_words(r#"VERSION=${{ inputs.v }} make "pub lish" '${{ x }}'"#),
            vec!["VERSION=${{ inputs.v }}", "make", "pub lish", "${{ x }}"]
        );
        assert_eq!(shell_words("a ${{ never closed"), vec!["a", "${{ never closed"]);
    }

    #[test]
    fn quoted_arithmetic_and_unclosed_substitutions() {
        assert_eq!(
            runnable("echo '$(trivy image x)' $((1 + 2))"),
            vec!["echo '$(trivy image x)' $((1 + 2))"]
        );
        assert_eq!(runnable("echo $(grype dir:."), vec!["echo $(…)", "grype dir:."]);
        let deep = format!("{}x{}", "$(".repeat(50), ")".repeat(50));
        assert!(runnable(&deep).len() <= MAX_SUBSTITUTION_DEPTH + 1);
        let wide = "$(a) ".repeat(1_000);
        assert!(runnable(&wide).len() <= MAX_SEGMENTS);
    }

    #[test]
    fn quoted_and_escaped_text_runs_nothing() {
        // Process substitution does not happen inside double quotes.
        assert_eq!(
            runnable(r#"echo "<(semgrep scan)" ">(x)""#),
            vec![r#"echo "<(semgrep scan)" ">(x)""#]
        );
        assert_eq!(runnable("diff <(a) b"), vec!["diff $(…) b", "a"]);
        // An escaped quote neither opens nor closes a quote.
        assert_eq!(runnable(r#"echo "\"; semgrep scan""#), vec![r#"echo "\"; semgrep scan""#]);
        assert_eq!(runnable(r#"echo \"; semgrep scan"#), vec![r#"echo \""#, "semgrep scan"]);
        assert_eq!(runnable(r"echo \'; semgrep scan"), vec![r"echo \'", "semgrep scan"]);
        assert_eq!(runnable(r"echo 'a\'; semgrep scan"), vec![r"echo 'a\'", "semgrep scan"]);
    }

    #[test]
    fn an_escaped_quote_does_not_hide_a_comment() {
        let texts = |script: &str| -> Vec<String> {
            logical_lines(script).into_iter().map(|(text, _)| text).collect()
        };
        assert_eq!(texts(r#"echo \"x # $(semgrep scan)"#), vec![r#"echo \"x"#]);
        assert_eq!(texts(r"echo \' # `semgrep scan`"), vec![r"echo \'"]);
        // An escaped `#` starts no comment, and a quote escaped inside double quotes does not
        // end them.
        assert_eq!(texts(r"echo \# $(a)"), vec![r"echo \# $(a)"]);
        assert_eq!(texts(r#"echo "a\" # $(a)""#), vec![r#"echo "a\" # $(a)""#]);
        assert_eq!(texts("echo \\é # x"), vec!["echo \\é"]);
    }

    fn split(script: &str) -> Vec<Command> {
        let lines: Vec<String> = script.lines().map(str::to_string).collect();
        let source = ScriptSource {
            path: "f",
            file_lines: &lines,
            start_line: 1,
            end_line: lines.len() as u32,
            column: 1,
        };
        split_commands(script, &source)
    }

    #[test]
    fn joins_continuations_and_drops_comments() {
        let commands = split(
            "trivy image \\\n  --severity HIGH \\\n  app:1\n# --exit-code 1\necho done # --exit-code 1\n",
        );
        assert_eq!(commands.len(), 2);
        assert_eq!(commands[0].text, "trivy image    --severity HIGH    app:1");
        assert_eq!(commands[0].location.line, 1);
        assert_eq!(commands[1].text, "echo done");
        assert_eq!(commands[1].location.line, 5);
    }

    #[test]
    fn notes_swallowed_failures() {
        let commands =
            split("semgrep --error || true\nset +e\ngitleaks detect\nset -e\ngitleaks detect\n");
        assert!(commands[0].cannot_fail.is_some());
        assert!(commands[2].cannot_fail.as_deref().unwrap_or("").contains("set +e"));
        assert!(commands[4].cannot_fail.is_none());
        assert!(
            split("trivy fs . || exit 1").first().and_then(|c| c.cannot_fail.clone()).is_none()
        );
    }

    #[test]
    fn expands_variables_and_arrays_that_carry_arguments() {
        let commands = split(
            "ARGS=(-d . --framework terraform)\nARGS+=(--compact)  # note\ncheckov \"${ARGS[@]}\"\nFLAGS=\"--exit-code 1\"\ntrivy fs $FLAGS .\nV=$(trivy --version)\n",
        );
        let texts: Vec<&str> = commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "checkov -d . --framework terraform --compact",
                "trivy fs --exit-code 1 .",
                "V=$(trivy --version)"
            ]
        );
        assert_eq!(commands[0].location.line, 3);
    }

    #[test]
    fn thousands_of_assignments_cost_their_length() {
        let script: String = (0..20_000).map(|i| format!("A{i}=$B{i}\n")).collect();
        let started = std::time::Instant::now();
        let commands = split(&format!("{script}A7=x\nA30000=y\ntrivy fs $A7 $A30000\n"));
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
        let texts: Vec<&str> = commands.iter().map(|c| c.text.as_str()).collect();
        // A kept variable is still updated; one past the bound stays as written.
        assert_eq!(texts, vec!["trivy fs x $A30000"]);
    }

    #[test]
    fn keeps_quoted_hashes_and_operators() {
        let commands = split("echo 'a # b; c' && trivy fs .\n");
        assert_eq!(commands.len(), 1);
        let parts = segments(&commands[0].text);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].text, "trivy fs .");
    }
}
