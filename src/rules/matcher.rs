//! Matching rules against what a pipeline uses, and deciding capability and blocking.
//!
//! A building-block reference carries a scheme that says what it is: a GitHub action or
//! reusable workflow has none (`owner/repo@ref`, `docker://image`), the other platforms'
//! parsers write `orb:`, `pipe:`, `task:`, `template:`, `image:` or `plugin:` before it.

use crate::parse::script::shell_words;
use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};

use super::{Capability, Condition, Rule, format::Narrowing};

/// What is being matched.
#[derive(Debug, Clone)]
pub enum Subject<'a> {
    /// One shell segment (a simple command).
    Command { text: &'a str, env: &'a BTreeMap<String, String> },
    /// A building block with its inputs.
    Reference {
        reference: &'a str,
        inputs: &'a BTreeMap<String, String>,
        env: &'a BTreeMap<String, String>,
    },
    /// A pre-commit-style hook, by id, with its arguments.
    Hook { id: &'a str, args: &'a str },
    /// A configuration file, by relative path.
    Config { path: &'a str },
    /// A SARIF run's driver name.
    Sarif { driver: &'a str },
}

/// A rule that matched, with what the invocation does and whether it can block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub rule: String,
    pub tool: String,
    pub capabilities: Vec<Capability>,
    pub blocks: bool,
    /// Why it blocks or not, for the evidence note.
    pub blocking_note: String,
    pub mode_note: Option<String>,
    pub vendor: bool,
}

/// The loaded rules, with globs compiled once.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    config_globs: Vec<Vec<GlobMatcher>>,
    /// Every rule's configuration globs in one set: asked first, because nearly no file of
    /// a large repository is a tool's configuration.
    any_config: Option<globset::GlobSet>,
    /// Owners of the vendor actions the rules name (`aquasecurity`, `github`, …), plus
    /// GitHub's own `actions`: their other actions are not an organisation's configuration.
    vendor_owners: Vec<String>,
}

/// Programs that run another program given as their next argument(s).
const WRAPPERS: &[&str] = &[
    "sudo", "env", "exec", "time", "nohup", "command", "npx", "pnpx", "bunx", "uvx", "xargs",
    "timeout", "!", "then", "do", "else", "(", "{", "eval",
];

/// A program invocation found in a shell segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: String,
    /// Arguments after the program, re-joined with single spaces.
    pub args: Vec<String>,
    /// Variables the command line sets for this program alone (`KO_DOCKER_REPO=x ko build`).
    pub env: Vec<(String, String)>,
}

/// The program invocations of one shell segment: normally one, after wrappers; for
/// `docker run`, also the image's entry point as `image:NAME` with the arguments after it.
pub fn program_invocations(segment: &str) -> Vec<Invocation> {
    let tokens = shell_words(segment);
    let mut env = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        let base = basename(token);
        let assignment = token.split_once('=').filter(|(k, _)| {
            !token.starts_with('-')
                && !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if let Some((name, value)) = assignment {
            env.push((name.to_string(), value.to_string()));
        }
        if assignment.is_some()
            || WRAPPERS.contains(&base.as_str())
            || (base == "timeout"
                || token.starts_with('-')
                    && i > 0
                    && WRAPPERS.contains(&basename(&tokens[i - 1]).as_str()))
        {
            i += 1;
            continue;
        }
        // Runners that take a package or module name: `pipx run X`, `python -m X`, `go run X`.
        let two = tokens.get(i + 1).map(String::as_str);
        let skip = match (base.as_str(), two) {
            ("pipx" | "uv" | "poetry" | "pipenv" | "hatch" | "pdm", Some("run")) => 2,
            ("pnpm" | "yarn", Some("dlx" | "exec"))
            | ("npm", Some("exec"))
            | ("bundle", Some("exec")) => 2,
            ("python" | "python3" | "py", Some("-m")) => 2,
            ("go", Some("run")) => 2,
            _ => 0,
        };
        if skip > 0 && i + skip < tokens.len() {
            i += skip;
            continue;
        }
        break;
    }
    let Some(first) = tokens.get(i) else { return Vec::new() };
    let program = basename(first);
    let args: Vec<String> = tokens.iter().skip(i + 1).cloned().collect();
    let mut out =
        vec![Invocation { program: program.clone(), args: args.clone(), env: env.clone() }];
    if matches!(program.as_str(), "docker" | "podman" | "nerdctl")
        && args.first().is_some_and(|a| a == "run")
        && let Some(pos) = docker_run_image(&args)
    {
        out.push(Invocation {
            program: format!("image:{}", args[pos]),
            args: args[pos + 1..].to_vec(),
            env,
        });
    }
    out
}

/// Index of the image argument of `docker run [options] IMAGE [args]`.
fn docker_run_image(args: &[String]) -> Option<usize> {
    const WITH_VALUE: &[&str] = &[
        "-v",
        "--volume",
        "-e",
        "--env",
        "-w",
        "--workdir",
        "--entrypoint",
        "-u",
        "--user",
        "--name",
        "--network",
        "--net",
        "-p",
        "--publish",
        "--platform",
        "--env-file",
        "--mount",
        "-l",
        "--label",
        "--pull",
        "--add-host",
        "--cap-add",
        "--security-opt",
    ];
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        if a.starts_with('-') {
            i += if WITH_VALUE.contains(&a) { 2 } else { 1 };
            continue;
        }
        return Some(i);
    }
    None
}

