#!/usr/bin/env bash
# Installs what the integration tests need: Debian's docker.io (dockerd,
# containerd, runc), docker-registry (distribution 2.8), podman and tmux, then builds
# distribution v3 and dive into .tools/bin. Safe to run again: it only does what is
# missing. Needs root for apt-get; without root it says what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

REGISTRY_V3_VERSION=v3.1.2
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v podman >/dev/null 2>&1 || missing+=(podman)

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing ${missing[*]}; run as root (or apt-get install ${missing[*]})" >&2
  else
    echo "install-deps: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

v3=.tools/bin/registry
stamp=.tools/registry-v3.version
if [[ ! -x $v3 || "$(cat "$stamp" 2>/dev/null)" != "$REGISTRY_V3_VERSION" ]]; then
  echo "install-deps: building distribution $REGISTRY_V3_VERSION (about 2 minutes)"
  mkdir -p .tools/bin
  # Outside the module, so its dependencies stay out of wharf's go.mod.
  (cd .tools && GOBIN="$PWD/bin" GOFLAGS=-mod=mod go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_V3_VERSION")
  echo "$REGISTRY_V3_VERSION" >"$stamp"
fi

# dive, to check wharf's wasted-space numbers against the tool people know
# them from (internal/filetree's comparison test).
DIVE_VERSION=v0.13.2-0.20250516191726-d6c691947f8f
dive=.tools/bin/dive
stamp=.tools/dive.version
if [[ ! -x $dive || "$(cat "$stamp" 2>/dev/null)" != "$DIVE_VERSION" ]]; then
  echo "install-deps: building dive $DIVE_VERSION (about a minute)"
  mkdir -p .tools/bin
  (cd .tools && GOBIN="$PWD/bin" GOFLAGS=-mod=mod go install "github.com/wagoodman/dive/cmd/dive@$DIVE_VERSION")
  echo "$DIVE_VERSION" >"$stamp"
fi
