#!/usr/bin/env bash
# Findings of the chosen tools on the pinned real-code corpora of bench/corpora.tsv.
#
#   bash bench/run-corpora.sh [--tools leak,idisp,netanalyzers] [--only nlog,dapper] [--out DIR]
#   bash bench/run-corpora.sh --perdoc [--only nlog,mqttnet,dapper,jellyfin] [--extra "--max-docs 600"]
#   bash bench/run-corpora.sh --fixes [--only ..]     # our findings and whether a code fix of ours changes the code
#
# Nothing is downloaded here: every repository of corpora.tsv must already be a snapshot under $MIRROR
# (default /work/.mirror/<owner>+<name>/repo, as the search tool's `fetch github:<owner>/<name>` leaves it).
# Each pinned folder is extracted with `git archive` into a scratch folder, compiled as one compilation by
# `LeakAnalyzers.RealCode findings` (or `perdoc --check` with --perdoc), and removed again.
# Results: DIR/<name>.tsv, or DIR/<name>.perdoc.md (table) and DIR/<name>.perdoc.tsv (samples); default DIR bench/out/ (not committed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$here/.." && pwd)
MIRROR=${MIRROR:-/work/.mirror}
tools=leak,idisp,netanalyzers
perdoc=
fixes=
extra=
only=
out=$here/out
while [ $# -gt 0 ]; do
  case "$1" in
    --tools) tools=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --perdoc) perdoc=1; tools=baseline,leak,idisp,netanalyzers; shift ;;
    --fixes) fixes=1; shift ;;
    --extra) extra=$2; shift 2 ;;
    *) echo "run-corpora: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Our rules as they are in this work tree, and the runner (restores the peers' packages from the NuGet feed).
dotnet build "$repo_root/src/LeakAnalyzers" -c Release -v q -nologo >/dev/null
[ -n "$fixes" ] && dotnet build "$repo_root/src/LeakAnalyzers.CodeFixes" -c Release -v q -nologo >/dev/null
dotnet build "$here/LeakAnalyzers.RealCode" -c Release -v q -nologo >/dev/null
runner=("dotnet" "$here/LeakAnalyzers.RealCode/bin/Release/net10.0/LeakAnalyzers.RealCode.dll")

mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
while IFS=$'\t' read -r name repo commit folder include options; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  [ "$include" = "-" ] && include=
  [ "$options" = "-" ] && options=
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  git_dir=$MIRROR/${repo/\//+}/repo
  if ! git -C "$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "run-corpora: $name: no snapshot of $repo at $commit under $MIRROR (fetch github:$repo first)" >&2
    status=2
    continue
  fi
  dest=$scratch/$name
  mkdir -p "$dest"
  paths=()
  if [ -n "$include" ]; then
    IFS=',' read -ra subs <<<"$include"
    for s in "${subs[@]}"; do paths+=("${folder%/}/$s"); done
  else
    paths=("$folder")
  fi
  git -C "$git_dir" archive "$commit" -- "${paths[@]}" | tar -x -C "$dest"
  if [ -n "$fixes" ]; then
    args=(fixes "$dest/$folder" --out "$out/$name.fixes.tsv")
  elif [ -n "$perdoc" ]; then
    args=(perdoc "$dest/$folder" --tools "$tools" --check --out "$out/$name.perdoc.tsv")
  else
    args=(findings "$dest/$folder" --tools "$tools" --out "$out/$name.tsv")
  fi
  [ -n "$include" ] && args+=(--include "$include")
  # shellcheck disable=SC2206
  [ -n "$options" ] && args+=($options)
  # shellcheck disable=SC2206
  [ -n "$extra" ] && args+=($extra)
  echo "== $name ($repo @ ${commit:0:10}, $folder${include:+ [$include]})" >&2
  if [ -n "$perdoc" ]; then
    "${runner[@]}" "${args[@]}" >"$out/$name.perdoc.md" || status=$?
  else
    "${runner[@]}" "${args[@]}" || status=$?
  fi
  rm -rf "$dest"
done <"$here/corpora.tsv"
exit $status
