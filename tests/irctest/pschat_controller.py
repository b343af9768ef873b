"""irctest server controller for PSChat.

Written against irctest's base classes (irctest/basecontrollers.py at
progval/irctest b00c039). It is a separate module: irctest's conftest.py
imports whatever module --controller names (importlib.import_module) and calls
its get_irctest_controller_class(), so this file can live outside the irctest
tree, e.g. in PSChat's own test folder, without copying irctest code.

Use: ../shared/irctest-pschat/run.sh from a built PSChat checkout (see run.sh).

How irctest drives a server controller, per test (BaseServerTestCase.setUp /
tearDown in irctest/cases.py):

  1. controller = ControllerClass(test_config)     # TestCaseControllerConfig
  2. hostname, port = controller.get_hostname_and_port()
        # base class: binds a throwaway socket to get a free port and records
        # it in a ports file in the temp folder under a file lock. Upstream binds ""
        # and gets "0.0.0.0"; irctest_debian_shim.py makes it 127.0.0.1.
  3. controller.run(hostname, port, password=..., ssl=..., run_services=...,
                    faketime=..., websocket_hostname=..., websocket_port=...)
        # must write any config and start the process (self.proc), listening
        # on exactly hostname:port. Raise NotImplementedByController(...) for a
        # feature the server lacks: the test is then SKIPPED, not failed.
  4. each test client: controller.wait_for_port()  (base class: polls
        localhost:port every _port_wait_interval s for up to 60 s, sends
        "QUIT :chkport" and waits for "chkport"/"ERROR"/close; raises
        ProcessStopped if self.proc exited), then a raw TCP client connects
        to hostname:port.
  5. tearDown: controller.kill()  (base class: SIGTERM to the process group,
        which execute() created with start_new_session=True, 5 s grace, then
        SIGKILL; DirectoryBasedController.kill also deletes self.directory).
"""

import atexit
import base64
import datetime
import hashlib
import os
import time
from pathlib import Path
import shlex
import signal
import subprocess
from typing import List, Optional, Set, Type

from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities

# The command PSChat will be started with. {port} and {hostname} are filled in
# per test. Start-ChatServer should bind 127.0.0.1 by default (or take the
# address, e.g. -Address {hostname}), since irctest only ever connects there.
# irctest's operator account (every controller configures "operuser" / "operpassword"): a
# PSCredential, as Start-ChatServer -Operator takes it.
OPERATOR = (
    " -Operator ([pscredential]::new('operuser',"
    " (ConvertTo-SecureString 'operpassword' -AsPlainText -Force)))"
)

DEFAULT_COMMAND = (
    'dotnet pwsh -NoProfile -Command "Import-Module ./PSChat; '
    'Start-ChatServer -Port {port} -Address {hostname} -HostName My.Little.Server{password}{tls}'
    + OPERATOR
    + ' -AccountStore {accounts} -Wait"'
)

# A TLS test (ssl=True) gets a self-signed certificate made by New-ChatCertificate.
TLS_ARGS = " -Certificate (New-ChatCertificate -DnsName My.Little.Server)"

# PSChat's account store: one account a line, name TAB pbkdf2-sha256:iterations:salt:hash TAB
# fingerprints TAB created (see src/PSChat.Engine/Accounts/AccountFile.cs). registerUser appends a
# line; the running server sees the change within 250 ms (AccountFile.RecheckInterval).
ACCOUNT_ITERATIONS = 100000
RECHECK_SECONDS = 0.25


# Servers started but never killed. irctest calls controller.kill() only from
# tearDown, and pytest skips tearDown when setUp raises: BotModeTestCase.setUp
# starts the server, then raises IsupportTokenNotSupported("BOT") when 005
# lacks BOT. Against Debian's ngIRCd that left 6 ngircd processes running
# after the run; with pwsh it would leave 6 pwsh servers. Kill them on exit of
# this (xdist worker) process.
_started: List[subprocess.Popen] = []


@atexit.register
def _kill_leftovers() -> None:
    for proc in _started:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # own session: pgid == pid
            except OSError:
                pass


