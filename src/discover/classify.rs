//! What a file is, decided from its path alone (content sniffing lives in `sniff`).

/// Folders whose files are test data: they never make an item apply and are never
/// pipelines on their own (DESIGN.md, *discover*).
pub const TEST_DATA_DIRS: &[&str] = &[
    "test",
    "tests",
    "testdata",
    "test-data",
    "__tests__",
    "fixtures",
    "e2e",
    "examples",
    "vendor",
    "third_party",
    "node_modules",
];

/// Folders the walk never enters: dependencies, caches and VCS internals.
pub const PRUNED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "bower_components",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".nox",
    ".terraform",
    ".mypy_cache",
    ".pytest_cache",
    ".gradle",
    ".idea",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    GithubWorkflow,
    GithubAction,
    GitlabCi,
    Circleci,
    Bitbucket,
    AzurePipelines,
    Jenkinsfile,
    Travis,
    Buildkite,
    Drone,
    CloudBuild,
    Codebuild,
    Tekton,
    PreCommit,
    PreCommitHooksExport,
    Husky,
    Lefthook,
    Dependabot,
    Renovate,
    PackageJson,
    Goreleaser,
    Sarif,
    Sbom,
    Dockerfile,
    Terraform,
    Bicep,
    Rego,
    Sentinel,
    HelmChart,
    Kustomization,
    Pulumi,
    Serverless,
    /// YAML or JSON whose kind needs a look at the content (Kubernetes, CloudFormation,
    /// Ansible, Azure Pipelines, Kyverno/Gatekeeper policies, scanner reports).
    DataFile,
    /// A script a pipeline may call.
    Script,
    /// Makefile, justfile, Taskfile, tox.ini, noxfile.py.
    TaskRunner,
    /// pom.xml, build.gradle: may carry signing or SBOM plugins.
    BuildFile,
    Other,
}

impl FileKind {
    /// CI configuration, a local building block of it, or a commit-hook manager: a file
    /// whose absence from what was read could change an answer.
    pub fn is_ci(self) -> bool {
        !matches!(
            self,
            FileKind::Dependabot
                | FileKind::Renovate
                | FileKind::PackageJson
                | FileKind::Sarif
                | FileKind::Sbom
                | FileKind::Dockerfile
                | FileKind::Terraform
                | FileKind::Bicep
                | FileKind::Rego
                | FileKind::Sentinel
                | FileKind::HelmChart
                | FileKind::Kustomization
                | FileKind::Pulumi
                | FileKind::Serverless
                | FileKind::DataFile
                | FileKind::Other
        )
    }
}