/// `./bin/trivy` → `trivy`; `golang.org/x/vuln/cmd/govulncheck@latest` → `govulncheck`.
fn basename(token: &str) -> String {
    let last = token.rsplit('/').next().unwrap_or(token);
    let last = last.split('@').next().unwrap_or(last);
    last.trim_end_matches(".exe").to_ascii_lowercase()
}

/// Strips a version or ref: `owner/repo@v1` → `owner/repo`, `image:1.2` → `image`.
fn strip_version(reference: &str) -> &str {
    let no_at = reference.split('@').next().unwrap_or(reference);
    // An image tag follows the last `:` after the last `/` (a registry port comes before it).
    match no_at.rfind(':') {
        Some(colon) if !no_at[colon..].contains('/') => &no_at[..colon],
        _ => no_at,
    }
}

/// A reference as conditions see it: its scheme kept, its version dropped
/// (`task:Maven@4` → `task:Maven`, `snyk/actions/node@master` → `snyk/actions/node`).
fn invoked_reference(reference: &str) -> String {
    match reference.split_once(':') {
        Some((scheme, rest))
            if matches!(
                scheme,
                "orb" | "pipe" | "task" | "template" | "image" | "plugin" | "annotation"
            ) =>
        {
            format!("{scheme}:{}", strip_version(rest))
        }
        _ => strip_version(reference).to_string(),
    }
}

fn image_matches(reference: &str, image: &str) -> bool {
    let reference = strip_version(reference).to_ascii_lowercase();
    let reference =
        reference.trim_start_matches("docker.io/").trim_start_matches("index.docker.io/");
    let reference = reference.strip_prefix("library/").unwrap_or(reference);
    let image = image.to_ascii_lowercase();
    reference == image || reference.ends_with(&format!("/{image}")) && image.contains('/')
}

fn path_prefix_matches(reference: &str, entry: &str) -> bool {
    let reference = reference.to_ascii_lowercase();
    let entry = entry.to_ascii_lowercase();
    reference == entry || reference.starts_with(&format!("{entry}/"))
}

impl RuleSet {
    pub fn new(rules: Vec<Rule>) -> Self {
        let config_globs: Vec<Vec<GlobMatcher>> = rules
            .iter()
            .map(|r| {
                r.recognise
                    .config_files
                    .iter()
                    .filter_map(|g| {
                        let pattern = if g.contains('/') { g.clone() } else { format!("**/{g}") };
                        Glob::new(&pattern).ok().map(|g| g.compile_matcher())
                    })
                    .collect()
            })
            .collect();
        let mut vendor_owners: Vec<String> = rules
            .iter()
            .filter(|r| r.vendor)
            .flat_map(|r| r.recognise.actions.iter())
            .filter_map(|a| a.split('/').next())
            .map(str::to_ascii_lowercase)
            .chain(["actions".to_string(), "github".to_string()])
            .collect();
        vendor_owners.sort();
        vendor_owners.dedup();
        let mut any_config = globset::GlobSetBuilder::new();
        for matcher in config_globs.iter().flatten() {
            any_config.add(matcher.glob().clone());
        }
        let any_config = any_config.build().ok();
        RuleSet { rules, config_globs, any_config, vendor_owners }
    }

