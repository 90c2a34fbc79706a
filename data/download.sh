#!/usr/bin/env bash
# Downloads MNIST and/or Fashion-MNIST into data/<name>/ and verifies every file against the SHA-256
# sums beside this script. Usage: data/download.sh [mnist] [fashion-mnist]   (default: both)
# simdnet itself downloads missing files too (same mirrors, same checks); this script is for machines
# where you prefer to fetch the data first, or to check files you already have.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(mnist fashion-mnist)

mirrors_for() {
  case "$1" in
    mnist) echo "https://ossci-datasets.s3.amazonaws.com/mnist/ https://storage.googleapis.com/cvdf-datasets/mnist/" ;;
    fashion-mnist) echo "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" ;;
    *) echo "unknown data set '$1': use mnist or fashion-mnist" >&2; return 1 ;;
  esac
}

fetch() { # url dest
  if command -v curl >/dev/null; then curl -fsSL --retry 2 -o "$2" "$1"; else wget -q -O "$2" "$1"; fi
}

for set in "${sets[@]}"; do
  mirrors="$(mirrors_for "$set")"
  sums="$here/$set.SHA256SUMS"
  dir="$here/$set"
  mkdir -p "$dir"
  while read -r sum file; do
    [ -z "$file" ] && continue
    if [ -f "$dir/$file" ] && echo "$sum  $dir/$file" | sha256sum -c --status; then
      echo "$set/$file: present, checksum OK"
      continue
    fi
    ok=0
    for m in $mirrors; do
      tmp="$(mktemp "$dir/$file.XXXXXX.part")"
      if fetch "$m$file" "$tmp" && echo "$sum  $tmp" | sha256sum -c --status; then
        mv -f "$tmp" "$dir/$file"; ok=1; echo "$set/$file: downloaded from $m, checksum OK"; break
      fi
      rm -f "$tmp"; echo "$set/$file: failed from $m (download error or wrong checksum)" >&2
    done
    [ "$ok" = 1 ] || { echo "cannot download $file; fetch it yourself and check it with: cd $dir && sha256sum -c $sums" >&2; exit 1; }
  done < "$sums"
done
