/*
 * The CLI's one writer of text that came from the files or the arguments
 * (identifiers, labels, file names, messages that quote them): such text
 * may be hostile, so no terminal escape sequence gets through and no line
 * is forged. Every text format (check's diagnostics, explain, lint, audit)
 * prints file-controlled strings through it.
 */
#include "cli.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs,
 * surrogates or code points above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *u)
{
	unsigned char c = u[0], lo = 0x80, hi = 0xBF;
	size_t need;
	if (c < 0x80)
		return 1;
	else if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c == 0xE0)
		need = 2, lo = 0xA0;
	else if (c == 0xED)
		need = 2, hi = 0x9F;
	else if (c >= 0xE1 && c <= 0xEF)
		need = 2;
	else if (c == 0xF0)
		need = 3, lo = 0x90;
	else if (c == 0xF4)
		need = 3, hi = 0x8F;
	else if (c >= 0xF1 && c <= 0xF3)
		need = 3;
	else
		return 0;
	for (size_t k = 1; k <= need; k++) {
		unsigned char cc = u[k]; /* a NUL stops it: not a continuation */
		if (cc < (k == 1 ? lo : 0x80) || cc > (k == 1 ? hi : 0xBF))
			return 0;
	}
	return need + 1;
}

bool cli_utf8_valid(const char *s, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; u[i];) {
		size_t n = utf8_len(u + i);
		if (!n) {
			*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

void cli_put_text(FILE *f, const char *s, bool keep_newlines)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	while (*u) {
		size_t n = utf8_len(u);
		if (n == 1 && (*u < 0x20 || *u == 0x7f) && !(keep_newlines && *u == '\n'))
			fprintf(f, "\\x%02x", *u);
		else if (n == 0)
			fprintf(f, "\\x%02x", *u); /* not UTF-8: a lone 0x9b is CSI to some terminals */
		else if (n == 2 && u[0] == 0xC2 && u[1] <= 0x9F)
			fprintf(f, "\\u%04x", u[1]); /* C1 controls */
		else
			fwrite(u, 1, n, f);
		u += n ? n : 1;
	}
}

void cli_print_diag(const cg_diag *d)
{
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		static const char *const sev[] = {"error", "warning", "note"};
		const char *file = cg_diag_file(d, i), *ptr = cg_diag_pointer(d, i);
		const char *hint = cg_diag_hint(d, i);
		cg_severity sv = cg_diag_severity(d, i);
		if (file) {
			cli_put_text(stderr, file, false);
			if (cg_diag_line(d, i))
				fprintf(stderr, ":%u:%u", cg_diag_line(d, i), cg_diag_column(d, i));
			fputs(": ", stderr);
		}
		fprintf(stderr, "%s: ", sv <= CG_SEV_NOTE ? sev[sv] : "error");
		cli_put_text(stderr, cg_diag_message(d, i), false);
		if (ptr) {
			fputs(" (at ", stderr);
			cli_put_text(stderr, *ptr ? ptr : "/", false);
			fputc(')', stderr);
		}
		if (hint) {
			fputs("\n  hint: ", stderr);
			cli_put_text(stderr, hint, false);
		}
		fputc('\n', stderr);
	}
}
