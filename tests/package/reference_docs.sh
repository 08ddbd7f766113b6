#!/usr/bin/env bash
# The installed reference against the program (ctest `reference_docs`):
# walks `nsradar --help` and every subcommand's `--help`, as a user would,
# and checks that each command has its section in the generated man pages
# with each of its options, that the bash completion offers each
# subcommand and option at its place, that groff renders every page
# without a warning, that the zsh script parses, and that --version names
# a commit of this repository.
#
#   reference_docs.sh NSRADAR_BINARY REFERENCE_DIR SOURCE_DIR
set -euo pipefail
NSRADAR=$1
REF=$2
SRC=$3
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Lines of one section ("Subcommands:", "Options:") of a --help text: the
# first word of each indented line.
section() {
  awk -v s="$1" '$0 == s { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [^ ]/ { print $1 }'
}

# shellcheck disable=SC1090
source "$REF/nsradar.bash"
complete_at() {  # words before the cursor...: the completions offered for an empty word
  COMP_WORDS=(nsradar "$@" "")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _nsradar
  printf '%s\n' "${COMPREPLY[@]}"
}

commands=0
options=0
walk() {  # command path...
  local help page offered sub opt name
  help=$("$NSRADAR" "$@" --help)
  offered=$(complete_at "$@")
  if (($# > 0)); then
    page=$(zcat "$REF/man1/nsradar-$1.1.gz")
    local heading="nsradar $*"
    grep -qF ".SH \"${heading//-/\\-}\"" <<<"$page" || fail "nsradar-$1(1) has no section for '$heading'"
  else
    page=$(zcat "$REF/man1/nsradar.1.gz")
  fi
  for opt in $(section "Options:" <<<"$help"); do
    # "-h,--help" and "--store": every spelling, the value's type left out.
    for name in ${opt//,/ }; do
      grep -qF -- "$(sed 's/-/\\-/g' <<<"$name")" <<<"$page" || fail "'nsradar $* $name' is not in its man page"
      grep -qxF -- "$name" <<<"$offered" || fail "bash completion of 'nsradar $*' lacks $name"
      options=$((options + 1))
    done
  done
  for sub in $(section "Subcommands:" <<<"$help"); do
    grep -qxF -- "$sub" <<<"$offered" || fail "bash completion of 'nsradar $*' lacks $sub"
    grep -qF "'$sub:" "$REF/_nsradar" || fail "zsh completion lacks $sub"
    if (($# == 0)); then
      grep -qF "nsradar\\-${sub//-/\\-}" <<<"$page" || fail "nsradar(1) does not list $sub"
      [[ -f $REF/man1/nsradar-$sub.1.gz ]] || fail "no man page nsradar-$sub.1"
    fi
    commands=$((commands + 1))
    walk "$@" "$sub"
  done
}
walk
((commands > 10)) || fail "only $commands subcommands found in --help"

# A value option's value is not a command, a flag has none.
# Captured first: with pipefail, `grep -q` leaving at its first match can end
# the pipeline with the writer's SIGPIPE and fail the check at random.
offered=$(complete_at --store zone)
grep -qx ingest <<<"$offered" && fail "'nsradar --store zone' completed as the zone command"
offered=$(complete_at --json zone)
grep -qx ingest <<<"$offered" || fail "'nsradar --json zone' does not complete ingest"

pages=0
for page in "$REF"/man1/*.1.gz; do
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  [[ -z $warnings ]] || fail "groff warns on $(basename "$page"): $warnings"
  pages=$((pages + 1))
done
if command -v zsh >/dev/null; then
  zsh -n "$REF/_nsradar" || fail "_nsradar does not parse in zsh"
fi

version=$("$NSRADAR" --version)
[[ $version =~ ^nsradar\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ ([0-9a-f]{12}|unknown)\)$ ]] ||
  fail "--version: '$version'"
commit=${BASH_REMATCH[1]}
if [[ $commit != unknown ]] && git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$SRC" cat-file -e "$commit^{commit}" || fail "--version names $commit, not a commit of $SRC"
fi
echo "$commands subcommands and $options option spellings documented and completed; $pages man pages render; $version"
