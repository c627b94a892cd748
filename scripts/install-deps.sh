#!/usr/bin/env bash
# install-deps.sh installs every Debian package Concord's tests and benchmarks
# need. It is idempotent: it runs `apt-get update` and `apt-get install` only
# when a package is missing, so a second run does nothing.
#
# Packages (versions in Debian 12 "bookworm" at the time of writing):
#   etcd-server, etcd-client  3.4.23   the etcd anchor for bench/ (/usr/bin/etcd, etcdctl)
#   zookeeper                 3.8.0    the ZooKeeper anchor for bench/ and the differential test,
#                                      and zkCli.sh for test/zkcompat (jars in /usr/share/java)
#   libcurator-framework-java, libcurator-recipes-java, libcurator-discovery-java
#                             5.4.0    Apache Curator for the ZooKeeper compatibility tests
#                                      (InterProcessMutex, LeaderLatch, ServiceDiscovery); javac comes
#                                      with default-jdk-headless
# Add a package by appending it to PACKAGES; say why in the list above.
set -euo pipefail

PACKAGES=(etcd-server etcd-client zookeeper default-jdk-headless
	libcurator-framework-java libcurator-recipes-java libcurator-discovery-java)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all present (${PACKAGES[*]})"
	exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
# --no-install-recommends keeps the footprint to what the binaries need;
# the packages' own services are not used (bench/ starts its own members).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
