check . err-check-directory.vp missing-file.vp
