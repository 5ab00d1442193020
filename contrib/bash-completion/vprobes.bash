# Bash completion for vmrun and vprobe (VProbes on KVM). Nothing installs
# it; load it from ~/.bashrc:
#
#   source /path/to/contrib/bash-completion/vprobes.bash
#
# Commands and options are read from the tool's own --help (the command
# being completed, so build/bin/vmrun completes as vmrun does), so this
# file never lists them itself. Probe names come from the running VM named
# on the line: `vmrun vprobeListProbes VMX`, `vprobe -l VMX`.

# _vprobes_help CMD: CMD --help, asked once per CMD.
declare -gA _vprobes_help_cache
_vprobes_help() {
  if [[ -z ${_vprobes_help_cache[$1]+set} ]]; then
    _vprobes_help_cache[$1]=$("$1" --help 2>/dev/null)
  fi
  printf '%s\n' "${_vprobes_help_cache[$1]}"
}

# _vprobes_options CMD: every spelling of every option in CMD --help.
_vprobes_options() {
  _vprobes_help "$1" | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n'
}

# _vprobes_option_takes_value CMD OPTION: true when --help shows a value
# after OPTION ("-d SECONDS").
_vprobes_option_takes_value() {
  local name rest
  while read -r name rest; do
    [[ ,$name, == *",$2,"* && $rest =~ ^[A-Z\[] ]] && return 0
  done < <(_vprobes_help "$1" | grep '^  -' | cut -c1-28)
  return 1
}

# _vprobes_probes CMD... : the probe names CMD prints (a running VM), else none.
_vprobes_probes() {
  timeout 5 "$@" 2>/dev/null
}

# _vprobes_files PATTERN...: files matching a PATTERN (e.g. '*.vmx') and
# folders.
_vprobes_files() {
  compopt -o filenames 2>/dev/null
  local p
  for p in "$@"; do COMPREPLY+=($(compgen -f -X "!$p" -- "$cur")); done
  COMPREPLY+=($(compgen -d -- "$cur"))
}

# vmrun [-T ws|fusion|player] COMMAND [PATH.vmx] [ARGS]: the commands and
# their arguments are the "Commands:" lines of vmrun --help, e.g.
# "  start PATH.vmx [gui|nogui]   Power on a virtual machine".
_vmrun() {
  local cmd=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  local i=1 at=0
  while ((i < COMP_CWORD)); do
    case ${COMP_WORDS[i]} in
      -T) ((i += 2)) ;;
      -*) ((i++)) ;;
      *) at=$i; break ;;
    esac
  done
  if [[ $prev == -T ]]; then
    COMPREPLY=($(compgen -W "ws fusion player" -- "$cur"))
    return
  fi
  local commands
  commands=$(_vprobes_help "$cmd" | sed -n '/^Commands:/,/^$/s/^  \([A-Za-z]\+\).*/\1/p')
  if ((at == 0)); then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$(_vprobes_options "$cmd")" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return
  fi
  local command=${COMP_WORDS[at]} line
  line=$(_vprobes_help "$cmd" | sed -n '/^Commands:/,/^$/p' | grep -i "^  $command " | head -1)
  [[ -n $line ]] || return
  local n=$((COMP_CWORD - at))
  if [[ $line == *" PATH.vmx"* ]]; then
    if ((n == 1)); then _vprobes_files '*.vmx'; return; fi
    ((n--))
  fi
  ((n == 1)) || [[ ${command,,} == vprobeload ]] || return
  case ${command,,} in
    vprobeload)
      COMPREPLY=($(compgen -W "$(_vprobes_probes "$cmd" vprobeListProbes "${COMP_WORDS[at + 1]}")" -- "$cur")) ;;
    vprobeloadfile) _vprobes_files '*.vp' ;;
    getguestsymbols) _vprobes_files '*' ;;
    *)
      local choices
      choices=$(sed -n 's/.*PATH\.vmx \[\([a-z|]*\)\].*/\1/p' <<< "$line")
      COMPREPLY=($(compgen -W "${choices//|/ }" -- "$cur")) ;;
  esac
}

# vprobe [OPTIONS] VMX [FILE...]: options from vprobe --help; -c completes
# probe names (vprobe -l VMX), the first other word a .vmx, then scripts.
_vprobe() {
  local cmd=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  local i=1 vmx="" words=0
  while ((i < COMP_CWORD)); do
    local w=${COMP_WORDS[i]}
    if [[ $w == -? ]] && _vprobes_option_takes_value "$cmd" "$w"; then
      ((i += 2)); continue
    fi
    if [[ $w != -* ]]; then
      ((words++)); [[ -z $vmx ]] && vmx=$w
    fi
    ((i++))
  done
  if [[ $prev == -* ]] && _vprobes_option_takes_value "$cmd" "$prev"; then
    case $prev in
      -c)
        # Probe names from a .vmx anywhere on the line (it may come after -c).
        local w
        for w in "${COMP_WORDS[@]:1}"; do [[ $w == *.vmx ]] && vmx=$w; done
        [[ -n $vmx ]] && COMPREPLY=($(compgen -W "$(_vprobes_probes "$cmd" -l "$vmx")" -- "$cur")) ;;
      -s) _vprobes_files '*' ;;
      -T) _vprobes_files '*.symdb' ;;
      -I) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
    esac
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_vprobes_options "$cmd")" -- "$cur"))
  elif ((words == 0)); then
    _vprobes_files '*.vmx'
  else
    _vprobes_files '*.emt' '*.vp'
  fi
}

complete -F _vmrun vmrun
complete -F _vprobe vprobe
