//! The `ciproof` command line: argument parsing, output files and exit codes. Nothing else.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use ciproof::discover::WalkOptions;
use ciproof::evaluate::Answer;
use ciproof::limits::Deadline;
use ciproof::report::{self, ScanReport};
use ciproof::{ScanOptions, rules, scan, yaml};

/// Audits whether a repository's pipelines really do what a DevSecOps checklist says.
#[derive(Parser)]
#[command(name = "ciproof", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  ciproof scan .                                   table of the nine answers
  ciproof scan . --format json --output ciproof.json
  ciproof scan . --format sarif --output ciproof.sarif --report markdown:summary.md
  ciproof scan repo-a repo-b --format json         one JSON array for several checkouts
  ciproof scan . --fail-on partial                 exit 1 unless every item is yes or n/a

Exit codes: 0 scanned; 1 an item fell below --fail-on; 2 usage or fatal error.";

#[derive(Subcommand)]
enum Command {
    /// Scan repository checkouts and answer the checklist.
    Scan(ScanArgs),
    /// List the tools ciproof recognises.
    Rules {
        /// Extra rule folders.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table for the terminal.
    Text,
    /// The versioned JSON report (docs/json.md).
    Json,
    /// A job summary or pull request comment.
    Markdown,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    No,
    Partial,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// The help heading of the limits on work done on hostile input.
const LIMITS: &str = "Limits (hitting one is a diagnostic, never an error)";

#[derive(clap::Args)]
struct ScanArgs {
    /// Repository checkouts to scan.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write FORMAT to FILE (repeatable), e.g. `--report json:ciproof.json`.
    #[arg(long = "report", value_name = "FORMAT:FILE")]
    reports: Vec<String>,
    /// Exit 1 when an item is `no` (or, with `partial`, `no` or `partial`).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Extra rule folders (a rule with a built-in id replaces it).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Leave out paths matching GLOB (relative to the root; repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// A folder of CI artifacts from this run (SARIF, SBOMs) to count as evidence.
    #[arg(long, value_name = "DIR")]
    evidence: Vec<PathBuf>,
    /// Largest file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20, help_heading = LIMITS)]
    max_file_size: u64,
    /// Most files considered; the walk stops there.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, help_heading = LIMITS)]
    max_files: usize,
    /// A configuration file (exclusions, extra rules, fail-on, overrides with reasons).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// In SARIF, also report items answered yes (`kind: pass`) and n/a (`kind:
    /// notApplicable`); GitHub code scanning shows those as open alerts, so leave it off there.
    #[arg(long)]
    sarif_all: bool,
    /// Deepest folder level walked.
    #[arg(long, value_name = "N", default_value_t = 64, help_heading = LIMITS)]
    max_walk_depth: usize,
    /// Most YAML nodes one file may hold, each alias counting once per use.
    #[arg(long, value_name = "N", default_value_t = yaml::Limits::default().max_nodes,
          help_heading = LIMITS)]
    max_yaml_nodes: usize,
    /// Deepest nesting of YAML collections.
    #[arg(long, value_name = "N", default_value_t = yaml::Limits::default().max_depth,
          help_heading = LIMITS)]
    max_depth: usize,
    /// Time budget in seconds: when it runs out, no more files are read and the answers come
    /// from what was read (0: no budget).
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0, help_heading = LIMITS)]
    timeout: f64,
    /// Colour in the text table (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The scan runs on a thread with a large stack: input-driven recursion (nested
    // includes, deep YAML) is bounded by limits, and the stack leaves a wide margin.
    let worker = std::thread::Builder::new().stack_size(64 << 20).spawn(move || run(cli));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("ciproof: internal error (please report it with the input that caused it)");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Scan(args) => match run_scan(&args) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("ciproof: {message}");
                ExitCode::from(2)
            }
        },
        Command::Rules { rules } => match rules::load(&rules) {
            Ok(set) => {
                for rule in &set.rules {
                    println!("{:<28} {}", rule.id, rule.name);
                }
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for p in problems {
                    eprintln!("ciproof: {p}");
                }
                ExitCode::from(2)
            }
        },
    }
}

fn run_scan(args: &ScanArgs) -> Result<ExitCode, String> {
    let config = match &args.config {
        Some(path) => ciproof::config::load(path).map_err(|problems| {
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\nciproof: ")
        })?,
        None => ciproof::config::Config::default(),
    };
    let mut rule_dirs = config.rules.clone();
    rule_dirs.extend(args.rules.iter().cloned());
    let mut exclude = config.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let fail_on = args.fail_on.or(match config.fail_on.as_deref() {
        Some("no") => Some(FailOn::No),
        Some("partial") => Some(FailOn::Partial),
        _ => None,
    });
    let rules = rules::load(&rule_dirs).map_err(|problems| {
        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\nciproof: ")
    })?;
    let extra: Vec<(Format, PathBuf)> =
        args.reports.iter().map(|spec| parse_report_spec(spec)).collect::<Result<_, _>>()?;
    let deadline = match Duration::try_from_secs_f64(args.timeout) {
        Ok(budget) if budget.is_zero() => None,
        Ok(budget) => Some(Deadline::after(budget)),
        Err(_) => {
            return Err(format!(
                "--timeout {}: expected a number of seconds (0: no budget)",
                args.timeout
            ));
        }
    };
    let options = ScanOptions {
        walk: WalkOptions {
            max_file_bytes: args.max_file_size,
            max_files: args.max_files,
            max_depth: args.max_walk_depth,
            exclude,
            yaml: yaml::Limits { max_nodes: args.max_yaml_nodes, max_depth: args.max_depth },
            deadline,
        },
        evidence: args.evidence.clone(),
        overrides: config.overrides.clone(),
    };
    let mut reports = Vec::new();
    for path in &args.paths {
        if !path.is_dir() {
            return Err(format!(
                "{}: not a folder (give the root of a repository checkout)",
                path.display()
            ));
        }
        reports.push(scan(path, &options, &rules));
    }

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let sarif = report::sarif::Options { all: args.sarif_all };
    emit(args.format, &reports, args.output.as_ref(), color, sarif)?;
    for (format, file) in &extra {
        emit(*format, &reports, Some(file), false, sarif)?;
    }

    let failing = |answer: Answer| match fail_on {
        Some(FailOn::No) => answer == Answer::No,
        Some(FailOn::Partial) => matches!(answer, Answer::No | Answer::Partial),
        None => false,
    };
    let failed = reports.iter().flat_map(|r| &r.items).any(|i| failing(i.answer));
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn parse_report_spec(spec: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = spec
        .split_once(':')
        .ok_or_else(|| format!("--report {spec}: expected FORMAT:FILE, e.g. json:ciproof.json"))?;
    let format = Format::from_str(format, true)
        .map_err(|_| format!("--report {spec}: unknown format `{format}`"))?;
    Ok((format, PathBuf::from(file)))
}

fn render(
    format: Format,
    reports: &[ScanReport],
    color: bool,
    sarif: report::sarif::Options,
) -> String {
    match format {
        Format::Text => report::text::render(reports, color),
        Format::Json => report::json::render(reports),
        Format::Markdown => report::markdown::render(reports),
        Format::Sarif => report::sarif::render(reports, sarif),
        Format::Github => report::github::render(reports),
    }
}

fn emit(
    format: Format,
    reports: &[ScanReport],
    output: Option<&PathBuf>,
    color: bool,
    sarif: report::sarif::Options,
) -> Result<(), String> {
    let text = render(format, reports, color, sarif);
    match output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`ciproof scan | head`) is not an error.
            match stdout.write_all(text.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write output: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}
