check --syms old-guest.syms old-guest-symbol-unknown.vp
