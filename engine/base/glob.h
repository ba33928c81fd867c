/*
 * Glob patterns over labels and event names, with the semantics of the Rust
 * `glob` crate's Pattern as Tauri uses it (default MatchOptions):
 *   ?      one character (a whole UTF-8 sequence)
 *   *      any run of characters, '/' included
 *   [abc] [a-z] [!abc]   character classes; ']' first in a class is literal
 * Matching is case-sensitive and against the whole string. There are no
 * backslash escapes ('\\' is literal). As in the crate, '**' is allowed only
 * as a whole '/'-separated component, and an unclosed '[' is an error.
 */
#ifndef CG_GLOB_H
#define CG_GLOB_H

#include "base/internal.h"

/* 0 if pat is a valid pattern; otherwise CG_EPATTERN, with *err_offset the
 * byte offset of the problem and *err_msg a static English message. Either
 * out pointer may be NULL. Invalid UTF-8 in pat is an error. */
CG_HIDDEN int cg_glob_validate(const char *pat, size_t *err_offset,
			       const char **err_msg);
/* Whether str matches the (valid) pattern pat. Bounded time: no
 * exponential backtracking. */
CG_HIDDEN bool cg_glob_match(const char *pat, const char *str);
/* Whether pat contains no special character (so strcmp is enough). */
CG_HIDDEN bool cg_glob_is_literal(const char *pat);

#endif