    /// Whether a GitHub action reference belongs to a tool vendor the rules know.
    pub fn is_vendor_action(&self, reference: &str) -> bool {
        let owner = reference.split('/').next().unwrap_or("").to_ascii_lowercase();
        self.vendor_owners.binary_search(&owner).is_ok()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Every rule that recognises the subject, with its decision.
    pub fn matches(&self, subject: &Subject) -> Vec<Match> {
        let empty = BTreeMap::new();
        let mut out = Vec::new();
        match subject {
            Subject::Command { text, env } => {
                for invocation in program_invocations(text) {
                    // The command line's own assignments win over the step's environment.
                    let with_own;
                    let env = if invocation.env.is_empty() {
                        *env
                    } else {
                        with_own = env
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .chain(invocation.env.iter().cloned())
                            .collect::<BTreeMap<_, _>>();
                        &with_own
                    };
                    for rule in &self.rules {
                        if rule_runs(rule, &invocation) {
                            let args = invocation.args.join(" ");
                            let call = Call {
                                invokes: &invocation.program,
                                args: &args,
                                inputs: &empty,
                                env,
                            };
                            out.extend(decide(rule, &call));
                        }
                    }
                }
            }
            Subject::Reference { reference, inputs, env } => {
                for rule in &self.rules {
                    if rule_references(rule, reference) {
                        let args = inputs.get("args").cloned().unwrap_or_default();
                        let invokes = invoked_reference(reference);
                        let call = Call { invokes: &invokes, args: &args, inputs, env };
                        out.extend(decide(rule, &call));
                    }
                }
            }
            Subject::Hook { id, args } => {
                for rule in &self.rules {
                    if rule.recognise.hooks.iter().any(|h| h.eq_ignore_ascii_case(id)) {
                        let call = Call { invokes: id, args, inputs: &empty, env: &empty };
                        out.extend(decide(rule, &call));
                    }
                }
            }
            Subject::Config { path }
                if self.any_config.as_ref().is_some_and(|set| !set.is_match(path)) => {}
            Subject::Config { path } => {
                for (rule, globs) in self.rules.iter().zip(&self.config_globs) {
                    if globs.iter().any(|g| g.is_match(path)) {
                        let call = Call { invokes: "", args: "", inputs: &empty, env: &empty };
                        out.extend(decide(rule, &call));
                    }
                }
            }
            Subject::Sarif { driver } => {
                for rule in &self.rules {
                    if rule
                        .recognise
                        .sarif_drivers
                        .iter()
                        .any(|d| driver.to_ascii_lowercase().starts_with(&d.to_ascii_lowercase()))
                    {
                        let call = Call { invokes: "", args: "", inputs: &empty, env: &empty };
                        out.extend(decide(rule, &call));
                    }
                }
            }
        }
        out.dedup_by(|a, b| a.rule == b.rule);
        out
    }
}

/// Whether the invocation runs the rule's tool.
fn rule_runs(rule: &Rule, invocation: &Invocation) -> bool {
    if let Some(image) = invocation.program.strip_prefix("image:") {
        return rule.recognise.images.iter().any(|i| image_matches(image, i));
    }
    rule.recognise.commands.iter().any(|command| {
        let mut words = command.split_whitespace();
        if words.next().map(str::to_ascii_lowercase).as_deref() != Some(invocation.program.as_str())
        {
            return false;
        }
        let mut positional = invocation.args.iter().filter(|a| !a.starts_with('-'));
        words.all(|w| positional.next().is_some_and(|a| a.eq_ignore_ascii_case(w)))
    })
}

/// Whether a building-block reference is the rule's tool.
fn rule_references(rule: &Rule, reference: &str) -> bool {
    let r = &rule.recognise;
    let (scheme, rest) = match reference.split_once(':') {
        Some((scheme, rest))
            if matches!(
                scheme,
                "orb" | "pipe" | "task" | "template" | "image" | "plugin" | "annotation"
            ) =>
        {
            (scheme, rest)
        }
        _ => ("action", reference),
    };
    match scheme {
        "action" => match rest.strip_prefix("docker://") {
            Some(image) => r.images.iter().any(|i| image_matches(image, i)),
            None => r.actions.iter().any(|a| path_prefix_matches(strip_version(rest), a)),
        },
        "orb" => r.orbs.iter().any(|o| path_prefix_matches(rest, o)),
        "pipe" => r.pipes.iter().any(|p| path_prefix_matches(strip_version(rest), p)),
        "task" => r.tasks.iter().any(|t| strip_version(rest).eq_ignore_ascii_case(t)),
        "template" => {
            let rest = rest.to_ascii_lowercase();
            r.templates.iter().any(|t| {
                let t = t.to_ascii_lowercase();
                rest == t || rest.ends_with(&format!("/{t}")) || rest.starts_with(&format!("{t}@"))
            })
        }
        "image" => r.images.iter().any(|i| image_matches(rest, i)),
        "annotation" => r
            .annotations
            .iter()
            .any(|a| rest.to_ascii_lowercase().starts_with(&a.to_ascii_lowercase())),
        "plugin" => r.plugins.iter().any(|p| {
            path_prefix_matches(strip_version(rest), p)
                || rest.to_ascii_lowercase().starts_with(&p.to_ascii_lowercase())
        }),
        _ => false,
    }
}

fn lookup<'a>(rule: &'a Rule, inputs: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    inputs
        .get(name)
        .map(String::as_str)
        .or_else(|| rule.input_defaults.get(name).map(String::as_str))
}

