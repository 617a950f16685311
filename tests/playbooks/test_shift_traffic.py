"""playbooks/shift_traffic.yml against the emulator: a blue/green release step by step with its gates,
rollback on a failed gate, check mode, promote and rollback modes, and input validation.

One converge of the ALB tier (network + alb_bluegreen) per module; each test sets the starting point it
needs (listener weights, live colour, alarm states, registered targets) with boto3 and reads the outcome
from the emulator. The listener weights between steps are read by a test callback
(callback_plugins/shift_observer.py) right after each weight change, before the next task runs.

moto reports every registered IP target as healthy (it runs no health checks), so the healthy-target gate
is driven by registering and deregistering targets; CloudWatch alarms keep the state they are given
(moto does not evaluate them), so the alarm gate is driven with SetAlarmState.
"""

import json
import re
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from conftest import Playbook
from emulator_support import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

HERE = Path(__file__).resolve().parent
ENV = "local"
BLUE, GREEN = f"payment-blue-{ENV}", f"payment-green-{ENV}"
ALB = f"payment-alb-{ENV}"
LIVE_PARAMETER = f"/payment-processing/{ENV}/release/live_colour"
TARGETS = {"blue": ["10.0.8.11", "10.0.9.11"], "green": ["10.0.8.21", "10.0.9.21"]}
READ_OPERATION = re.compile(r"^(Describe|Get|List)")


def gate_alarms(colour):
    return [
        f"payment-{ENV}-alb-{colour}-target-5xx",
        f"payment-{ENV}-alb-{colour}-unhealthy-hosts",
        f"payment-{ENV}-api-p99-latency",
    ]


ALL_ALARMS = sorted(set(gate_alarms("blue") + gate_alarms("green")))


class Stack:
    """The converged ALB tier in the module's emulator, and boto3 clients on it."""

    def __init__(self, emulator, converge_seconds):
        self.emulator = emulator
        self.playbook = Playbook(emulator)
        self.converge_seconds = converge_seconds
        args = {
            "region_name": "us-east-1",
            "endpoint_url": emulator.endpoint,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        self.elbv2 = boto3.client("elbv2", **args)
        self.cloudwatch = boto3.client("cloudwatch", **args)
        self.ssm = boto3.client("ssm", **args)
        balancer = self.elbv2.describe_load_balancers(Names=[ALB])["LoadBalancers"][0]
        listeners = self.elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        self.listener_arn = next(listener["ListenerArn"] for listener in listeners if listener["Port"] == 443)
        groups = self.elbv2.describe_target_groups(Names=[BLUE, GREEN])["TargetGroups"]
        self.tg_arn = {
            "blue" if group["TargetGroupName"] == BLUE else "green": group["TargetGroupArn"] for group in groups
        }

    # What the emulator holds

    def weights(self):
        listener = self.elbv2.describe_listeners(ListenerArns=[self.listener_arn])["Listeners"][0]
        forward = next(action for action in listener["DefaultActions"] if action["Type"] == "forward")
        names = {arn: name for name, arn in ((BLUE, self.tg_arn["blue"]), (GREEN, self.tg_arn["green"]))}
        return {names[group["TargetGroupArn"]]: group["Weight"] for group in forward["ForwardConfig"]["TargetGroups"]}

    def live_colour(self):
        try:
            return self.ssm.get_parameter(Name=LIVE_PARAMETER)["Parameter"]["Value"]
        except self.ssm.exceptions.ParameterNotFound:
            return None

    def requests_since(self, mark):
        path = self.emulator.state_dir / "requests.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()[mark:] if line.strip()]

    # Starting points (set directly, not through the code under test)

    def set_weights(self, blue, green):
        self.elbv2.modify_listener(
            ListenerArn=self.listener_arn,
            DefaultActions=[
                {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": self.tg_arn["blue"], "Weight": blue},
                            {"TargetGroupArn": self.tg_arn["green"], "Weight": green},
                        ],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    },
                }
            ],
        )
        assert self.weights() == {BLUE: blue, GREEN: green}

    def set_live_colour(self, colour):
        if colour is None:
            try:
                self.ssm.delete_parameter(Name=LIVE_PARAMETER)
            except self.ssm.exceptions.ParameterNotFound:
                pass
        else:
            self.ssm.put_parameter(Name=LIVE_PARAMETER, Value=colour, Type="String", Overwrite=True)

    def put_alarms(self):
        """The release gate alarms, as the monitoring role names them, in state OK."""
        for name in ALL_ALARMS:
            self.cloudwatch.put_metric_alarm(
                AlarmName=name,
                Namespace="AWS/ApplicationELB",
                MetricName="HTTPCode_Target_5XX_Count",
                Statistic="Sum",
                Period=60,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanOrEqualToThreshold",
            )
            self.cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test start")

    def register_targets(self, colour):
        self.elbv2.register_targets(
            TargetGroupArn=self.tg_arn[colour], Targets=[{"Id": ip, "Port": 8080} for ip in TARGETS[colour]]
        )

    def deregister_targets(self, colour):
        self.elbv2.deregister_targets(
            TargetGroupArn=self.tg_arn[colour], Targets=[{"Id": ip, "Port": 8080} for ip in TARGETS[colour]]
        )

    def start(self, blue, green, live=None):
        """Blue/green weights, live colour, every gate alarm OK, targets in both groups."""
        self.set_weights(blue, green)
        self.set_live_colour(live)
        self.put_alarms()
        self.register_targets("blue")
        self.register_targets("green")

    # Runs

    def shift(self, extra_vars=None, *args, observe=None, alarm_at=None, playbook="playbooks/shift_traffic.yml"):
        """ansible-playbook shift_traffic.yml with bake 0; observe: a file the callback logs weights to."""
        env = dict(self.playbook.env)
        if observe is not None:
            env["ANSIBLE_CALLBACK_PLUGINS"] = str(HERE / "callback_plugins")
            env["ANSIBLE_CALLBACKS_ENABLED"] = "ansible.posix.profile_tasks,shift_observer"
            env["SHIFT_OBSERVER_LOG"] = str(observe)
            if alarm_at:
                env["SHIFT_OBSERVER_ALARM_AT"] = alarm_at
        variables = {"traffic_shift_bake_seconds": 0, **(extra_vars or {})}
        command = self.playbook.command("-e", json.dumps(variables), *args, playbook=playbook)
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        result.seconds = time.monotonic() - started
        result.output = result.stdout + result.stderr
        return result


