//! D2 — Artifacts are signed and signatures are verified.
//!
//! `yes` with both signing and a verification that pins a key or identity; `partial` with
//! one of them, or with a verification that accepts any signer; `no` with neither.

use super::{Context, Evidence, Item, ItemAnswer};
use crate::model::Location;
use crate::rules::Capability::{Sign, Verify, VerifyUnpinned};

const SOUGHT: &str = "signing (cosign, Sigstore, SLSA, attestations, GoReleaser signs, gpg, notation) and verification with a pinned key or identity";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let signs: Vec<_> = context.in_ci(Sign).into_iter().filter(|d| d.external.is_none()).collect();
    let verifies: Vec<_> =
        context.in_ci(Verify).into_iter().filter(|d| d.external.is_none()).collect();
    let mut sign_evidence: Vec<Evidence> = signs.iter().map(|d| Evidence::of(d, Sign)).collect();
    let mut verify_evidence: Vec<Evidence> =
        verifies.iter().map(|d| Evidence::of(d, Verify)).collect();
    verify_evidence.extend(context.facts.verify_image_policies.iter().map(|(path, line)| {
        Evidence {
            location: Location::new(path, *line, 1),
            tool: Some("Kyverno".to_string()),
            capability: Some(Verify),
            note: "Kyverno policy verifies image signatures at admission".to_string(),
        }
    }));

    if !sign_evidence.is_empty() && !verify_evidence.is_empty() {
        let mut evidence = sign_evidence;
        evidence.extend(verify_evidence);
        return ItemAnswer::yes(
            Item::D2,
            "artifacts are signed, and signatures are verified against a pinned key or identity",
            evidence,
        );
    }
    let unpinned: Vec<Evidence> =
        context.in_ci(VerifyUnpinned).iter().map(|d| Evidence::of(d, VerifyUnpinned)).collect();
    let config_signs: Vec<Evidence> =
        context.in_configs(Sign).iter().map(|d| Evidence::of(d, Sign)).collect();
    if !sign_evidence.is_empty() {
        let rationale = if unpinned.is_empty() {
            "artifacts are signed, but nothing verifies the signatures"
        } else {
            "artifacts are signed, but the only verification accepts any signer (wildcard identity or issuer), which proves no provenance"
        };
        sign_evidence.extend(unpinned);
        return ItemAnswer::partial(Item::D2, rationale, sign_evidence);
    }
    if !verify_evidence.is_empty() {
        return ItemAnswer::partial(
            Item::D2,
            "signatures are verified, but nothing here signs the artifacts it ships",
            verify_evidence,
        );
    }
    if !unpinned.is_empty() || !config_signs.is_empty() {
        let mut evidence = unpinned;
        evidence.extend(config_signs);
        return ItemAnswer::partial(
            Item::D2,
            "signing or verification is set up but not shown to run with a pinned identity",
            evidence,
        );
    }
    ItemAnswer::no(Item::D2, SOUGHT, "", Vec::new())
}
