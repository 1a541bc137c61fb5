//! GitHub Actions expressions (`${{ … }}`), evaluated the way the runner does for the
//! subset a composite action uses: literals, context paths (`inputs.x`, `github.x`,
//! `runner.x`, `env.x`, `steps.<id>.outputs.x`, `steps.<id>.outcome`), `!`, `==`, `!=`,
//! `<`, `<=`, `>`, `>=`, `&&`, `||`, parentheses and the status and string functions.
//!
//! Anything outside that subset is an error, so that a step can never be run with a value
//! this harness guessed.
//! See: <https://docs.github.com/en/actions/reference/evaluate-expressions-in-workflows-and-actions>

use std::collections::BTreeMap;

/// A value of the expression language.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
}

impl Value {
    /// Falsy values are `false`, `0`, `-0`, `NaN`, `''` and `null`.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
        }
    }

    /// The text a value becomes when interpolated into a string.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
        }
    }

    fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) if s.trim().is_empty() => 0.0,
            Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    /// Loose equality: strings compare case-insensitively; differing types compare as numbers.
    fn loose_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::String(a), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => self.to_number() == other.to_number(),
        }
    }
}

/// The state of one earlier step, as `steps.<id>` shows it.
#[derive(Debug, Clone, Default)]
pub struct StepState {
    pub outputs: BTreeMap<String, String>,
    /// `success`, `failure` or `skipped`.
    pub outcome: String,
}

/// Everything an expression may read.
#[derive(Debug, Clone, Default)]
pub struct Contexts {
    pub inputs: BTreeMap<String, String>,
    pub github: BTreeMap<String, String>,
    pub runner: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    pub steps: BTreeMap<String, StepState>,
    /// Whether an earlier step of the action failed (what `success()` and `failure()` ask).
    pub failed: bool,
}

/// Replaces every `${{ expression }}` in `text` by its value.
pub fn interpolate(text: &str, contexts: &Contexts) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after.find("}}").ok_or_else(|| format!("unclosed expression in {text:?}"))?;
        out.push_str(&evaluate(&after[..end], contexts)?.to_text());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Decides an `if:`: the `${{ }}` wrapper is optional, and without a status function the
/// condition is `success() && (…)`.
pub fn condition(text: &str, contexts: &Contexts) -> Result<bool, String> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .filter(|t| !t.contains("${{"))
        .unwrap_or(trimmed);
    let value = evaluate(inner, contexts)?.truthy();
    let has_status = ["success(", "failure(", "always(", "cancelled("]
        .iter()
        .any(|f| inner.replace(' ', "").contains(f));
    Ok(if has_status { value } else { !contexts.failed && value })
}

