#!/usr/bin/env python3
"""Writes a synthetic monorepo for benches/monorepo.sh, the same bytes every time.

Usage: gen_monorepo.py DIR --files N --workflows W

The tree looks like a platform team's monorepo: GitHub workflows with scanners, builds and
pushes (some calling local actions and reusable workflows), a root .gitlab-ci.yml with local
includes, Makefiles and Dockerfiles per service, Terraform modules, Kubernetes manifests and
a Kyverno policy, committed SARIF and SBOM files, deep source folders, JSON/YAML data files
(a few of them megabytes large), test fixtures and an installed node_modules folder with
many package.json files (ignored by .gitignore, as a real checkout would have it).

Every choice comes from a fixed-seed generator of our own (no `random`), so a tree depends
only on its arguments, never on the Python version.
"""

import argparse
import os
import sys


class Lcg:
    """A 64-bit linear congruential generator: deterministic everywhere."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        return self.state >> 33

    def below(self, n):
        return self.next() % n

    def pick(self, items):
        return items[self.below(len(items))]

    def chance(self, percent):
        return self.below(100) < percent


WORDS = (
    "account billing cache catalog checkout config customer delivery event gateway identity "
    "inventory ledger media notify order payment pricing profile queue ranking report search "
    "session shipping storage stream tenant token upload user wallet audit metrics router"
).split()

LANGS = [
    ("go", "package {pkg}\n\nimport \"fmt\"\n\n// {Name} handles {word}.\nfunc {Name}(n int) "
           "int {{\n\tfmt.Println(\"{word}\", n)\n\treturn n * {k}\n}}\n"),
    ("ts", "import {{ {name} }} from './{word}';\n\nexport function {name}{k}(x: number): "
           "number {{\n  // {word} step\n  return {name}(x) + {k};\n}}\n"),
    ("py", "\"\"\"{Name} for {word}.\"\"\"\n\n\ndef {name}_{k}(value):\n    return value * {k}"
           "\n\n\nclass {Name}:\n    limit = {k}\n"),
    ("java", "package com.example.{pkg};\n\npublic final class {Name}{k} {{\n    public int "
             "run(int x) {{ return x + {k}; }}\n}}\n"),
    ("rs", "//! {Name} for {word}.\n\npub fn {name}_{k}(x: u64) -> u64 {{\n    x.wrapping_mul"
           "({k})\n}}\n"),
]


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def filler(rng, lines):
    """Comment-ish padding so files have realistic sizes."""
    return "".join(
        "# %s %s %s %d\n" % (rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS), rng.below(10**6))
        for _ in range(lines)
    )


def workflow(rng, i, n_actions, n_reusable):
    svc = "svc-%03d" % (i % 97)
    triggers = rng.pick([
        "on:\n  pull_request:\n  push:\n    branches: [main]\n",
        "on:\n  push:\n    branches: [main, 'release/**']\n    tags: ['v*']\n",
        "on: [pull_request, workflow_dispatch]\n",
        "on:\n  schedule:\n    - cron: '17 3 * * 1'\n  workflow_dispatch:\n",
        "on:\n  pull_request:\n    paths: ['services/%s/**']\n" % svc,
    ])
    steps = ["      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"]
    setup = rng.pick([
        "      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n"
        "      - run: npm ci && npm test\n",
        "      - uses: actions/setup-go@v5\n        with:\n          go-version: '1.22'\n"
        "      - run: |\n          go vet ./...\n          go test -race ./services/%s/...\n" % svc,
        "      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n"
        "      - run: pip install -r requirements.txt\n      - run: pytest -q\n",
        "      - name: Build\n        run: make -C services/%s build\n" % svc,
    ])
    steps.append(setup)
    scanners = [
        "      - uses: github/codeql-action/init@v3\n        with:\n          languages: go\n"
        "      - uses: github/codeql-action/analyze@v3\n",
        "      - name: Semgrep\n        run: semgrep scan --config auto --error --sarif "
        "--output semgrep.sarif\n",
        "      - uses: gitleaks/gitleaks-action@v2\n        env:\n"
        "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
        "      - name: Trivy filesystem scan\n        uses: aquasecurity/trivy-action@0.24.0\n"
        "        with:\n          scan-type: fs\n          severity: CRITICAL,HIGH\n"
        "          exit-code: '1'\n",
        "      - name: Checkov\n        uses: bridgecrewio/checkov-action@v12\n        with:\n"
        "          directory: infra/terraform\n          soft_fail: %s\n"
        % rng.pick(["true", "false"]),
        "      - run: npm audit --audit-level=high\n        continue-on-error: true\n",
        "      - uses: ./.github/actions/scan-%02d\n" % rng.below(max(n_actions, 1)),
    ]
    for _ in range(1 + rng.below(3)):
        steps.append(rng.pick(scanners))
    if rng.chance(40):
        steps.append(
            "      - uses: docker/setup-buildx-action@v3\n"
            "      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n"
            "          username: ${{ github.actor }}\n"
            "          password: ${{ secrets.GITHUB_TOKEN }}\n"
            "      - uses: docker/build-push-action@v6\n        with:\n"
            "          context: services/%s\n          push: ${{ github.event_name != "
            "'pull_request' }}\n          tags: ghcr.io/example/%s:${{ github.sha }}\n"
            % (svc, svc)
        )
        if rng.chance(50):
            steps.append(
                "      - uses: aquasecurity/trivy-action@0.24.0\n        with:\n"
                "          image-ref: ghcr.io/example/%s:${{ github.sha }}\n"
                "          exit-code: '1'\n" % svc
            )
        if rng.chance(30):
            steps.append(
                "      - uses: sigstore/cosign-installer@v3\n"
                "      - run: cosign sign --yes ghcr.io/example/%s@${{ steps.build.outputs."
                "digest }}\n" % svc
            )
        if rng.chance(30):
            steps.append(
                "      - uses: anchore/sbom-action@v0\n        with:\n"
                "          image: ghcr.io/example/%s:${{ github.sha }}\n"
                "          format: cyclonedx-json\n" % svc
            )
    steps.append(
        "      - uses: actions/upload-artifact@v4\n        if: always()\n        with:\n"
        "          name: reports-%d\n          path: reports/\n" % i
    )
    jobs = (
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n"
        "      security-events: write\n    steps:\n" + "".join(steps)
    )
    if n_reusable and rng.chance(25):
        jobs += (
            "  shared:\n    needs: build\n    uses: ./.github/workflows/reusable-%02d.yml\n"
            "    with:\n      service: %s\n    secrets: inherit\n"
            % (rng.below(n_reusable), svc)
        )
    if rng.chance(30):
        jobs += (
            "  deploy:\n    needs: build\n    if: github.ref == 'refs/heads/main'\n"
            "    runs-on: ubuntu-latest\n    environment: production\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - run: |\n"
            "          terraform -chdir=infra/terraform init\n"
            "          terraform -chdir=infra/terraform apply -auto-approve\n"
        )
    return "name: %s %d\n%s\n%s" % (svc, i, triggers, jobs)


def generate(root, files, workflows):
    rng = Lcg(0xC1_9_0_0F + files * 31 + workflows)
    count = 0

    def put(rel, text):
        nonlocal count
        write(root, rel, text)
        count += 1

    put(".gitignore", "node_modules/\n*.log\n")
    put("README.md", "# Example monorepo\n\nGenerated for ciproof's benchmark.\n")

    # GitHub: local composite actions, reusable workflows, then the workflows.
    n_actions = max(1, workflows // 30)
    n_reusable = max(1, workflows // 50)
    for a in range(n_actions):
        put(
            ".github/actions/scan-%02d/action.yml" % a,
            "name: scan %d\nruns:\n  using: composite\n  steps:\n"
            "    - run: trivy fs --exit-code 1 --severity CRITICAL .\n      shell: bash\n"
            "    - run: gitleaks detect --redact\n      shell: bash\n" % a,
        )
    for r in range(n_reusable):
        put(
            ".github/workflows/reusable-%02d.yml" % r,
            "on:\n  workflow_call:\n    inputs:\n      service:\n        type: string\n"
            "jobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - run: trivy config --exit-code 1 infra/\n",
        )
    for w in range(workflows - n_reusable):
        put(".github/workflows/ci-%03d.yml" % w, workflow(rng, w, n_actions, n_reusable))
    put(".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n"
        "    schedule:\n      interval: weekly\n")
    put(".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.18.0\n"
        "    hooks:\n      - id: gitleaks\n")

    # GitLab: a root pipeline with local includes.
    n_templates = 8
    includes = "".join("  - local: ci/templates/stage-%d.yml\n" % t for t in range(n_templates))
    put(".gitlab-ci.yml",
        "include:\n%s  - template: Security/SAST.gitlab-ci.yml\n"
        "stages: [build, test, scan, deploy]\nvariables:\n  DOCKER_DRIVER: overlay2\n"
        "build:\n  stage: build\n  script:\n    - make build\n" % includes)
    for t in range(n_templates):
        put("ci/templates/stage-%d.yml" % t,
            ".scan-%d:\n  stage: scan\n  image: aquasec/trivy:latest\n  script:\n"
            "    - trivy image --exit-code 1 $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA\n"
            "  rules:\n    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\n" % t)

    # Committed tool outputs.
    for s in range(6):
        put("reports/scan-%d.sarif" % s,
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "%s"}}, '
            '"results": []}]}\n' % ["Semgrep OSS", "Trivy", "CodeQL"][s % 3])
    put("sbom/platform.cdx.json",
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [%s]}\n'
        % ", ".join('{"name": "lib-%d", "version": "1.%d.0"}' % (c, c) for c in range(400)))

    # Infrastructure: Terraform modules, Kubernetes manifests, one policy.
    for m in range(max(4, files // 2500)):
        name = "mod-%s-%d" % (rng.pick(WORDS), m)
        for part, body in [
            ("main.tf", 'resource "aws_s3_bucket" "b%d" {\n  bucket = "example-%d"\n}\n'),
            ("variables.tf", 'variable "name%d" {\n  type = string\n  default = "%d"\n}\n'),
            ("outputs.tf", 'output "id%d" {\n  value = "%d"\n}\n'),
        ]:
            put("infra/terraform/modules/%s/%s" % (name, part), body % (m, m))
    n_services = max(10, files // 1000)
    for s in range(n_services):
        svc = "svc-%03d" % s
        for env in ("staging", "production"):
            put("infra/k8s/%s/%s/deployment.yaml" % (env, svc),
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n"
                "  replicas: 2\n  template:\n    spec:\n      containers:\n"
                "        - name: app\n          image: ghcr.io/example/%s:1.0.%d\n"
                % (svc, svc, s))
    put("infra/policies/verify-images.yaml",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: verify\n"
        "spec:\n  rules:\n    - name: check\n      verifyImages:\n"
        "        - imageReferences: ['ghcr.io/example/*']\n")

    # Services: Dockerfile, Makefile, config data, deep source folders, tests.
    budget_node = files // 4
    budget_big = 12
    remaining = files - count - budget_node - budget_big
    per_service = max(1, remaining // n_services)
    for s in range(n_services):
        if count >= files - budget_node - budget_big:
            break
        svc = "services/svc-%03d" % s
        put(svc + "/Dockerfile",
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN make build\n"
            "FROM gcr.io/distroless/static\nCOPY --from=build /src/bin/app /app\n"
            "ENTRYPOINT [\"/app\"]\n")
        put(svc + "/Makefile",
            ".PHONY: build test scan\nbuild:\n\tgo build -o bin/app ./cmd/app\n"
            "test:\n\tgo test ./...\nscan:\n\ttrivy fs --exit-code 1 .\n"
            "\tsemgrep scan --config auto\n")
        # A folder tree of its own, about ten files a folder, up to eight levels deep.
        folders = [rng.pick(WORDS)]
        while len(folders) < max(1, per_service // 10):
            parent = rng.pick(folders)
            if parent.count("/") < 7:
                folders.append("%s/%s-%d" % (parent, rng.pick(WORDS), len(folders)))
        made = 2
        while made < per_service and count < files - budget_node - budget_big:
            roll = rng.below(100)
            folder = rng.pick(folders)
            word = rng.pick(WORDS)
            k = rng.below(1000)
            if roll < 60:
                ext, template = rng.pick(LANGS)
                text = template.format(pkg=word, Name=word.title(), name=word, word=word, k=k)
                put("%s/src/%s/%s_%d.%s" % (svc, folder, word, made, ext),
                    text + filler(rng, 10 + rng.below(60)))
            elif roll < 70:
                put("%s/config/%s/%s-%d.json" % (svc, folder, word, made),
                    '{\n  "name": "%s",\n  "limits": {"rps": %d, "burst": %d},\n'
                    '  "features": [%s]\n}\n'
                    % (word, k, k * 2, ", ".join('"%s"' % rng.pick(WORDS) for _ in range(20))))
            elif roll < 78:
                put("%s/config/%s/%s-%d.yaml" % (svc, folder, word, made),
                    "name: %s\nreplicas: %d\nfeatures:\n%s"
                    % (word, k % 7, "".join("  - %s\n" % rng.pick(WORDS) for _ in range(30))))
            elif roll < 86:
                put("%s/tests/fixtures/%s/case-%d.json" % (svc, folder, made),
                    '{"input": %d, "expected": "%s"}\n' % (k, word))
            elif roll < 92:
                put("%s/docs/%s/%s-%d.md" % (svc, folder, word, made),
                    "# %s\n\n%s" % (word.title(), filler(rng, 20 + rng.below(40))))
            else:
                put("%s/scripts/%s-%d.sh" % (svc, word, made),
                    "#!/bin/sh\nset -eu\necho %s %d\n" % (word, k))
            made += 1

    # A few large data files (exported datasets, lockfiles), one over the 4 MiB sniff cap.
    for b in range(budget_big):
        size = (5 << 20) if b == 0 else (1 << 20) + b * (150 << 10)
        row = '{"id": %d, "word": "%s", "score": %d},\n'
        rows, total = [], 0
        while total < size:
            line = row % (len(rows), rng.pick(WORDS), rng.below(10**6))
            rows.append(line)
            total += len(line)
        put("data/exports/export-%02d.json" % b, "[\n" + "".join(rows) + '{"id": -1}\n]\n')

    # node_modules: many packages, each with package.json, code and a nested dependency.
    p = 0
    while count < files:
        pkg = "%s-%s-%d" % (rng.pick(WORDS), rng.pick(WORDS), p)
        base = "node_modules/%s" % pkg
        put(base + "/package.json",
            '{\n  "name": "%s",\n  "version": "1.%d.%d",\n  "main": "index.js",\n'
            '  "scripts": {"test": "node test.js"}\n}\n' % (pkg, p % 40, p % 9))
        for j in range(min(6, files - count)):
            put("%s/lib/%s-%d.js" % (base, rng.pick(WORDS), j),
                "module.exports = function (x) { return x + %d; };\n%s"
                % (j, filler(rng, 5 + rng.below(30)).replace("#", "//")))
        if count < files:
            put(base + "/node_modules/dep-%d/package.json" % p,
                '{"name": "dep-%d", "version": "0.0.%d"}\n' % (p, p))
        p += 1
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--workflows", type=int, default=300)
    args = parser.parse_args()
    if os.path.exists(args.dir) and os.listdir(args.dir):
        sys.exit("gen_monorepo: %s is not empty" % args.dir)
    made = generate(args.dir, args.files, args.workflows)
    print("gen_monorepo: %d files, %d workflows in %s" % (made, args.workflows, args.dir))


if __name__ == "__main__":
    main()
