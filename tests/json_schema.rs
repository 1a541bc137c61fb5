//! The JSON report validates against the published schema (`schemas/report.schema.json`),
//! for one root (an object) and for several (an array), and the schema is strict enough to
//! reject a report that breaks the documented contract.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

fn scan_json(roots: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .current_dir(fixtures())
        .arg("scan")
        .args(roots)
        .args(["--format", "json"])
        .output()
        .expect("run ciproof");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("json");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn problems(validator: &jsonschema::Validator, report: &Value) -> Vec<String> {
    validator.iter_errors(report).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn reports_validate_against_the_published_schema() {
    let validator = validator();
    for roots in [&["report-formats"][..], &["report-without-ci"], &["report-formats", "."]] {
        let report = scan_json(roots);
        assert_eq!(report.is_array(), roots.len() > 1);
        let found = problems(&validator, &report);
        assert!(found.is_empty(), "{roots:?}: {found:#?}");
    }
}

/// A change that makes a valid report break the documented contract.
type Breakage = fn(&mut Value);

#[test]
fn the_schema_rejects_reports_that_break_the_contract() {
    let validator = validator();
    let report = scan_json(&["report-formats"]);
    let breakages: [(&str, Breakage); 5] = [
        ("unknown answer", |r| r["items"][0]["answer"] = "maybe".into()),
        ("zero line", |r| r["detections"][0]["line"] = 0.into()),
        ("absolute path", |r| r["detections"][0]["path"] = "/etc/passwd".into()),
        ("yes without evidence", |r| {
            r["items"][0]["answer"] = "yes".into();
            r["items"][0]["evidence"] = Value::Array(Vec::new());
        }),
        ("another version", |r| r["version"] = 2.into()),
    ];
    for (what, breakage) in breakages {
        let mut broken = report.clone();
        breakage(&mut broken);
        assert!(!problems(&validator, &broken).is_empty(), "the schema accepts: {what}");
    }
}
