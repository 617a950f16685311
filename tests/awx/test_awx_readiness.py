"""AWX / Automation Platform readiness: the execution environment definition holds what the code imports, renders
a build context with ansible-builder, and the job template surveys are what scripts/awx_surveys generates from
the roles' argument specs.
"""

import importlib.machinery
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from python_imports import FQCN, OWN, collection_dir, imported_distributions

ROOT = Path(__file__).resolve().parents[2]
EE_FILE = ROOT / "execution-environment.yml"
SURVEYS = ROOT / "docs" / "awx" / "surveys"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)$")
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}


def _load_script(name):
    loader = importlib.machinery.SourceFileLoader(name, str(ROOT / "scripts" / name))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


awx_surveys = _load_script("awx_surveys")


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def ee_definition():
    return yaml.safe_load(EE_FILE.read_text())


def ee_python_pins():
    """{canonical distribution: version} of the EE's python requirements; every line must be a `==` pin."""
    path = EE_FILE.parent / ee_definition()["dependencies"]["python"]
    pins = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: {line!r} is not pinned with =="
        pins[_canonical(match.group(1))] = match.group(2)
    return pins


def test_ee_definition_pins_its_base_and_ansible():
    ee = ee_definition()
    assert ee["version"] == 3
    base = ee["images"]["base_image"]["name"]
    assert re.search(r":[A-Za-z0-9][\w.-]*$|@sha256:[0-9a-f]{64}$", base), f"base image {base} has no tag or digest"
    assert not base.endswith(":latest"), base
    deps = ee["dependencies"]
    controller = dict(
        PIN.match(line.strip()).groups()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if PIN.match(line.strip())
    )
    assert deps["ansible_core"]["package_pip"] == f"ansible-core=={controller['ansible-core']}"
    assert PIN.match(deps["ansible_runner"]["package_pip"]), deps["ansible_runner"]
    assert deps["galaxy"] == "requirements.yml"
    assert ee_python_pins()


def test_ee_lists_every_python_distribution_the_collection_imports():
    imported = imported_distributions()
    unresolved = sorted(name for name in imported if name.startswith("?"))
    assert not unresolved, f"imports no installed distribution provides: {unresolved}"
    pins = ee_python_pins()
    missing = sorted(name for name in imported if _canonical(name) not in pins)
    assert not missing, f"{ee_definition()['dependencies']['python']} lacks {missing} (imported: {imported})"
    drift = {
        name: (pins[_canonical(name)], importlib.metadata.version(name))
        for name in imported
        if pins[_canonical(name)] != importlib.metadata.version(name)
    }
    assert not drift, f"EE pins differ from the versions the tests run with (pinned, tested): {drift}"


def test_ee_galaxy_requirements_hold_every_collection_the_roles_use():
    texts = [
        p.read_text() for pattern in ("roles/**/*.yml", "playbooks/*.yml", "ansible.cfg") for p in ROOT.glob(pattern)
    ]
    # Only names of installed collections count (a host name such as payments.internal.example is not one).
    used = {
        f"{namespace}.{name}"
        for text in texts
        for namespace, name, _plugin in FQCN.findall(text)
        if (namespace, name) != OWN and collection_dir(namespace, name) is not None
    }
    listed = {entry["name"] for entry in yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]}
    assert used <= listed, f"requirements.yml (the EE's galaxy file) lacks {sorted(used - listed)}"
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]
    assert set(galaxy) <= listed


def test_surveys_equal_a_fresh_generation():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "awx_surveys"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.stem for p in SURVEYS.glob("*.json")) == sorted(awx_surveys.TEMPLATES)


@pytest.mark.parametrize("template", sorted(awx_surveys.TEMPLATES))
def test_survey_is_a_valid_awx_survey_of_role_options(template):
    survey = json.loads((SURVEYS / f"{template}.json").read_text())
    assert set(survey) == {"name", "description", "spec"}
    options = {}
    for role, entry, _params in awx_surveys.entry_points(awx_surveys.TEMPLATES[template]["playbook"]):
        specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        options.update((specs.get(entry) or specs["main"]).get("options") or {})
    variables = [q["variable"] for q in survey["spec"]]
    assert len(variables) == len(set(variables)), "a variable is asked twice"
    fixed = set(awx_surveys.TEMPLATES[template].get("extra_vars", {}))
    for question in survey["spec"]:
        variable = question["variable"]
        assert question["type"] in SURVEY_TYPES, question
        assert variable in options, f"{variable} is not an option of the roles {template} runs"
        assert variable not in fixed, f"{variable} is fixed by the template"
        assert not question["required"], f"{variable}: survey answers must not be forced over the inventory"
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", variable), variable
        default = question["default"]
        if question["type"] == "integer" and default != "":
            assert isinstance(default, int), question
            assert question["min"] is None or question["min"] <= default, question
            assert question["max"] is None or default <= question["max"], question
        if question["type"] == "multiplechoice" and default != "":
            assert default in question["choices"], question
        if question["type"] == "multiselect" and default:
            assert set(default.split("\n")) <= set(question["choices"]), question


def test_awx_doc_names_every_template_and_build_command():
    doc = (ROOT / "docs" / "awx.md").read_text()
    for name, template in awx_surveys.TEMPLATES.items():
        assert name in doc, f"docs/awx.md does not describe {name}"
        assert template["playbook"] in doc
    assert "ansible-builder build" in doc and "ansible-builder create" in doc


def test_ansible_builder_create_renders_the_build_context(tmp_path, record_property):
    builder = Path(sys.executable).parent / "ansible-builder"
    result = subprocess.run(
        [
            str(builder),
            "create",
            "-f",
            str(EE_FILE),
            "-c",
            str(tmp_path / "context"),
            "--output-filename",
            "Containerfile",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    context = tmp_path / "context"
    containerfile = (context / "Containerfile").read_text()
    ee = ee_definition()
    assert f'EE_BASE_IMAGE="{ee["images"]["base_image"]["name"]}"' in containerfile, containerfile[:2000]
    assert ee["dependencies"]["ansible_core"]["package_pip"] in containerfile
    python_file = ee["dependencies"]["python"]
    assert (context / "_build" / "requirements.txt").read_text() == (ROOT / python_file).read_text()
    assert (context / "_build" / "requirements.yml").read_text() == (ROOT / "requirements.yml").read_text()

    imported = sorted(imported_distributions(), key=str.lower)
    pins = ee_python_pins()
    listed = [name for name in imported if _canonical(name) in pins]
    surveys = [json.loads((SURVEYS / f"{name}.json").read_text()) for name in awx_surveys.TEMPLATES]
    entry_points = {
        (role, entry)
        for template in awx_surveys.TEMPLATES.values()
        for role, entry, _params in awx_surveys.entry_points(template["playbook"])
    }
    roles = {role for role, _entry in entry_points}
    record_property(
        "figure",
        f"awx: EE lists {len(listed)}/{len(imported)} imported distributions ({', '.join(imported)}), "
        f"{len(surveys)} surveys ({sum(len(s['spec']) for s in surveys)} questions) from {len(entry_points)} "
        f"argument_specs entry points of {len(roles)} roles, ansible-builder create ok",
    )
