#!/usr/bin/env python3
"""Checks of the release files that no linter makes; scripts/check-release
runs them with the tools it installs (ruamel.yaml, docker's .dockerignore
matcher).

  versions               the version Cargo.toml says is the one action.yml
                         installs by default and the one the README, the
                         example workflow, the Dockerfile and the pre-commit
                         hooks pin; action.yml's targets are all built
  context PACKAGE_LIST   the container build's context (Dockerfile and
                         .dockerignore) holds the files `cargo package --list`
                         lists: the files the build needs, and no others
  scripts DIR            writes the bash script of each of action.yml's
                         steps to DIR (for shellcheck)
  action BINARY          runs action.yml's steps here, as a runner would,
                         against a release served from a folder: a stand-in
                         binary shows the arguments each input gives, a
                         damaged archive or checksum is refused, and BINARY
                         (a Linux build) runs on the examples

Each prints what it checked; any failure exits 1 with the reason.
"""

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def load_yaml(path):
    return YAML(typ="safe").load((ROOT / path).read_text())


def cargo_version():
    text = (ROOT / "Cargo.toml").read_text()
    match = re.search(r'^version = "([^"]+)"$', text, re.M)
    if not match:
        sys.exit("Cargo.toml has no version")
    return match.group(1)


def action_targets():
    """The release targets action.yml's install step can ask for."""
    action = load_yaml("action.yml")
    script = action["runs"]["steps"][0]["run"]
    return set(re.findall(r"target=([a-z0-9_]+-[a-z0-9_-]+)", script))


# --- versions ---------------------------------------------------------------

PINS = {
    # file: [(what, pattern whose group 1 is the version, must appear)]
    "README.md": [
        ("the Action", r"iacfix/iacfix@v([0-9][^\s`'\"]*)"),
        ("the container image", r"ghcr\.io/iacfix/iacfix:([0-9][^\s`'\"]*)"),
        ("cargo install --tag", r"--tag v([0-9][^\s`'\"]*)"),
        ("pre-commit", r"rev: v([0-9][^\s`'\"]*)"),
        ("the release download", r"(?m)^version=([0-9][^\s]*) target="),
    ],
    "examples/github-actions/iacfix-remediation.yml": [
        ("the Action", r"iacfix/iacfix@v([0-9][^\s`'\"]*)"),
    ],
    "Dockerfile": [
        ("the container image", r"ghcr\.io/iacfix/iacfix:([0-9][^\s`'\"]*)"),
    ],
    ".pre-commit-hooks.yaml": [
        ("pre-commit", r"rev: v([0-9][^\s`'\"]*)"),
    ],
}


def versions():
    version = cargo_version()
    action = load_yaml("action.yml")
    default = str(action["inputs"]["version"]["default"])
    check(
        default == version,
        f"action.yml installs {default} by default, Cargo.toml says {version}",
    )
    for path, pins in PINS.items():
        text = (ROOT / path).read_text()
        for what, pattern in pins:
            found = re.findall(pattern, text)
            check(found, f"{path} does not show {what} pinned to a version")
            for other in sorted(set(found) - {version}):
                fail(f"{path} pins {what} to {other}, Cargo.toml says {version}")

    release = load_yaml(".github/workflows/release.yml")
    built = {
        entry["target"]
        for entry in release["jobs"]["build"]["strategy"]["matrix"]["include"]
    }
    asked = action_targets()
    check(asked, "action.yml names no release target")
    for target in sorted(asked - built):
        fail(f"action.yml downloads {target}, which release.yml does not build")
    print(f"versions: {version} everywhere; action targets {sorted(asked)} all built")


# --- context ----------------------------------------------------------------


