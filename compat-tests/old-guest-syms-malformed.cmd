check --syms old-guest-bad.syms old-guest-syms-malformed.vp