def observed(path):
    """The weights the callback read after each weight change: [(blue, green), ...]."""
    entries = [json.loads(line) for line in Path(path).read_text().splitlines()] if Path(path).exists() else []
    return [(entry["weights"][BLUE], entry["weights"][GREEN]) for entry in entries]


def recap_changed(output):
    match = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", output)
    assert match, output[-3000:]
    return int(match.group(1))


FIGURES = {}


@pytest.fixture(scope="module")
def stack(stack_emulator, request):
    stack_emulator.reset()
    started = time.monotonic()
    converge = Playbook(stack_emulator).run("--tags", "network,alb_bluegreen")
    assert converge.returncode == 0, (converge.stdout + converge.stderr)[-5000:]
    built = Stack(stack_emulator, time.monotonic() - started)
    assert built.weights() == {BLUE: 90, GREEN: 10}, "the ALB tier creates the listener at 90/10"
    yield built
    figures = {"steps": "-", "release": 0.0, "rollback": 0.0, "check": 0.0, "promote": 0.0, **FIGURES}
    line = (
        "FIGURES shift_traffic: converge network+alb_bluegreen {converge:.0f}s; release of {steps} steps (bake 0) "
        "{release:.1f}s; failed gate + rollback {rollback:.1f}s; check mode {check:.1f}s; promote {promote:.1f}s"
    ).format(converge=built.converge_seconds, **figures)
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print("\n" + line)


def test_release_walks_the_steps_and_checks_the_gates_at_each(stack, tmp_path):
    stack.start(100, 0)
    mark = stack.emulator.mark()
    result = stack.shift(observe=tmp_path / "weights.jsonl")
    assert result.returncode == 0, result.output[-5000:]

    # Read from the emulator after each weight change, before the next task ran.
    assert observed(tmp_path / "weights.jsonl") == [(90, 10), (75, 25), (50, 50), (0, 100)]
    assert stack.weights() == {BLUE: 0, GREEN: 100}
    assert stack.live_colour() is None, "a release does not promote"
    # Gates: once before the release, then after each of the 4 steps.
    assert len(re.findall(r"Gates pass (before|after)", result.output)) == 5, result.output[-5000:]
    assert f"{GREEN} has 2 healthy targets" in result.output
    operations = [entry["operation"] for entry in stack.requests_since(mark)]
    assert operations.count("ModifyListener") == 4
    assert operations.count("DescribeTargetHealth") == 5
    assert operations.count("DescribeAlarms") == 5
    assert not [op for op in operations if not READ_OPERATION.match(op) and op != "ModifyListener"], operations
    FIGURES.update(steps=4, release=result.seconds)