def context(package_list):
    from docker.utils.build import exclude_paths

    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    sent = {
        path
        for path in exclude_paths(str(ROOT), patterns)
        if (ROOT / path).is_file()
    } - {"Dockerfile", ".dockerignore"}
    packaged = {
        line.strip()
        for line in Path(package_list).read_text().splitlines()
        if line.strip()
    } - {".cargo_vcs_info.json", "Cargo.toml.orig"}
    for path in sorted(packaged - sent):
        fail(f"the crate has {path} but .dockerignore keeps it out of the image's build")
    for path in sorted(sent - packaged):
        fail(f".dockerignore sends {path} to the image's build, but the crate does not have it")
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                if source != ".":
                    check(
                        source in sent,
                        f"the Dockerfile copies {source}, which is not in the build context",
                    )
    print(f"context: the image's build context is the crate's {len(packaged)} files")


# --- action -----------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Runs the steps of a composite action with bash, the way a GitHub
    runner does, for the expressions action.yml uses."""

    def __init__(self, releases, workdir):
        self.action = load_yaml("action.yml")
        self.releases = releases
        self.workdir = workdir
        machine = platform.machine().lower()
        self.arch = {"x86_64": "X64", "amd64": "X64", "aarch64": "ARM64", "arm64": "ARM64"}[machine]

    def evaluate(self, expression, inputs, steps):
        expression = expression.strip()
        match = re.fullmatch(r"inputs\.([\w-]+)", expression)
        if match:
            return inputs[match.group(1)]
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if match:
            return steps.get(match.group(1), {}).get(match.group(2), "")
        if expression == "runner.os":
            return "Linux"
        if expression == "runner.arch":
            return self.arch
        match = re.fullmatch(r"inputs\.([\w-]+) (==|!=) '([^']*)'", expression)
        if match:
            equal = inputs[match.group(1)] == match.group(3)
            return equal if match.group(2) == "==" else not equal
        raise SystemExit(f"release-checks: action.yml uses an expression this runner does not know: {expression}")

    def substitute(self, text, inputs, steps):
        return EXPRESSION.sub(lambda m: str(self.evaluate(m.group(1), inputs, steps)), str(text))

    def run(self, given=None, extra_env=None):
        """Returns (exit status, the action's outputs, the output printed)."""
        given = given or {}
        spec = self.action["inputs"]
        unknown = set(given) - set(spec)
        assert not unknown, unknown
        inputs = {name: str(given.get(name, field.get("default", ""))) for name, field in spec.items()}
        temp = Path(tempfile.mkdtemp(dir=self.workdir))
        runner_temp = temp / "runner-temp"
        runner_temp.mkdir()
        path_file, output_file = temp / "path", temp / "output"
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(temp)),
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_PATH": str(path_file),
            "GITHUB_ACTIONS": "true",
            **(extra_env or {}),
        }
        steps, printed, status = {}, "", 0
        for step in self.action["runs"]["steps"]:
            condition = step.get("if")
            if condition is not None and not self.evaluate(EXPRESSION.sub(r"\1", str(condition)), inputs, steps):
                continue
            path_file.write_text("")
            output_file.write_text("")
            step_env = dict(env, GITHUB_OUTPUT=str(output_file))
            for name, value in (step.get("env") or {}).items():
                step_env[name] = self.substitute(value, inputs, steps)
            if "RELEASES" in step_env:
                step_env["RELEASES"] = self.releases.as_uri()
            assert step.get("shell") == "bash", step
            script = temp / "step.sh"
            script.write_text(step["run"])
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=ROOT,
                env=step_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            printed += done.stdout
            outputs = {}
            for line in output_file.read_text().splitlines():
                name, _, value = line.partition("=")
                outputs[name] = value
            steps[step.get("id", "")] = outputs
            added = [line for line in path_file.read_text().splitlines() if line]
            env["PATH"] = os.pathsep.join(reversed(added)) + (os.pathsep if added else "") + env["PATH"]
            if done.returncode != 0:
                status = done.returncode
                break
        outputs = {
            name: self.substitute(field["value"], inputs, steps)
            for name, field in self.action["outputs"].items()
        }
        return status, outputs, printed, env["PATH"]


