#!/bin/bash
# The project's copy of ../shared/irctest-pschat (issue 16 asks for one): its controller passes
# -Password as a SecureString, which Start-ChatServer takes since the hardening work.
# Runs irctest (the third-party IRC server conformance suite, snapshot in ../irctest) against
# PSChat's Start-ChatServer, and the same tests against ngircd and InspIRCd for comparison.
#
# Usage, from the root of a BUILT PSChat checkout (the staged module in ./PSChat):
#   tests/irctest/run.sh [pschat|ngircd|inspircd] [selection] [pytest args...]
#   selection: all (default) | rfc | ircv3 | a pytest -m expression
#   e.g. tests/irctest/run.sh pschat rfc
#        tests/irctest/run.sh pschat all -k 'who or whowas'
# Writes out/irctest/<server>-<selection>.xml (JUnit) and .log; prints the pytest summary line
# and exits with pytest's status. About 9 minutes for `all` on 2 cores.
# Needs (Debian): apt-get install -y python3-pytest python3-pytest-xdist python3-ecdsa
#   python3-filelock python3-websockets faketime ngircd inspircd
# The PSChat controller starts: dotnet pwsh -NoProfile -Command "Import-Module ./PSChat;
#   Start-ChatServer -Port P -Address 127.0.0.1 -HostName My.Little.Server [-Password X] -Wait"
# Override with PSCHAT_CMD (a template with {port} {hostname} {password}) when the command changes.
# Tests the controller cannot run (TLS, services, websockets) are skipped by it; a test that
# needs a capability PSChat does not advertise skips itself. Extend pschat_controller.py (a
# copy in the project is fine) as PSChat gains features: irctest reads its class attributes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# The irctest snapshot: IRCTEST_DIR, or the workspace's shared copy beside the checkout.
suite=$(cd "${IRCTEST_DIR:-$here/../../../shared/irctest}" && pwd)
server=${1:-pschat}; sel=${2:-all}; shift 2 2>/dev/null || shift $#
base="not services and not implementation-specific and not deprecated and not strict"
case $sel in
  all)   expr=$base ;;
  rfc)   expr="(RFC1459 or RFC2812) and $base" ;;
  ircv3) expr="IRCv3 and $base" ;;
  *)     expr=$sel; sel=custom ;;
esac
case $server in
  pschat)   ctl=pschat_controller ;;
  ngircd)   ctl=irctest.controllers.ngircd ;;
  inspircd) ctl=irctest.controllers.inspircd ;;
  *) echo "unknown server: $server" >&2; exit 2 ;;
esac
out=$PWD/out/irctest; mkdir -p "$out"
[ "$server" != pschat ] || [ -f PSChat/PSChat.psd1 ] || { echo "run from a built PSChat checkout (no ./PSChat/PSChat.psd1)" >&2; exit 2; }
as=(); home=$HOME
if [ "$server" = inspircd ] && [ "$(id -u)" = 0 ]; then   # InspIRCd refuses to run as root
  chmod 777 "$out"; as=(setpriv --reuid=nobody --regid=nogroup --clear-groups); home=$out
fi
# The suite is read-only in ../shared: run it from a scratch copy (pytest writes next to it).
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cp -r "$suite/." "$work/"; chmod -R a+rX "$work"
mkdir -m 1777 "$work/tmp"   # irctest's port lock file lives in the temp folder: one per run
cd "$work"
"${as[@]}" env HOME="$home" TMPDIR="$work/tmp" PYTHONPATH="$here" PYTHONDONTWRITEBYTECODE=1 PSCHAT_DIR="$OLDPWD" \
  /usr/bin/python3 -m pytest -p irctest_debian_shim -p no:cacheprovider --controller "$ctl" \
  -m "$expr" -n 2 -rfE -q --junitxml="$out/$server-$sel.xml" "$@" > "$out/$server-$sel.log" 2>&1
rc=$?
tail -1 "$out/$server-$sel.log"
exit $rc