/// One recognised invocation, as conditions see it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The program, the building block's reference without its version, or the hook id.
    pub invokes: &'a str,
    pub args: &'a str,
    pub inputs: &'a BTreeMap<String, String>,
    pub env: &'a BTreeMap<String, String>,
}

impl Condition {
    /// Whether the condition holds for this invocation.
    pub fn holds(&self, rule: &Rule, call: &Call) -> bool {
        let invokes_ok = self.invokes.as_ref().is_none_or(|p| p.is_match(call.invokes));
        let args_ok = self.args.as_ref().is_none_or(|p| p.is_match(call.args));
        let not_ok = self.not_args.as_ref().is_none_or(|p| !p.is_match(call.args));
        let inputs_ok = self
            .inputs
            .iter()
            .all(|(name, p)| p.is_match(lookup(rule, call.inputs, name).unwrap_or("")));
        let env_ok =
            self.env.iter().all(|(name, p)| call.env.get(name).is_some_and(|v| p.is_match(v)));
        let any_ok = self.any.is_empty() || self.any.iter().any(|c| c.holds(rule, call));
        invokes_ok && args_ok && not_ok && inputs_ok && env_ok && any_ok
    }
}

/// Decides capability and blocking for one recognised invocation.
fn decide(rule: &Rule, call: &Call) -> Option<Match> {
    let (args, inputs, env) = (call.args, call.inputs, call.env);
    let mode =
        rule.capabilities.iter().find(|m| m.when.as_ref().is_none_or(|c| c.holds(rule, call)));
    if mode.is_some_and(|m| m.ignore) {
        return None;
    }
    let mut capabilities = mode.map(|m| m.is.clone()).unwrap_or_default();
    if let Some(narrowing) = mode.and_then(|m| m.narrowed_by.as_ref())
        && let Some(kept) = narrow(narrowing, args, inputs, env)
    {
        capabilities = kept;
    }
    let default = mode.and_then(|m| m.blocks).unwrap_or(rule.blocking.default);
    let (blocks, blocking_note) =
        if rule.blocking.unless.as_ref().is_some_and(|c| c.holds(rule, call)) {
            (false, "an option stops it failing on findings".to_string())
        } else if rule.blocking.when.as_ref().is_some_and(|c| c.holds(rule, call)) {
            (true, "set to fail on findings".to_string())
        } else if default {
            (
                true,
                rule.blocking
                    .note
                    .clone()
                    .unwrap_or_else(|| "fails on findings by default".to_string()),
            )
        } else {
            (
                false,
                rule.blocking
                    .note
                    .clone()
                    .unwrap_or_else(|| "does not fail on findings as configured".to_string()),
            )
        };
    Some(Match {
        rule: rule.id.clone(),
        tool: rule.name.clone(),
        capabilities,
        blocks,
        blocking_note,
        mode_note: mode.and_then(|m| m.note.clone()),
        vendor: rule.vendor,
    })
}

/// The capabilities a narrowing flag or input keeps, if it is set.
fn narrow(
    narrowing: &Narrowing,
    args: &str,
    inputs: &BTreeMap<String, String>,
    env: &BTreeMap<String, String>,
) -> Option<Vec<Capability>> {
    let value = narrowing.flag.as_ref().and_then(|flag| flag_value(args, flag)).or_else(|| {
        narrowing
            .input
            .as_ref()
            .and_then(|name| inputs.get(name).or_else(|| env.get(name)).cloned())
    })?;
    let mut kept: Vec<Capability> = value
        .split([',', ' '])
        .filter_map(|word| narrowing.values.get(word.trim().trim_matches(['"', '\''])).copied())
        .collect();
    kept.sort();
    kept.dedup();
    Some(kept)
}