def test_alarm_during_a_step_rolls_back_to_the_last_good_weights_and_a_rerun_resumes(stack, tmp_path):
    stack.start(100, 0)
    alarm = f"payment-{ENV}-alb-green-target-5xx"
    # The alarm fires right after the 3rd weight change (50/50), while that step bakes.
    result = stack.shift(observe=tmp_path / "weights.jsonl", alarm_at=f"3:{alarm}")
    assert result.returncode != 0, result.output[-5000:]
    assert f"alarm {alarm} is ALARM" in result.output, result.output[-5000:]
    assert "stopped at step 3/4 (green 50%)" in result.output
    assert "Rolled back to the last good weights: blue 75, green 25" in result.output
    assert observed(tmp_path / "weights.jsonl") == [(90, 10), (75, 25), (50, 50), (75, 25)]
    assert stack.weights() == {BLUE: 75, GREEN: 25}
    FIGURES.update(rollback=result.seconds)

    # The alarm clears: a rerun skips the steps below green's 25 and finishes.
    stack.cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="cleared")
    resumed = stack.shift(observe=tmp_path / "resumed.jsonl")
    assert resumed.returncode == 0, resumed.output[-5000:]
    assert "skipping 10" in resumed.output
    assert observed(tmp_path / "resumed.jsonl") == [(75, 25), (50, 50), (0, 100)]


def test_alarm_before_the_release_changes_nothing(stack):
    stack.start(100, 0)
    alarm = f"payment-{ENV}-api-p99-latency"
    stack.cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test")
    mark = stack.emulator.mark()
    result = stack.shift()
    assert result.returncode != 0
    assert f"Gate failed before the release of green (no weight changed): alarm {alarm} is ALARM" in result.output
    assert stack.weights() == {BLUE: 100, GREEN: 0}
    assert "ModifyListener" not in [entry["operation"] for entry in stack.requests_since(mark)]


def test_healthy_target_gate_names_the_target_group(stack):
    stack.start(90, 10)
    stack.deregister_targets("green")
    try:
        mark = stack.emulator.mark()
        result = stack.shift()
        assert result.returncode != 0, result.output[-5000:]
        assert (
            f"target group {GREEN} has 0 healthy targets, 1 needed (traffic_shift_min_healthy_targets)" in result.output
        ), result.output[-5000:]
        assert stack.weights() == {BLUE: 90, GREEN: 10}
        assert "ModifyListener" not in [entry["operation"] for entry in stack.requests_since(mark)]

        # 2 healthy targets, 3 needed.
        stack.register_targets("green")
        result = stack.shift({"traffic_shift_min_healthy_targets": 3})
        assert result.returncode != 0
        assert f"target group {GREEN} has 2 healthy targets, 3 needed" in result.output, result.output[-5000:]
    finally:
        stack.register_targets("green")


def test_missing_gate_alarm_fails_unless_not_required(stack):
    stack.start(100, 0)
    missing = f"payment-{ENV}-alb-green-unhealthy-hosts"
    stack.cloudwatch.delete_alarms(AlarmNames=[missing])
    strict = stack.shift()
    assert strict.returncode != 0
    assert f"alarm {missing} does not exist (traffic_shift_require_alarms)" in strict.output, strict.output[-5000:]
    assert stack.weights() == {BLUE: 100, GREEN: 0}

    lenient = stack.shift({"traffic_shift_require_alarms": False, "traffic_shift_steps": [100]})
    assert lenient.returncode == 0, lenient.output[-5000:]
    assert f"gate alarms {missing} do not exist and are skipped" in lenient.output
    assert stack.weights() == {BLUE: 0, GREEN: 100}


def test_check_mode_reports_the_weight_changes_and_writes_nothing(stack):
    stack.start(100, 0)
    mark = stack.emulator.mark()
    release = stack.shift({}, "--check", "--diff")
    assert release.returncode == 0, release.output[-5000:]
    promote = stack.shift({"traffic_shift_mode": "promote"}, "--check", "--diff")
    assert promote.returncode == 0, promote.output[-5000:]
    assert stack.weights() == {BLUE: 100, GREEN: 0}
    assert stack.live_colour() is None
    requests = stack.requests_since(mark)
    writes = sorted({entry["operation"] for entry in requests if not READ_OPERATION.match(entry["operation"])})
    assert writes == [], writes
    # The gates are read in check mode too; the diff shows the weights a real run would set.
    assert "DescribeAlarms" in {entry["operation"] for entry in requests}
    for blue, green in ((90, 10), (50, 50), (0, 100)):
        assert f"{BLUE} 100→{blue}, {GREEN} 0→{green}" in release.output, release.output[-5000:]
    assert '"weight": 25' in release.output, "no --diff of the weights"
    assert "check mode: nothing changed" in release.output
    FIGURES.update(check=release.seconds)