/// Classifies a repository-relative, `/`-separated path.
pub fn classify(path: &str) -> FileKind {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let dir = path.strip_suffix(name).unwrap_or("").trim_end_matches('/');
    let is_yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");

    if dir == ".github/workflows" && is_yaml {
        return FileKind::GithubWorkflow;
    }
    if lower == "action.yml" || lower == "action.yaml" {
        return FileKind::GithubAction;
    }
    match (dir, lower.as_str()) {
        ("", ".gitlab-ci.yml") | ("", ".gitlab-ci.yaml") => return FileKind::GitlabCi,
        (".circleci", "config.yml") | (".circleci", "config.yaml") => return FileKind::Circleci,
        ("", "bitbucket-pipelines.yml") | ("", "bitbucket-pipelines.yaml") => {
            return FileKind::Bitbucket;
        }
        ("", ".travis.yml") | ("", ".travis.yaml") => return FileKind::Travis,
        ("", ".drone.yml") | ("", ".drone.yaml") => return FileKind::Drone,
        ("", ".pre-commit-config.yaml") | ("", ".pre-commit-config.yml") => {
            return FileKind::PreCommit;
        }
        ("", ".pre-commit-hooks.yaml") => return FileKind::PreCommitHooksExport,
        (".github", "dependabot.yml") | (".github", "dependabot.yaml") => {
            return FileKind::Dependabot;
        }
        ("", "lefthook.yml")
        | ("", "lefthook.yaml")
        | ("", ".lefthook.yml")
        | ("", "lefthook-local.yml") => {
            return FileKind::Lefthook;
        }
        _ => {}
    }
    if dir == ".husky" && !lower.starts_with('_') && !lower.contains('.') {
        return FileKind::Husky;
    }
    if dir.starts_with(".buildkite") && is_yaml {
        return FileKind::Buildkite;
    }
    if dir.starts_with(".tekton") && is_yaml {
        return FileKind::Tekton;
    }
    if lower.starts_with("jenkinsfile") || lower.ends_with(".jenkinsfile") {
        return FileKind::Jenkinsfile;
    }
    if is_yaml && (lower.starts_with("azure-pipelines") || lower.ends_with(".azure-pipelines.yml"))
    {
        return FileKind::AzurePipelines;
    }
    if is_yaml && (lower.starts_with("cloudbuild") || lower.starts_with("buildspec")) {
        return if lower.starts_with("cloudbuild") {
            FileKind::CloudBuild
        } else {
            FileKind::Codebuild
        };
    }
    if matches!(
        lower.as_str(),
        "renovate.json" | "renovate.json5" | ".renovaterc" | ".renovaterc.json"
    ) {
        return FileKind::Renovate;
    }
    if lower == "package.json" {
        return FileKind::PackageJson;
    }
    if matches!(
        lower.as_str(),
        ".goreleaser.yml" | ".goreleaser.yaml" | "goreleaser.yml" | "goreleaser.yaml"
    ) {
        return FileKind::Goreleaser;
    }
    if lower.ends_with(".sarif") || lower.ends_with(".sarif.json") {
        return FileKind::Sarif;
    }
    if lower.ends_with(".cdx.json")
        || lower.ends_with(".cdx.xml")
        || lower.ends_with(".spdx.json")
        || lower.ends_with(".spdx")
        || lower == "bom.json"
        || lower == "bom.xml"
        || (lower.starts_with("sbom") && (lower.ends_with(".json") || lower.ends_with(".xml")))
    {
        return FileKind::Sbom;
    }
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("containerfile.")
    {
        return FileKind::Dockerfile;
    }
    if lower.ends_with(".tf") || lower.ends_with(".tofu") || lower.ends_with(".tf.json") {
        return FileKind::Terraform;
    }
    if lower.ends_with(".bicep") {
        return FileKind::Bicep;
    }
    if lower.ends_with(".rego") {
        return FileKind::Rego;
    }
    if lower.ends_with(".sentinel") || lower == "sentinel.hcl" {
        return FileKind::Sentinel;
    }
    if lower == "chart.yaml" || lower == "chart.yml" {
        return FileKind::HelmChart;
    }
    if matches!(lower.as_str(), "kustomization.yaml" | "kustomization.yml") {
        return FileKind::Kustomization;
    }
    if lower == "pulumi.yaml" || lower == "pulumi.yml" {
        return FileKind::Pulumi;
    }
    if lower == "serverless.yml" || lower == "serverless.yaml" {
        return FileKind::Serverless;
    }
    if matches!(
        lower.as_str(),
        "makefile"
            | "gnumakefile"
            | "justfile"
            | ".justfile"
            | "taskfile.yml"
            | "taskfile.yaml"
            | "tox.ini"
            | "noxfile.py"
    ) || lower.ends_with(".mk")
    {
        return FileKind::TaskRunner;
    }
    if matches!(lower.as_str(), "pom.xml" | "build.gradle" | "build.gradle.kts") {
        return FileKind::BuildFile;
    }
    if is_yaml || lower.ends_with(".json") {
        return FileKind::DataFile;
    }
    if lower.ends_with(".sh")
        || lower.ends_with(".bash")
        || lower.ends_with(".ps1")
        || lower.ends_with(".py")
    {
        return FileKind::Script;
    }
    FileKind::Other
}

/// Whether a path lies under a test-data folder.
pub fn is_test_data(path: &str) -> bool {
    let folders = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    folders.split('/').any(|part| TEST_DATA_DIRS.iter().any(|dir| part.eq_ignore_ascii_case(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_platform_location() {
        let cases = [
            (".github/workflows/ci.yml", FileKind::GithubWorkflow),
            ("sub/.github/workflows/ci.yml", FileKind::DataFile),
            (".github/actions/scan/action.yml", FileKind::GithubAction),
            (".gitlab-ci.yml", FileKind::GitlabCi),
            ("sub/.gitlab-ci.yml", FileKind::DataFile),
            (".circleci/config.yml", FileKind::Circleci),
            ("build/Dockerfile.prod", FileKind::Dockerfile),
            ("infra/prod env/main.tf", FileKind::Terraform),
            ("ci/Jenkinsfile", FileKind::Jenkinsfile),
            (".pre-commit-config.yaml", FileKind::PreCommit),
            (".husky/pre-commit", FileKind::Husky),
            ("reports/trivy.sarif", FileKind::Sarif),
            ("bom.cdx.json", FileKind::Sbom),
            ("charts/app/Chart.yaml", FileKind::HelmChart),
        ];
        for (path, kind) in cases {
            assert_eq!(classify(path), kind, "{path}");
        }
    }

    #[test]
    fn test_data_is_any_parent_folder_named_for_tests() {
        assert!(is_test_data("e2e/terraform/main.tf"));
        assert!(is_test_data("pkg/testdata/Dockerfile"));
        assert!(!is_test_data("tests.tf"));
        assert!(!is_test_data("infra/main.tf"));
        assert!(is_test_data("Tests/Fixtures/deploy.yaml"));
        assert!(!is_test_data("testsuite/deploy.yaml"));
    }
}
