#!/usr/bin/env bash
# CI: what tests/training/test_multihost.py needs (ip netns, tc, sshd, ssh), installed when missing.
# The test makes its own network namespaces, keys and sshd configs, and removes them; without
# root (or where apt-get is absent) it is skipped with the reason, so this only tries.
set -euo pipefail
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v ssh >/dev/null || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
if [ ${#missing[@]} -eq 0 ]; then
  echo "multihost: ip, ssh and sshd are here"
elif [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "multihost: missing ${missing[*]} (not root or no apt-get): test_multihost.py will skip"
else
  echo "multihost: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d 101: the package must not start an sshd on this machine's own network
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
