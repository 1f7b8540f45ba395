"""The governance view in a real headless Chromium, against a real ``airflow api-server``.

A lake is made by the DAGs' steps (``tests.pipeline.Lake``): a publish, a training run consuming it,
opt-outs and deletions purged (the consumed version revoked), an audit. Then ``airflow api-server``
starts with SimpleAuthManager and this checkout's plugins, and Debian's ``chromium`` (driven by
selenium through Debian's ``chromedriver``: no browser download) logs in through Airflow's login page,
opens the "Governance" entry of the UI and the view itself, checks what they show and keeps
screenshots under ``tests/output/governance_view/`` (printed).

Chromium is installed with apt when it is absent and we are root (a fresh CI machine); otherwise the
test skips, saying why.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from tests.airflow_env import ROOT, migrated_metadata_db

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
OUTPUT = ROOT / "tests" / "output" / "governance_view"
DATASET = "assistant-sft"
CUSTOMER_PREFIX = "cust-"  # synthetic customer ids all start so (synth.generator)


def _ensure_chromium() -> None:
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{CHROMIUM} / {CHROMEDRIVER} absent and not root with apt-get to install Debian's "
                    "chromium and chromium-driver")  # fmt: skip
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"could not install chromium with apt ({' '.join(command)}): {done.stderr[-500:]}")
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("apt installed chromium, yet /usr/bin/chromium or /usr/bin/chromedriver is missing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def governed_lake(tmp_path_factory):
    """A lake as the DAGs leave it after a night, a training run, a privacy run and an audit."""
    from tests.pipeline import Lake

    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.jobs.audit import AuditFailed
    from utterance_governance.publish.lineage import consume_version
    from utterance_governance.synth.generator import generate_landing, generate_privacy_updates

    base = tmp_path_factory.mktemp("governance-view")
    lake = Lake(str(base / "lake"), f"sqlite:///{base / 'governance.db'}", key="browser-test-key")
    summary = generate_landing(lake.root, 1500, seed=21, file_format="mixed", days=2, files_per_day=2)
    first = lake.publish()
    store = GovernanceStore(lake.database_url)
    consume_version(store, lake.root, DATASET, dag_id="assistant_sft_training",
                    run_id="asset_triggered__2026-12-02T02:31:00+00:00", announced=None)  # fmt: skip
    generate_privacy_updates(lake.root, summary, seed=21)
    lake.privacy()
    with contextlib.suppress(AuditFailed):  # findings are what the view shows either way
        lake.audit()
    customers = set(store.consent_events().column("customer_id").to_pylist())
    customers |= set(store.deletion_requests().column("customer_id").to_pylist())
    store.dispose()
    assert first["version"] == "v000001" and customers
    return lake, sorted(customers)


@pytest.fixture(scope="module")
def api_server(governed_lake, tmp_path_factory):
    """``airflow api-server`` on a free port: SimpleAuthManager (user ``admin``, a generated password),
    this checkout's dags and plugins, the lake's settings. Yields (base URL, user, password)."""
    lake, _ = governed_lake
    home = tmp_path_factory.mktemp("airflow-home")
    password = secrets.token_urlsafe(12)
    (home / "passwords.json").write_text(json.dumps({"admin": password}))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "UG_"))}
    env.update(lake.env)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "dags"), str(ROOT)]),
    })  # fmt: skip
    migrated_metadata_db(home)  # what `airflow db migrate` makes here, copied
    log_path = home / "api-server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "airflow", "api-server", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"api-server did not come up:\n{log_path.read_text()[-4000:]}")
                time.sleep(1)
        yield base, "admin", password
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    _ensure_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1800"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _wait(driver, condition, timeout: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_anonymous_is_sent_to_the_login_page(api_server):
    base, _, _ = api_server
    request = urllib.request.Request(f"{base}/governance/", headers={"Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401


def test_a_logged_in_user_sees_the_view_in_chromium(api_server, browser, governed_lake, capsys):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, user, password = api_server
    _, customers = governed_lake
    OUTPUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")

    # anonymous: the view sends the browser to Airflow's login page, which comes back to it
    browser.get(f"{base}/governance/")
    _wait(browser, lambda d: "/auth/login" in d.current_url or "/login" in d.current_url)
    username = _wait(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, "input[name='username'], input#username")
    )
    username.send_keys(user)
    field = browser.find_element(By.CSS_SELECTOR, "input[type='password']")
    field.send_keys(password)
    field.send_keys(Keys.ENTER)
    _wait(browser, lambda d: d.get_cookie("_token") is not None)

    # the view itself, as the session cookie opens it
    browser.get(f"{base}/governance/")
    _wait(browser, lambda d: d.find_elements(By.ID, "live-version"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert browser.find_element(By.ID, "live-version").text == "v000002"
    assert "Pending deletion requests" in body and "Version history" in body and "Latest audit" in body
    assert "revoked" in body and "assistant_sft_training/asset_triggered__2026-12-02T02:31:00+00:00" in body
    assert "published" in body and "Deletion receipts" in body and "completed" in body
    links = {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#runs a")}
    assert "gate result" in links and "Data Docs" in links
    html = browser.page_source
    assert not [c for c in customers if c in html], "a customer id reached the page"
    view_shot = OUTPUT / f"governance-view-{stamp}.png"
    browser.save_screenshot(str(view_shot))

    # the Data Docs the page links to open in the same session
    browser.get(links["Data Docs"])
    _wait(browser, lambda d: d.find_elements(By.TAG_NAME, "body"))
    assert "Not authenticated" not in browser.page_source and "404" not in browser.title

    # and the UI's own nav entry frames it
    browser.get(f"{base}/plugin/governance")
    frame = _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "iframe"))
    browser.switch_to.frame(frame)
    _wait(browser, lambda d: d.find_elements(By.ID, "live-version"))
    assert browser.find_element(By.ID, "live-version").text == "v000002"
    browser.switch_to.default_content()
    ui_shot = OUTPUT / f"governance-in-airflow-ui-{stamp}.png"
    browser.save_screenshot(str(ui_shot))
    with capsys.disabled():  # shown in a normal run, not only with -s
        print(f"\nscreenshots: {view_shot} (the view) and {ui_shot} (inside the Airflow UI)")
