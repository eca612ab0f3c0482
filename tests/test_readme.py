"""README.md's shell commands run as written.

Every command of the README's shell blocks (```bash, ```sh, ```shell, ```console) runs, in
order, in a temporary folder that holds the repository files the block names, and must exit
with status 0. ``tsrm ...`` runs in this process through ``tsrm.cli.main`` (the ``tsrm``
script's entry point, checked below; one process saves the seconds torch and Lightning take to
import per command); ``python ...`` runs in a subprocess with this interpreter. A block is
left out only where ``NOT_RUN`` says why, and every entry there must still match a block. A
slow command is made smaller in the README, not here.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tsrm.cli import main

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: Blocks not run: a pattern found in the block's text -> why.
NOT_RUN = {
    r"python3 -m venv \.venv": "the setup commands: they make the virtual environment and install "
    "tsrm (this test runs inside one) and run the whole test suite",
    r"--preset cpu-mlp --max-steps 600": "the Puzzles section's CPU run trains for minutes; "
    "tests/puzzles/test_puzzle_cli.py runs build, train, evaluate and solve on tiny settings",
    r"--preset sudoku-mlp --max-steps 65000": "the paper-scale runs: GPU-days, on data from "
    "../shared/data",
}
TSRM = ("tsrm", ".venv/bin/tsrm")
PYTHON = ("python", "python3", ".venv/bin/python")


def shell_blocks(text: str) -> list[str]:
    """The text of every fenced shell block of a Markdown document."""
    fence = r"^```(?:bash|sh|shell|console)[ \t]*\n(.*?)^```"
    return re.findall(fence, text, flags=re.MULTILINE | re.DOTALL)


def commands(block: str) -> list[str]:
    """A block's commands: one per line, continuation lines joined, prompts and comment
    lines dropped."""
    joined = re.sub(r"\\\n", " ", block)
    lines = (line.strip().removeprefix("$ ") for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def words(command: str) -> list[str]:
    """``command`` split as a shell splits it (quotes, ``#`` comments); shell syntax
    (pipes, redirections, ``&&``) fails: these commands run without a shell."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    split = list(lexer)
    operators = [w for w in split if set(w) <= set("();<>|&")]
    assert not operators, (
        f"README command {command!r} uses shell syntax {operators}; write it as one command "
        "(e.g. -o FILE rather than > FILE) or teach tests/test_readme.py to run it"
    )
    return split


BLOCKS = shell_blocks(README.read_text(encoding="utf-8"))
RUN = [block for block in BLOCKS if not any(re.search(p, block) for p in NOT_RUN)]


def block_id(block: str) -> str:
    """A block's test id: the start of its first command."""
    return " ".join(commands(block)[0].split()[:3])


def copy_named_files(command: str, into: Path) -> None:
    """Copy the repository files and folders ``command`` names into ``into``; a name under
    one of the repository's top-level folders (``examples/...``) must exist."""
    top = {p.name for p in REPO.iterdir() if not p.name.startswith(".")}
    for word in words(command):
        path = Path(word)
        if word.startswith("-") or path.is_absolute() or path.parts[0] not in top:
            continue  # an option, a value, or a file an earlier command writes
        source = REPO / path
        assert source.exists(), (
            f"README command {command!r} names {word}, which is not in the repository"
        )
        (into / path).parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, into / path, dirs_exist_ok=True)
        else:
            shutil.copy2(source, into / path)


def run(command: str, cwd: Path, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """Run one README command in ``cwd``; its exit status and standard error."""
    argv = words(command)
    if argv[0] in TSRM:
        capsys.readouterr()
        try:
            status = main(argv[1:])
        except SystemExit as exit_:  # argparse: a usage error, or --help
            status = exit_.code if isinstance(exit_.code, int) else 1
        return status, capsys.readouterr().err
    if argv[0] in PYTHON:
        done = subprocess.run(
            [sys.executable, *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=300
        )
        return done.returncode, done.stderr
    pytest.fail(f"tests/test_readme.py does not know how to run README command {command!r}")


def test_the_tsrm_command_is_what_this_test_calls():
    """The commands run in-process through ``tsrm.cli.main``: the installed ``tsrm`` script
    must be that function."""
    (script,) = entry_points(group="console_scripts", name="tsrm")
    assert script.value == "tsrm.cli:main"


def test_every_block_left_out_says_why():
    for pattern, why in NOT_RUN.items():
        matching = [block for block in BLOCKS if re.search(pattern, block)]
        assert len(matching) == 1, (
            f"NOT_RUN entry {pattern!r} ({why}) matches {len(matching)} README blocks, not 1; "
            "update it to the README"
        )
    assert RUN, "README.md has no shell block left to run"


@pytest.mark.slow
@pytest.mark.parametrize("block", RUN, ids=[block_id(block) for block in RUN])
def test_readme_commands_run_as_written(block, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for command in commands(block):
        copy_named_files(command, tmp_path)
        status, err = run(command, tmp_path, capsys)
        assert status == 0, f"README command failed with status {status}: {command}\n{err}"