/// Evaluates one expression (without its `${{ }}`).
pub fn evaluate(expression: &str, contexts: &Contexts) -> Result<Value, String> {
    let tokens = tokenize(expression)?;
    let mut parser = Parser { tokens: &tokens, at: 0, contexts };
    let value = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(value),
        Some(token) => Err(format!("unexpected {token:?} in {expression:?}")),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(f64),
    Dot,
    Comma,
    Open,
    Close,
    Not,
    Op(&'static str),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '.' => {
                tokens.push(Token::Dot);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some('\''), Some('\'')) => {
                            s.push('\'');
                            i += 2;
                        }
                        (Some('\''), _) => break,
                        (Some(&ch), _) => {
                            s.push(ch);
                            i += 1;
                        }
                        (None, _) => return Err(format!("unclosed string in {text:?}")),
                    }
                }
                tokens.push(Token::Str(s));
                i += 1;
            }
            _ => {
                let two: String = [Some(c), next].iter().flatten().collect();
                if let Some(op) =
                    ["==", "!=", "<=", ">=", "&&", "||"].into_iter().find(|o| *o == two)
                {
                    tokens.push(Token::Op(op));
                    i += 2;
                } else if c == '!' {
                    tokens.push(Token::Not);
                    i += 1;
                } else if c == '<' || c == '>' {
                    tokens.push(Token::Op(if c == '<' { "<" } else { ">" }));
                    i += 1;
                } else if c.is_ascii_digit() {
                    let start = i;
                    while chars.get(i).is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                        i += 1;
                    }
                    let literal: String = chars[start..i].iter().collect();
                    tokens.push(Token::Num(literal.parse().map_err(|_| literal.clone())?));
                } else if c.is_alphabetic() || c == '_' {
                    let start = i;
                    while chars
                        .get(i)
                        .is_some_and(|d| d.is_alphanumeric() || *d == '_' || *d == '-')
                    {
                        i += 1;
                    }
                    tokens.push(Token::Ident(chars[start..i].iter().collect()));
                } else {
                    return Err(format!("unsupported character {c:?} in {text:?}"));
                }
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    contexts: &'a Contexts,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// `a || b` is the first truthy operand, else the last.
    fn or(&mut self) -> Result<Value, String> {
        let mut value = self.and()?;
        while self.eat(&Token::Op("||")) {
            let right = self.and()?;
            if !value.truthy() {
                value = right;
            }
        }
        Ok(value)
    }

    /// `a && b` is the first falsy operand, else the last.
    fn and(&mut self) -> Result<Value, String> {
        let mut value = self.comparison()?;
        while self.eat(&Token::Op("&&")) {
            let right = self.comparison()?;
            if value.truthy() {
                value = right;
            }
        }
        Ok(value)
    }

    fn comparison(&mut self) -> Result<Value, String> {
        let left = self.unary()?;
        let Some(Token::Op(op)) = self.peek().cloned() else { return Ok(left) };
        if !["==", "!=", "<", "<=", ">", ">="].contains(&op) {
            return Ok(left);
        }
        self.at += 1;
        let right = self.unary()?;
        let (a, b) = (left.to_number(), right.to_number());
        Ok(Value::Bool(match op {
            "==" => left.loose_eq(&right),
            "!=" => !left.loose_eq(&right),
            "<" => a < b,
            "<=" => a <= b,
            ">" => a > b,
            _ => a >= b,
        }))
    }

    fn unary(&mut self) -> Result<Value, String> {
        if self.eat(&Token::Not) {
            return Ok(Value::Bool(!self.unary()?.truthy()));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Value, String> {
        let token = self.peek().cloned().ok_or("expression ends too early")?;
        self.at += 1;
        match token {
            Token::Open => {
                let value = self.or()?;
                if !self.eat(&Token::Close) {
                    return Err("missing `)`".to_string());
                }
                Ok(value)
            }
            Token::Str(s) => Ok(Value::String(s)),
            Token::Num(n) => Ok(Value::Number(n)),
            Token::Ident(name) if self.peek() == Some(&Token::Open) => self.call(&name),
            Token::Ident(name) => match name.as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                _ => self.path(name),
            },
            other => Err(format!("unexpected {other:?}")),
        }
    }

    fn call(&mut self, name: &str) -> Result<Value, String> {
        self.at += 1; // `(`
        let mut args = Vec::new();
        if !self.eat(&Token::Close) {
            loop {
                args.push(self.or()?);
                if self.eat(&Token::Close) {
                    break;
                }
                if !self.eat(&Token::Comma) {
                    return Err(format!("expected `,` or `)` in call of {name}"));
                }
            }
        }
        let text = |i: usize| args.get(i).map(Value::to_text).unwrap_or_default().to_lowercase();
        match (name, args.len()) {
            ("success", 0) => Ok(Value::Bool(!self.contexts.failed)),
            ("failure", 0) => Ok(Value::Bool(self.contexts.failed)),
            ("always", 0) => Ok(Value::Bool(true)),
            ("cancelled", 0) => Ok(Value::Bool(false)),
            ("contains", 2) => Ok(Value::Bool(text(0).contains(&text(1)))),
            ("startsWith", 2) => Ok(Value::Bool(text(0).starts_with(&text(1)))),
            ("endsWith", 2) => Ok(Value::Bool(text(0).ends_with(&text(1)))),
            _ => Err(format!("unsupported function {name} with {} arguments", args.len())),
        }
    }

    /// A context path such as `steps.scan.outputs.sarif-file`; a missing key is `null`.
    fn path(&mut self, context: String) -> Result<Value, String> {
        let mut segments = Vec::new();
        while self.eat(&Token::Dot) {
            match self.peek().cloned() {
                Some(Token::Ident(segment)) => {
                    segments.push(segment);
                    self.at += 1;
                }
                other => return Err(format!("expected a name after `.`, found {other:?}")),
            }
        }
        let c = self.contexts;
        let found = match (context.as_str(), segments.as_slice()) {
            ("inputs", [name]) => c.inputs.get(name).cloned(),
            ("github", [name]) => c.github.get(name).cloned(),
            ("runner", [name]) => c.runner.get(name).cloned(),
            ("env", [name]) => c.env.get(name).cloned(),
            ("steps", [id, outputs, name]) if outputs == "outputs" => {
                c.steps.get(id).and_then(|s| s.outputs.get(name)).cloned()
            }
            ("steps", [id, field]) if field == "outcome" || field == "conclusion" => {
                c.steps.get(id).map(|s| s.outcome.clone())
            }
            _ => return Err(format!("unsupported context path {context}.{}", segments.join("."))),
        };
        Ok(found.map(Value::String).unwrap_or(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts() -> Contexts {
        let mut c = Contexts::default();
        c.inputs.insert("fail-on".into(), "none".into());
        c.inputs.insert("upload-sarif".into(), "true".into());
        let mut scan = StepState { outcome: "success".into(), ..StepState::default() };
        scan.outputs.insert("sarif-file".into(), "/tmp/x.sarif".into());
        c.steps.insert("scan".into(), scan);
        c
    }

    #[test]
    fn evaluates_what_the_runner_would() {
        let c = contexts();
        let cases = [
            ("inputs.upload-sarif == 'true'", "true"),
            ("inputs.upload-sarif == 'TRUE'", "true"),
            ("inputs.upload-sarif == true", "false"),
            ("steps.scan.outputs.sarif-file != ''", "true"),
            ("steps.missing.outputs.bin || steps.scan.outputs.sarif-file", "/tmp/x.sarif"),
            ("steps.scan.outputs.nothing && 'x'", ""),
            ("!(inputs.fail-on == 'none')", "false"),
            ("'it''s'", "it's"),
            ("steps.scan.outcome", "success"),
            ("1 < 2 && 3 >= 3", "true"),
        ];
        for (expression, expected) in cases {
            let value = evaluate(expression, &c).map(|v| v.to_text());
            assert_eq!(value.as_deref(), Ok(expected), "{expression}");
        }
    }

    #[test]
    fn conditions_add_success_unless_a_status_function_is_named() {
        let mut c = contexts();
        assert_eq!(condition("inputs.upload-sarif == 'true'", &c), Ok(true));
        c.failed = true;
        assert_eq!(condition("${{ inputs.upload-sarif == 'true' }}", &c), Ok(false));
        assert_eq!(condition("always() && inputs.upload-sarif == 'true'", &c), Ok(true));
    }

    #[test]
    fn interpolates_and_refuses_what_it_does_not_know() {
        let c = contexts();
        assert_eq!(interpolate("a-${{ inputs.fail-on }}-b", &c), Ok("a-none-b".to_string()));
        assert!(interpolate("${{ hashFiles('x') }}", &c).is_err());
        assert!(interpolate("${{ secrets.TOKEN }}", &c).is_err());
        assert!(interpolate("${{ inputs.x", &c).is_err());
    }
}
