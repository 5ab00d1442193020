#!/usr/bin/env bash
# The Emmett cookbook (cookbook/*.emt): every script must compile with
# `emmett -s guests/demo/demo.syms -T guests/demo/demo.symdb`, load on a VP engine of the version it
# needs (`vp check`), and carry in its header the exact vprobe command
# that runs it against the demo VM; that command's -s/-D/-I options must
# be enough to compile it. (tests/suites/vprobe.sh runs some of them in the
# demo VM.) The Linux guest's scripts (linux-*.emt) compile with an
# excerpt of its kallsyms (tests/data/), standing for the file `vmrun
# getGuestSymbols` fetches from the running guest, and their header names
# guests/linux/linux.vmx (tests/suites/linux-guest.sh runs them there).
# Those that use the kernel's types ($vmlinux.T) compile against a
# database of the BTF in guests/linux's kernel image (extract-btf), which
# stands for the one fetched from the running guest.
# Prints PASS:/FAIL:/SKIP: per script.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
EMMETT=$PWD/$BUILD/bin/emmett
VP=$PWD/$BUILD/bin/vp
SYMS=guests/demo/demo.syms
for tool in "$EMMETT" "$VP"; do
  if [[ ! -x $tool ]]; then
    echo "FAIL: cookbook (${tool#$PWD/} is not built)"
    exit 1
  fi
done
if [[ ! -f $SYMS ]]; then
  echo "SKIP: cookbook ($SYMS is missing: run make guest)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The Emmett options of the vprobe command in a script's header.
header_options() {
  local words w next="" opts=()
  read -r -a words <<<"$1"
  for w in "${words[@]}"; do
    if [[ -n $next ]]; then opts+=("$next" "$w"); next=""; continue; fi
    case $w in
      -s|-T|-D|-I) next=$w ;;
      -s?*|-T?*|-D?*|-I?*) opts+=("$w") ;;
    esac
  done
  echo "${opts[@]}"
}

LINUX_SYMS=tests/data/linux-6.1-kallsyms-excerpt
# The Linux kernel's types: its BTF out of guests/linux's image, once.
LINUX_DB=$tmp/vmlinux.symdb LINUX_DB_WHY=""
if [[ ! -f guests/linux/out/vmlinuz ]]; then
  LINUX_DB_WHY="guests/linux is not built"
elif ! guests/linux/extract-btf guests/linux/out/vmlinuz "$tmp/vmlinux.btf" 2> "$tmp/btf.err" ||
     ! "$PWD/$BUILD/bin/emmett-symdb" "$tmp/vmlinux.btf" -n vmlinux -o "$LINUX_DB" 2>> "$tmp/btf.err"; then
  echo "FAIL: cookbook (the Linux kernel's BTF into a database: $(head -2 "$tmp/btf.err"))"
  LINUX_DB_WHY="no database of the kernel's BTF"
fi
for src in cookbook/*.emt; do
  name=$(basename "${src%.emt}")
  syms=$SYMS vmx=guests/demo/demo.vmx dbs=()
  # The demo kernel's symbol database (make guest), for external types.
  [[ -f guests/demo/demo.symdb ]] && dbs=(-T guests/demo/demo.symdb)
  [[ $name == linux-* ]] && syms=$LINUX_SYMS vmx=guests/linux/linux.vmx dbs=()
  # Itself or through the header that has them.
  if [[ $name == linux-* ]] && grep -q '\$vmlinux\.\|"linux-task-types.emh"' "$src"; then
    if [[ -n $LINUX_DB_WHY ]]; then
      echo "SKIP: cookbook/$name ($LINUX_DB_WHY: it needs the kernel's types)"
      continue
    fi
    dbs=(-T "$LINUX_DB")
  fi
  if ! "$EMMETT" -s "$syms" "${dbs[@]}" "$src" -o "$tmp/$name.vp" 2> "$tmp/$name.err"; then
    echo "FAIL: cookbook/$name (does not compile)"
    head -5 "$tmp/$name.err"
    continue
  fi
  version=$(sed -n 's/^(version "\(.*\)")$/\1/p' "$tmp/$name.vp" | head -n1)
  if ! "$VP" check --vp-version "${version:-1.0}" "$tmp/$name.vp" > "$tmp/$name.check" 2>&1; then
    echo "FAIL: cookbook/$name (the VP does not load)"
    head -5 "$tmp/$name.check"
    continue
  fi
  command=$(grep -m1 "^//  *build/bin/vprobe .* $vmx cookbook/$name.emt\( |.*\)\?\$" "$src")
  if [[ -z $command ]]; then
    echo "FAIL: cookbook/$name (no '//   build/bin/vprobe ... $vmx cookbook/$name.emt' line in its header)"
    continue
  fi
  command=${command%%|*}
  # The Linux guest's symbols exist once fetched from a running guest.
  [[ $name == linux-* ]] && command=${command//guests\/linux\/kallsyms/$LINUX_SYMS}
  [[ $name == linux-* ]] && command=${command//guests\/linux\/vmlinux.symdb/$LINUX_DB}
  read -r -a opts <<<"$(header_options "${command#//}")"
  if ! "$EMMETT" "${opts[@]}" "$src" > /dev/null 2> "$tmp/$name.err2"; then
    echo "FAIL: cookbook/$name (its header's command does not compile it: options '${opts[*]}')"
    head -3 "$tmp/$name.err2"
    continue
  fi
  echo "PASS: cookbook/$name (compiles, loads on VP ${version:-1.0}, header command checked)"
done
