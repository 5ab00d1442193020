dump --code-bytes 300 lim-code-bytes-dump.vp