class PSChatController(BaseServerController, DirectoryBasedController):
    # --- class attributes irctest reads ----------------------------------
    software_name = "PSChat"  # shown in reports; used by xfailIfSoftware(...)
    # PSChat has its own account store (no separate services); EXTERNAL needs a
    # client certificate, which irctest's server tests do not present.
    supported_sasl_mechanisms: Set[str] = {"PLAIN"}
    supports_sts = False  # read by client tests only

    # Capabilities listed here become REQUIRED: a CAP NAK for one of them is a
    # failure instead of a skip. Every one PSChat offers is listed, so losing
    # one shows as a failure (and lowers the floor check) rather than a skip.
    capabilities = frozenset(
        {
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.EXTENDED_MONITOR,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_TAGS,
            Capabilities.MULTI_PREFIX,
            Capabilities.READ_MARKER,
            Capabilities.SERVER_TIME,
            Capabilities.SETNAME,
        }
    )

    # Same for OptionalBehaviors (conftest.py turns their skip into an error).
    optional_behaviors = frozenset()

    # ISUPPORT tokens isupport.py checks for exact values; {} skips that test.
    isupport: dict = {
        "BOT": "B",
        "CASEMAPPING": "rfc1459",
        "CHANTYPES": "#",
        "ELIST": "MNU",
        "PREFIX": "(ov)@+",
        "STATUSMSG": "@+",
    }

    # pwsh needs a second or two to start; the base class polls every 0.1 s
    # for up to 60 s, which is fine. irctest syncs with PING/PONG, so 0 here
    # as long as PSChat answers commands of one connection in order.
    sync_sleep_time = 0.0

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str],
        websocket_port: Optional[int],
    ) -> None:
        # Features PSChat will not have at first: skip those tests.
        if websocket_hostname is not None or websocket_port is not None:
            raise NotImplementedByController("Websocket")
        # irctest names the server My.Little.Server in every controller's config
        # (numerics, PONG and 312 must carry it): -HostName above.
        # -Password takes a SecureString (PowerShell's rule for secrets).
        password_arg = "" if password is None else " -Password (ConvertTo-SecureString '%s' -AsPlainText -Force)" % password.replace("'", "''")
        # run_services: PSChat's accounts are built in (-AccountStore), always on.
        # faketime: ignored (self.faketime_enabled stays False, so the
        # FaketimeListTestCase tests fall back to real sleeps or skip).

        assert self.proc is None
        self.hostname = hostname
        self.port = port  # wait_for_port() uses self.port

        # A per-test temp dir (self.directory), removed again by kill().
        # Nothing needs a config file yet, but a log or a settings file
        # for PSChat would go here (self.open_file("pschat.json", "w")).
        self.create_config()
        assert self.directory is not None

        template = os.environ.get("PSCHAT_CMD", DEFAULT_COMMAND)
        self.accounts_path = self.directory / "accounts.txt"
        command = shlex.split(template.format(
            port=port, hostname=hostname, password=password_arg,
            tls=TLS_ARGS if ssl else "", accounts=str(self.accounts_path)))
        cwd = Path(os.environ.get("PSCHAT_DIR", os.getcwd()))

        # execute(): Popen in a new session (so kill() reaches pwsh's
        # children too); stdout/stderr go to DEVNULL unless
        # IRCTEST_DEBUG_LOGS=1, then they are streamed, prefixed, into the
        # pytest output.
        self.proc = self.execute(
            command,
            proc_name="pschat",
            cwd=cwd,
            env={
                **os.environ,
                "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
                "POWERSHELL_TELEMETRY_OPTOUT": "1",
                "PSCHAT_DATA_DIR": str(self.directory),
            },
        )
        _started.append(self.proc)

    def wait_for_services(self) -> None:
        pass  # no separate services process

    def registerUser(self, case, username, password=None):  # type: ignore
        """Creates the account as New-ChatAccount would, by appending its line to the
        store file (a pwsh call would cost seconds per account)."""
        if not case.run_services:
            raise ValueError("Attempted to register a nick, but `run_services` it not True.")
        assert password
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ACCOUNT_ITERATIONS, 32)
        hashed = "pbkdf2-sha256:%d:%s:%s" % (
            ACCOUNT_ITERATIONS, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())
        created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
        self.wait_for_port()  # the server made the (empty) store when it started
        with open(self.accounts_path, "a") as store:
            store.write("%s\t%s\t-\t%s\n" % (username, hashed, created))
        time.sleep(2 * RECHECK_SECONDS)


def get_irctest_controller_class() -> Type[PSChatController]:
    return PSChatController
