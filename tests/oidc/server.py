"""Starts tests/oidc/provider.mjs (the npm package oidc-provider, on Node) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"

CLIENT_ID = "aar-tests"
CLIENT_SECRET = "aar-tests-client-secret-0123456789"


def missing() -> str | None:
    """Why the provider cannot start here, or None."""
    if not shutil.which("node"):
        return "needs Node.js for the OpenID Connect provider (apt-get install nodejs)"
    if not PACKAGE.exists():
        return "needs the npm package oidc-provider: run `make test-tools`"
    return None


class Provider:
    def __init__(self, *, port: int, client: dict[str, Any], accounts: dict[str, Any], log: Path):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.client = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **client}
        self.accounts = dict(accounts)
        self.log = log
        self.accounts_file = log.with_name("accounts.json")
        self.write_accounts()
        self.process: subprocess.Popen[bytes] | None = None

    def write_accounts(self) -> None:
        self.accounts_file.write_text(json.dumps(self.accounts))

    def change_account(self, login: str, **claims: Any) -> None:
        """What the provider says about this account from the next sign-in on."""
        self.accounts[login] = {**self.accounts[login], **claims}
        self.write_accounts()

    def start(self) -> None:
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT": json.dumps(self.client),
            "OIDC_ACCOUNTS_FILE": str(self.accounts_file),
            "NODE_ENV": "test",
        }
        self.process = subprocess.Popen(
            ["node", str(SCRIPT)],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        url = self.issuer + "/.well-known/openid-configuration"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the OIDC provider did not start:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
