//! What a tool invocation does, as far as the checklist cares.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Static analysis of source code for security problems.
    Sast,
    /// Known-CVE scanning of dependencies.
    DependencyScan,
    /// Opens update pull requests for dependencies (Dependabot, Renovate): alerts on CVEs
    /// only through a repository setting the checkout cannot show.
    DependencyUpdates,
    /// Vulnerability scanning of a built container image.
    ContainerScan,
    /// Misconfiguration scanning of infrastructure-as-code.
    IacScan,
    /// Secret detection.
    SecretScan,
    /// A secret scanner limited to private-key headers (pre-commit's detect-private-key).
    PrivateKeyScan,
    /// Signs an artifact, image or attestation.
    Sign,
    /// Verifies a signature against a pinned key or identity.
    Verify,
    /// Verifies a signature but accepts any signer (wildcard identity or issuer).
    VerifyUnpinned,
    /// Generates an SBOM.
    Sbom,
    /// Evaluates infrastructure against the organisation's own policies.
    Policy,
    /// Runs a policy set's own unit tests (`conftest verify`): not an evaluation of
    /// infrastructure.
    PolicyTest,
    /// Builds a container image.
    ImageBuild,
    /// Pushes a container image to a registry.
    ImagePush,
    /// Deploys or applies infrastructure.
    Deploy,
    /// Publishes a release or package.
    Publish,
    /// Uploads SARIF to GitHub code scanning (creates a failing check on high alerts).
    SarifUpload,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Sast => "sast",
            Capability::DependencyScan => "dependency-scan",
            Capability::DependencyUpdates => "dependency-updates",
            Capability::ContainerScan => "container-scan",
            Capability::IacScan => "iac-scan",
            Capability::SecretScan => "secret-scan",
            Capability::PrivateKeyScan => "private-key-scan",
            Capability::Sign => "sign",
            Capability::Verify => "verify",
            Capability::VerifyUnpinned => "verify-unpinned",
            Capability::Sbom => "sbom",
            Capability::Policy => "policy",
            Capability::PolicyTest => "policy-test",
            Capability::ImageBuild => "image-build",
            Capability::ImagePush => "image-push",
            Capability::Deploy => "deploy",
            Capability::Publish => "publish",
            Capability::SarifUpload => "sarif-upload",
        }
    }

    /// A security scan: what D1 calls a gate.
    pub fn is_security_scan(self) -> bool {
        matches!(
            self,
            Capability::Sast
                | Capability::DependencyScan
                | Capability::ContainerScan
                | Capability::IacScan
                | Capability::SecretScan
        )
    }

    /// A step that ships something: the end of a deployment path.
    pub fn is_delivery(self) -> bool {
        matches!(self, Capability::ImagePush | Capability::Deploy | Capability::Publish)
    }
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
