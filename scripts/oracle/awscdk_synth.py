"""Compiles and synthesizes AWS CDK Python programs with the cdk-nag packs
applied, many programs in one process (starting the jsii runtime and
loading aws_cdk is the slow part). scripts/oracle/cdk.mjs runs it.

    python awscdk_synth.py JOBS.json OUT.json

JOBS.json is a list of {"program", "outdir", "context"}. Each program is
first byte-compiled (py_compile), then run as it is: it builds its App, its
stacks, and calls app.synth(). Every App it makes writes its cloud assembly
into the job's outdir, with the job's context, and gets the packs named by
$ORACLE_NAG_PACKS as aspects when it synthesizes, with reports (a CSV per
pack and stack in the outdir). OUT.json gets [{"compile_error", "error",
"seconds"}] in the order of the jobs.
"""

import json
import os
import py_compile
import runpy
import sys
import time
import traceback

import aws_cdk
import cdk_nag

PACKS = [getattr(cdk_nag, name) for name in os.environ["ORACLE_NAG_PACKS"].split(",")]

_job = {}
_original_init = aws_cdk.App.__init__
_original_synth = aws_cdk.App.synth
_checked = set()


def _init(self, *args, **kwargs):
    """The App of the current job synthesizes into its outdir."""
    kwargs["outdir"] = _job["outdir"]
    kwargs["context"] = {**(kwargs.get("context") or {}), **_job["context"]}
    _original_init(self, *args, **kwargs)


def _synth(self, *args, **kwargs):
    if id(self) not in _checked:
        _checked.add(id(self))
        for pack in PACKS:
            aws_cdk.Aspects.of(self).add(pack(verbose=False, reports=True))
    return _original_synth(self, *args, **kwargs)


aws_cdk.App.__init__ = _init
aws_cdk.App.synth = _synth


def run(job):
    _job.clear()
    _job.update(job)
    os.makedirs(job["outdir"], exist_ok=True)
    program = job["program"]
    try:
        py_compile.compile(program, cfile=os.path.join(job["outdir"], "program.pyc"), doraise=True)
    except py_compile.PyCompileError as e:
        return {"compile_error": str(e), "error": None}
    folder = os.path.dirname(program)
    sys.path.insert(0, folder)
    try:
        runpy.run_path(program, run_name="__main__")
    except BaseException:  # noqa: BLE001 - reported per program
        return {"compile_error": None, "error": traceback.format_exc()}
    finally:
        sys.path.remove(folder)
    if not os.path.exists(os.path.join(job["outdir"], "manifest.json")):
        return {"compile_error": None, "error": "the program wrote no cloud assembly (no app.synth() on an App)"}
    return {"compile_error": None, "error": None}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    results = []
    for job in jobs:
        started = time.monotonic()
        result = run(job)
        result["seconds"] = time.monotonic() - started
        results.append(result)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