def test_promote_then_rollback_and_the_live_colour(stack):
    stack.start(90, 10)
    rollback = stack.shift({"traffic_shift_mode": "rollback"})
    assert rollback.returncode == 0, rollback.output[-5000:]
    assert stack.weights() == {BLUE: 100, GREEN: 0}
    assert stack.live_colour() is None, "rollback does not write the live colour"

    promote = stack.shift({"traffic_shift_mode": "promote"})
    assert promote.returncode == 0, promote.output[-5000:]
    assert stack.weights() == {BLUE: 0, GREEN: 100}
    assert stack.live_colour() == "green"
    tags = {
        tag["Key"]: tag["Value"]
        for tag in stack.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=LIVE_PARAMETER)["TagList"]
    }
    assert tags["Environment"] == ENV and tags["ManagedBy"] == "ansible", tags
    FIGURES.update(promote=promote.seconds)

    # Naming the candidate makes a rerun a no-op (not a second swap).
    again = stack.shift({"traffic_shift_mode": "promote", "traffic_shift_candidate": "green"})
    assert again.returncode == 0, again.output[-5000:]
    assert recap_changed(again.output) == 0, again.output[-3000:]
    assert stack.weights() == {BLUE: 0, GREEN: 100}

    # Green is live now: a release moves blue, and a rollback returns everything to green.
    stack.set_weights(40, 60)
    back = stack.shift({"traffic_shift_mode": "rollback"})
    assert back.returncode == 0, back.output[-5000:]
    assert stack.weights() == {BLUE: 0, GREEN: 100}
    assert stack.live_colour() == "green"
    release_blue = stack.shift({"traffic_shift_steps": [50, 100]})
    assert release_blue.returncode == 0, release_blue.output[-5000:]
    assert "candidate blue" in release_blue.output
    assert stack.weights() == {BLUE: 100, GREEN: 0}

    # Releasing the live colour itself makes no sense.
    live = stack.shift({"traffic_shift_candidate": "green"})
    assert live.returncode != 0
    assert "traffic_shift_candidate=green is the live colour" in live.output
    stack.set_live_colour(None)


def test_site_keeps_the_weights_of_a_release_unless_enforced(stack):
    stack.start(50, 50)
    kept = stack.playbook.run("--tags", "alb_bluegreen")
    assert kept.returncode == 0, (kept.stdout + kept.stderr)[-5000:]
    assert recap_changed(kept.stdout) == 0
    assert stack.weights() == {BLUE: 50, GREEN: 50}

    enforced = stack.playbook.run("--tags", "alb_bluegreen", "-e", "alb_bluegreen_enforce_weights=true")
    assert enforced.returncode == 0, (enforced.stdout + enforced.stderr)[-5000:]
    assert stack.weights() == {BLUE: 90, GREEN: 10}


BAD_INPUTS = [
    ({"traffic_shift_steps": [50, 25, 100]}, "traffic_shift_steps"),
    ({"traffic_shift_steps": [10, 25, 25, 100]}, "traffic_shift_steps"),
    ({"traffic_shift_steps": [10, 150]}, "traffic_shift_steps"),
    ({"traffic_shift_steps": [10, 50]}, "traffic_shift_steps"),
    ({"traffic_shift_steps": [-5, 100]}, "traffic_shift_steps"),
    ({"traffic_shift_steps": []}, "traffic_shift_steps"),
    ({"traffic_shift_steps": ["ten", 100]}, "traffic_shift_steps"),
    ({"traffic_shift_mode": "sideways"}, "traffic_shift_mode"),
    ({"traffic_shift_candidate": "red"}, "traffic_shift_candidate"),
    ({"traffic_shift_bake_seconds": -1}, "traffic_shift_bake_seconds"),
    ({"traffic_shift_min_healthy_targets": -1}, "traffic_shift_min_healthy_targets"),
    ({"traffic_shift_alarm_pass_states": ["ALARM"]}, "traffic_shift_alarm_pass_states"),
    ({"traffic_shift_gate_alarms": "payment-local-api-p99-latency"}, "traffic_shift_gate_alarms"),
    ({"traffic_shift_live_colour_parameter": "release/live"}, "traffic_shift_live_colour_parameter"),
]


@pytest.mark.parametrize(("extra_vars", "named"), BAD_INPUTS, ids=[json.dumps(v) for v, _named in BAD_INPUTS])
def test_bad_input_fails_before_any_aws_call(stack, extra_vars, named):
    mark = stack.emulator.mark()
    result = stack.shift(extra_vars)
    assert result.returncode != 0, result.output[-3000:]
    assert named in result.output, result.output[-3000:]
    assert "PLAY [Shift the traffic" not in result.output, "failed too late: " + result.output[-3000:]
    assert stack.emulator.mark() == mark, "AWS requests were sent before the input was rejected"