STUB = """#!/bin/sh
# A stand-in iacfix: records its arguments, one per line.
if [ "$1" = --version ]; then echo "iacfix (stand-in)"; exit 0; fi
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$STUB_LOG"
exit "${STUB_EXIT:-0}"
"""


def publish(binary, releases, version, target):
    """The release folder the action downloads from, built with the
    script the release workflow packs its archives with."""
    folder = releases / f"v{version}"
    folder.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [str(ROOT / "scripts/package-release"), target, str(binary), str(folder)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return Path(out.stdout.strip())


def action(binary):
    version = cargo_version()
    action_spec = load_yaml("action.yml")

    # No input reaches a shell unquoted: every `run:` reads them from env.
    for index, step in enumerate(action_spec["runs"]["steps"]):
        check(
            not EXPRESSION.search(step.get("run", "")),
            f"action.yml step {index + 1} puts an expression into its script; pass it through env:",
        )
    used = set()
    for step in action_spec["runs"]["steps"]:
        for text in [*(step.get("env") or {}).values(), step.get("if", "")]:
            used.update(re.findall(r"inputs\.([\w-]+)", str(text)))
    for name in sorted(set(action_spec["inputs"]) - used):
        fail(f"action.yml never uses its input {name}")
    for name in sorted(used - set(action_spec["inputs"])):
        fail(f"action.yml uses an input it does not declare: {name}")

    work = Path(tempfile.mkdtemp(prefix="iacfix-action-"))
    try:
        releases = work / "releases"
        runner = Runner(releases, work)
        target = {"X64": "x86_64-unknown-linux-musl", "ARM64": "aarch64-unknown-linux-musl"}[runner.arch]
        check(target in action_targets(), f"action.yml has no release for Linux {runner.arch}")

        # The stand-in: what each input turns into.
        stub = work / "stub" / "iacfix"
        stub.parent.mkdir()
        stub.write_text(STUB)
        stub.chmod(0o755)
        archive = publish(stub, releases, version, target)
        log = work / "args"

        def args_of(given, exit_code=0, expect_status=None):
            if log.exists():
                log.unlink()
            status, outputs, printed, _ = runner.run(
                given, {"STUB_LOG": str(log), "STUB_EXIT": str(exit_code)}
            )
            expected = exit_code if expect_status is None else expect_status
            check(status == expected, f"inputs {given}: the action exited {status}, expected {expected}:\n{printed}")
            return (log.read_text().splitlines() if log.exists() else None), outputs, printed

        args, outputs, printed = args_of({})
        check(args == ["--", "."], f"mode check by default: {args}")
        check(outputs == {"exit-code": "0"}, f"exit-code output: {outputs}")
        check("(verified)" in printed, f"the checksum is not reported as verified:\n{printed}")

        args, outputs, _ = args_of(
            {
                "mode": "fix",
                "format": "github",
                "unsafe-fixes": "true",
                "min-severity": "medium",
                "args": "--select EC2,S3  --exit-zero",
                "paths": "infra\nlib\n",
            }
        )
        check(
            args == ["--write", "--format", "github", "--unsafe-fixes", "--min-severity", "medium",
                     "--select", "EC2,S3", "--exit-zero", "--", "infra", "lib"],
            f"mode fix with every input: {args}",
        )
        args, outputs, _ = args_of({"mode": "diff", "version": f"v{version}"}, exit_code=1)
        check(args == ["--dry-run", "--", "."], f"mode diff: {args}")
        check(outputs == {"exit-code": "1"}, f"exit-code output when iacfix exits 1: {outputs}")
        args, outputs, _ = args_of({}, exit_code=2)
        check(outputs == {"exit-code": "2"}, f"exit-code output when iacfix exits 2: {outputs}")

        # Inputs are data: no command substitution, no globbing.
        hostile = "$(touch PWNED) `touch PWNED2` ;touch PWNED3 *"
        args, _, _ = args_of({"args": hostile, "paths": "a;b"})
        check(args == hostile.split() + ["--", "a;b"], f"hostile args: {args}")
        for name in ["PWNED", "PWNED2", "PWNED3"]:
            check(not (ROOT / name).exists(), f"an input ran a command ({name} created)")

        status, outputs, printed, path = runner.run({"mode": "install"})
        check(status == 0, f"mode install failed:\n{printed}")
        check(outputs == {"exit-code": ""}, f"mode install ran iacfix: {outputs}")
        on_path = shutil.which("iacfix", path=path)
        check(on_path is not None and Path(on_path).read_text() == STUB, "mode install puts no iacfix on PATH")

        for given, status_expected, message in [
            ({"mode": "lint"}, 2, "mode must be check, fix, diff or install"),
            ({"unsafe-fixes": "yes"}, 2, "unsafe-fixes must be true or false"),
            ({"version": "latest"}, 1, "version must be a release such as 0.1.0"),
            ({"version": "0.1.0; touch PWNED"}, 1, "version must be a release"),
            # No such release: curl fails.
            ({"version": "99.0.0"}, None, ""),
        ]:
            if log.exists():
                log.unlink()
            status, _, printed, _ = runner.run(given, {"STUB_LOG": str(log)})
            check(not log.exists(), f"inputs {given}: iacfix ran")
            if status_expected is None:
                status_expected = status or "non-zero"
            check(status == status_expected and message in printed,
                  f"inputs {given}: exit {status} (expected {status_expected}, saying {message!r}):\n{printed}")

        # A damaged archive, or a checksum that is not one, is refused.
        good = archive.read_bytes()
        archive.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
        status, _, printed, _ = runner.run({}, {"STUB_LOG": str(log)})
        check(status == 1 and "does not match the release's checksum" in printed,
              f"a damaged archive was not refused (exit {status}):\n{printed}")
        archive.write_bytes(good)
        checksum = Path(f"{archive}.sha256")
        right = checksum.read_text()
        checksum.write_text("\n")
        status, _, printed, _ = runner.run({}, {"STUB_LOG": str(log)})
        check(status == 1 and "does not match the release's checksum" in printed,
              f"an empty checksum file was not refused (exit {status}):\n{printed}")
        checksum.write_text(right)

        # The real binary, on the examples (check and diff modes write nothing).
        examples = {p: p.read_bytes() for p in (ROOT / "examples").rglob("*") if p.is_file()}
        publish(Path(binary), releases, version, target)
        status, outputs, printed, _ = runner.run({"paths": "examples/pulumi-ts examples/cdktf-py"})
        check(status == 1 and outputs == {"exit-code": "1"} and "EC2001" in printed,
              f"the released binary in check mode: exit {status}, {outputs}:\n{printed}")
        status, outputs, printed, _ = runner.run({"mode": "diff", "paths": "examples/pulumi-ts"})
        check(status == 1 and "--- a/examples/pulumi-ts/index.ts" in printed,
              f"the released binary in diff mode: exit {status}:\n{printed}")
        check(examples == {p: p.read_bytes() for p in (ROOT / "examples").rglob("*") if p.is_file()},
              "check or diff mode changed the examples")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("action: inputs, outputs, checksums and the released binary behave as documented")


def scripts(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for index, step in enumerate(load_yaml("action.yml")["runs"]["steps"]):
        check(step.get("shell") == "bash", f"action.yml step {index + 1} does not run with bash")
        (folder / f"action-step-{index + 1}.sh").write_text("#!/usr/bin/env bash\n" + step["run"])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command, args = sys.argv[1], sys.argv[2:]
    {"versions": versions, "context": context, "scripts": scripts, "action": action}[command](*args)
    if FAILURES:
        print(f"release-checks {command}: {len(FAILURES)} failure(s)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
