"""playbooks/report.yml against the emulator: on a partly converged account (secrets + dynamodb only) the
report is written, names the table, shows the missing tiers as "absent", parses as Markdown with a
well-formed Mermaid flowchart, and the run sends read requests only and reports changed=0 (also in check
mode). Bad input stops before any AWS call.
"""

import json
import re

import pytest
from conftest import Playbook
from emulator_support import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
REPORT = "playbooks/report.yml"
# Query-protocol operations by name; REST-style services (S3, Lambda, API Gateway) are logged as "METHOD /path".
READ_OPERATION = re.compile(r"^(Describe|Get|List|BatchGet|Query|Scan|HeadBucket|HeadObject|GET |HEAD )")
RECAP_UNCHANGED = re.compile(r"localhost\s+:\s+ok=\d+\s+changed=0\s+unreachable=0\s+failed=0")
NODE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\(\[|\[\(|\{\{|\[|\(|\{)")
EDGE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(-->|-\.->|==>)(\|\"[^\"|]*\"\|)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
PAIRS = {"(": ")", "[": "]", "{": "}"}


@pytest.fixture(scope="module")
def partial_stack(stack_emulator):
    """The emulator holding only the secrets and DynamoDB tiers (no network: keeps the converge short)."""
    stack_emulator.reset()
    playbook = Playbook(stack_emulator)
    result = playbook.run("--tags", "secrets,dynamodb")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    return playbook


def requests_since(emulator, mark):
    path = emulator.state_dir / "requests.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()[mark:] if line.strip()]


def mermaid_block(markdown):
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", markdown, flags=re.S | re.M)
    assert len(blocks) == 1, markdown
    return blocks[0].splitlines()


def balanced(text):
    """Brackets outside quoted labels are balanced, and quotes are paired."""
    assert text.count('"') % 2 == 0, text
    stack = []
    for char in re.sub(r'"[^"]*"', "", text):
        if char in PAIRS:
            stack.append(PAIRS[char])
        elif char in PAIRS.values():
            assert stack and stack.pop() == char, text
    assert not stack, text


def check_mermaid(lines):
    """A flowchart whose every line is a node, an edge between defined nodes, or a class statement."""
    assert lines[0].strip() in ("flowchart LR", "flowchart TD"), lines[0]
    nodes, edges = set(), []
    for line in lines[1:]:
        if not line.strip():
            continue
        balanced(line)
        edge = EDGE.match(line)
        if edge:
            edges.append((edge.group(1), edge.group(4)))
            continue
        if line.strip().startswith("classDef "):
            continue
        if line.strip().startswith("class "):
            names, _style = line.strip()[len("class ") :].rsplit(" ", 1)
            assert set(names.split(",")) <= nodes, line
            continue
        node = NODE.match(line)
        assert node, f"not a node, edge or class line: {line!r}"
        nodes.add(node.group(1))
    assert edges, lines
    for source, target in edges:
        assert source in nodes and target in nodes, (source, target, nodes)
    return nodes, edges


def check_tables(markdown):
    """Every Markdown table has a separator row and the header's number of cells on each row."""
    table = []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            width = table[0].count("|")
            assert len(table) >= 2 and re.fullmatch(r"\|(---\|)+", table[1]), table
            assert all(row.count("|") == width for row in table), table
            table = []


def summary(markdown):
    rows = re.findall(r"^\| ([^|]+?) \| (present|absent) \|", markdown, flags=re.M)
    return dict(rows)


def run_report(partial_stack, tmp_path, *args):
    path = tmp_path / "report.md"
    mark = partial_stack.emulator.mark()
    result = partial_stack.run("-e", json.dumps({"report_path": str(path)}), *args, playbook=REPORT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return path, output, requests_since(partial_stack.emulator, mark)


@pytest.mark.parametrize("mode", [[], ["--check"]], ids=["run", "check"])
def test_report_on_a_partial_stack_reads_only_and_shows_absent_tiers(partial_stack, tmp_path, mode):
    path, output, requests = run_report(partial_stack, tmp_path, *mode)
    assert RECAP_UNCHANGED.search(output), output[-3000:]
    writes = sorted({f"{r['service']}:{r['operation']}" for r in requests if not READ_OPERATION.match(r["operation"])})
    assert writes == [], writes
    assert requests, "the report read nothing"

    markdown = path.read_text()
    check_tables(markdown)
    nodes, edges = check_mermaid(mermaid_block(markdown))
    assert {"client", "api", "alb", "tg_blue", "tg_green", "ddb", "aurora", "sns"} <= nodes
    assert ("ddb", "fn_fraud_detection") in edges

    assert f"transactions-{ENV}" in markdown
    state = summary(markdown)
    assert state["DynamoDB table"] == "present"
    assert state["Database secret"] == "present"
    for part in ("VPC", "NAT gateways", "Aurora cluster", "Lambda functions", "HTTP API", "ALB", "Alarms"):
        assert state[part] == "absent", (part, state)
    assert "| enabled | NEW_AND_OLD_IMAGES arn:" in markdown  # PITR and stream of the table
    assert "Live colour: blue (parameter absent: blue by default)" in markdown
    # The absent nodes of the flowchart are drawn as absent.
    class_line = next(line for line in mermaid_block(markdown) if line.strip().startswith("class "))
    assert "aurora" in class_line and "alb" in class_line and "ddb" not in class_line.split()[1].split(",")
    # The report is printed too.
    assert "# Payment stack report: local" in output


def test_report_path_defaults_under_build(partial_stack):
    mark = partial_stack.emulator.mark()
    default = ROOT / "build" / f"report-{ENV}.md"
    result = partial_stack.run("-e", json.dumps({"report_print": False}), playbook=REPORT)
    assert result.returncode == 0, result.stdout[-5000:]
    assert default.is_file()
    assert "```mermaid" in default.read_text()
    assert partial_stack.emulator.mark() > mark


def test_bad_report_path_fails_before_any_aws_call(partial_stack, tmp_path):
    mark = partial_stack.emulator.mark()
    result = partial_stack.run("-e", json.dumps({"report_path": str(tmp_path / "report.txt")}), playbook=REPORT)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "report_path" in output, output
    assert partial_stack.emulator.mark() == mark
