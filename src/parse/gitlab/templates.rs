//! GitLab's built-in templates: which jobs each one adds, and the variables that switch
//! those jobs off. Their content is not bundled; a template job becomes one step that
//! uses `template:<name>`, and the rules recognise the template by name.
//! See: https://gitlab.com/gitlab-org/gitlab/-/tree/master/lib/gitlab/ci/templates/Jobs

/// One job a template adds.
pub struct TemplateJob {
    pub name: &'static str,
    /// Added unless a variable enables it (`GITLAB_ADVANCED_SAST_ENABLED`) or a local job
    /// of the same name overrides it.
    pub by_default: bool,
    pub enabled_by: Option<&'static str>,
    /// The variable whose `true`/`1` value removes the job from every pipeline.
    pub disabled_by: &'static str,
    /// The analyzer name `*_EXCLUDED_ANALYZERS` lists to leave this job out.
    pub analyzer: &'static str,
}

const fn job(name: &'static str, disabled_by: &'static str, analyzer: &'static str) -> TemplateJob {
    TemplateJob { name, by_default: true, enabled_by: None, disabled_by, analyzer }
}

const fn optional(
    name: &'static str,
    disabled_by: &'static str,
    analyzer: &'static str,
) -> TemplateJob {
    TemplateJob { name, by_default: false, enabled_by: None, disabled_by, analyzer }
}

const SAST: &[TemplateJob] = &[
    job("semgrep-sast", "SAST_DISABLED", "semgrep"),
    TemplateJob {
        name: "gitlab-advanced-sast",
        by_default: false,
        enabled_by: Some("GITLAB_ADVANCED_SAST_ENABLED"),
        disabled_by: "SAST_DISABLED",
        analyzer: "gitlab-advanced-sast",
    },
    TemplateJob {
        name: "kubesec-sast",
        by_default: false,
        enabled_by: Some("SCAN_KUBERNETES_MANIFESTS"),
        disabled_by: "SAST_DISABLED",
        analyzer: "kubesec",
    },
    optional("spotbugs-sast", "SAST_DISABLED", "spotbugs"),
    optional("pmd-apex-sast", "SAST_DISABLED", "pmd-apex"),
    optional("sobelow-sast", "SAST_DISABLED", "sobelow"),
];
const SAST_IAC: &[TemplateJob] = &[job("kics-iac-sast", "SAST_DISABLED", "kics")];
const SECRET_DETECTION: &[TemplateJob] =
    &[job("secret_detection", "SECRET_DETECTION_DISABLED", "secrets")];
const DEPENDENCY_SCANNING: &[TemplateJob] = &[
    job("gemnasium-dependency_scanning", "DEPENDENCY_SCANNING_DISABLED", "gemnasium"),
    optional(
        "gemnasium-maven-dependency_scanning",
        "DEPENDENCY_SCANNING_DISABLED",
        "gemnasium-maven",
    ),
    optional(
        "gemnasium-python-dependency_scanning",
        "DEPENDENCY_SCANNING_DISABLED",
        "gemnasium-python",
    ),
];
const DEPENDENCY_SCANNING_V2: &[TemplateJob] =
    &[job("dependency-scanning", "DEPENDENCY_SCANNING_DISABLED", "dependency-scanning")];
const CONTAINER_SCANNING: &[TemplateJob] =
    &[job("container_scanning", "CONTAINER_SCANNING_DISABLED", "container-scanning")];

/// The template's name without folder, suffix and channel: `Jobs/SAST.latest.gitlab-ci.yml`
/// → `sast`.
pub fn stem(template: &str) -> String {
    let file = template.rsplit('/').next().unwrap_or(template).to_ascii_lowercase();
    let file = file.trim_end_matches(".yml").trim_end_matches(".yaml");
    let file = file.trim_end_matches(".gitlab-ci");
    file.trim_end_matches(".latest").to_string()
}

/// The jobs a template adds; empty for templates we know no jobs of.
pub fn jobs_of(template: &str) -> &'static [TemplateJob] {
    match stem(template).as_str() {
        "sast" => SAST,
        "sast-iac" => SAST_IAC,
        "secret-detection" => SECRET_DETECTION,
        "dependency-scanning" => DEPENDENCY_SCANNING,
        "dependency-scanning.v2" => DEPENDENCY_SCANNING_V2,
        "container-scanning" => CONTAINER_SCANNING,
        _ => &[],
    }
}

/// Whether the template's jobs run in merge-request pipelines by default: the `.latest`
/// channel and the v2 dependency scanning do; the stable ones run in branch pipelines
/// unless `AST_ENABLE_MR_PIPELINES` is true.
pub fn merge_request_pipelines(template: &str) -> bool {
    let lower = template.to_ascii_lowercase();
    lower.contains(".latest.") || lower.contains(".v2.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_jobs_of_the_security_templates() {
        assert_eq!(stem("Jobs/SAST.latest.gitlab-ci.yml"), "sast");
        assert_eq!(jobs_of("Security/Secret-Detection.gitlab-ci.yml")[0].name, "secret_detection");
        assert_eq!(
            jobs_of("Jobs/Dependency-Scanning.v2.gitlab-ci.yml")[0].name,
            "dependency-scanning"
        );
        assert!(jobs_of("Auto-DevOps.gitlab-ci.yml").is_empty());
        assert!(merge_request_pipelines("Jobs/SAST.latest.gitlab-ci.yml"));
        assert!(!merge_request_pipelines("Jobs/SAST.gitlab-ci.yml"));
    }
}