/// The value of `--flag VALUE` or `--flag=VALUE` in an argument string.
pub fn flag_value(args: &str, flag: &str) -> Option<String> {
    let words = shell_words(args);
    words.iter().enumerate().find_map(|(i, w)| {
        if w == flag {
            words.get(i + 1).cloned()
        } else {
            w.strip_prefix(&format!("{flag}=")).map(str::to_string)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_program_behind_wrappers() {
        let cases = [
            ("sudo -E trivy image x", "trivy"),
            ("FOO=1 env BAR=2 semgrep ci", "semgrep"),
            ("npx snyk test", "snyk"),
            ("python -m bandit -r .", "bandit"),
            ("pipx run pip-audit", "pip-audit"),
            ("go run golang.org/x/vuln/cmd/govulncheck@latest ./...", "govulncheck"),
            ("./bin/gitleaks detect", "gitleaks"),
        ];
        for (text, program) in cases {
            assert_eq!(program_invocations(text)[0].program, program, "{text}");
        }
    }

    #[test]
    fn docker_run_yields_the_image_invocation() {
        let found =
            program_invocations("docker run --rm -v $PWD:/src aquasec/trivy:0.50 image app:1");
        assert_eq!(found[1].program, "image:aquasec/trivy:0.50");
        assert_eq!(found[1].args, vec!["image", "app:1"]);
    }

    #[test]
    fn references_lose_versions_but_keep_registry_ports() {
        assert_eq!(strip_version("aquasecurity/trivy-action@0.28.0"), "aquasecurity/trivy-action");
        assert_eq!(strip_version("registry:5000/img"), "registry:5000/img");
        assert_eq!(strip_version("aquasec/trivy:0.50"), "aquasec/trivy");
        assert!(image_matches("docker.io/aquasec/trivy:latest", "aquasec/trivy"));
        assert!(image_matches("ghcr.io/aquasecurity/trivy", "ghcr.io/aquasecurity/trivy"));
        assert_eq!(invoked_reference("task:Maven@4"), "task:Maven");
        assert_eq!(invoked_reference("pipe:snyk/snyk-scan:1.0.1"), "pipe:snyk/snyk-scan");
        assert_eq!(invoked_reference("snyk/actions/node@master"), "snyk/actions/node");
    }

    #[test]
    fn reads_flag_values_in_both_spellings() {
        assert_eq!(
            flag_value("fs --scanners vuln,secret .", "--scanners").as_deref(),
            Some("vuln,secret")
        );
        assert_eq!(flag_value("fs --scanners=vuln .", "--scanners").as_deref(), Some("vuln"));
        assert_eq!(flag_value("fs .", "--scanners"), None);
    }

    #[test]
    fn conditions_can_tell_apart_what_is_invoked() {
        let text = r#"
id: sonar-like
name: Sonar-like
recognise: { commands: [sonar-scanner, mvn], actions: [acme/scan] }
capabilities:
  - { when: { invokes: '^mvn$', not-args: 'sonar:sonar' }, is: [sast], ignore: true }
  - { when: { invokes: '^acme/scan/setup$' }, is: [sast], ignore: true }
  - is: [sast]
examples: { match: [sonar-scanner], no-match: [mvn test] }
"#;
        let rule = match crate::rules::parse_rule("rules/sonar-like.yml", text) {
            Ok(rule) => rule,
            Err(problems) => panic!("{problems:?}"),
        };
        let rules = RuleSet::new(vec![rule]);
        let env = BTreeMap::new();
        let found = |text| rules.matches(&Subject::Command { text, env: &env }).len();
        assert_eq!(found("sonar-scanner -Dsonar.host.url=x"), 1);
        assert_eq!(found("mvn -B verify sonar:sonar"), 1);
        assert_eq!(found("mvn -B verify"), 0);
        let used = |reference| {
            rules.matches(&Subject::Reference { reference, inputs: &env, env: &env }).len()
        };
        assert_eq!(used("acme/scan@v1"), 1);
        assert_eq!(used("acme/scan/setup@v1"), 0);
    }
}
