/* filter.c: MLflow's search grammar (comparisons joined by AND) and order-by lists
 * for runs and registered models: a lexer, a parser into struct filter and struct
 * order_list, and a compiler to SQL over schema.c's tables that binds every key and value. */
#include "config.h"
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "filter.h"
#include "xmalloc.h"

/* ---- what can be searched ---------------------------------------------- */

enum attr_type { A_STR, A_ID, A_NUM };

enum { AF_FILTER = 1, AF_ORDER = 2, AF_NULLABLE = 4 };
#define AF_BOTH (AF_FILTER | AF_ORDER)

struct attr {
	const char *name;   /* as the user writes it */
	const char *canon;  /* stored in the tree */
	const char *column; /* SQL over alias r or m; never user text */
	enum attr_type type;
	unsigned flags;
};

static const struct attr run_attrs[] = {
    {"run_id", "run_id", "r.run_uuid", A_ID, AF_BOTH},
    {"run_name", "run_name", "r.run_name", A_STR, AF_BOTH},
    {"run name", "run_name", "r.run_name", A_STR, AF_BOTH},
    {"user_id", "user_id", "r.user_id", A_STR, AF_BOTH},
    {"status", "status", "r.status", A_STR, AF_BOTH},
    {"artifact_uri", "artifact_uri", "r.artifact_uri", A_STR, AF_BOTH},
    {"lifecycle_stage", "lifecycle_stage", "r.lifecycle_stage", A_STR, AF_BOTH},
    {"start_time", "start_time", "r.start_time", A_NUM, AF_BOTH},
    {"created", "start_time", "r.start_time", A_NUM, AF_BOTH},
    {"Created", "start_time", "r.start_time", A_NUM, AF_BOTH},
    {"end_time", "end_time", "r.end_time", A_NUM, AF_BOTH | AF_NULLABLE},
    {NULL, NULL, NULL, A_STR, 0},
};

static const struct attr model_attrs[] = {
    {"name", "name", "m.name", A_STR, AF_BOTH},
    {"last_updated_timestamp", "last_updated_timestamp", "m.last_updated_time", A_NUM, AF_ORDER},
    {"timestamp", "last_updated_timestamp", "m.last_updated_time", A_NUM, AF_ORDER},
    {"creation_timestamp", "creation_timestamp", "m.creation_time", A_NUM, AF_ORDER},
    {NULL, NULL, NULL, A_STR, 0},
};

/* A gate's one field: the candidate model's drift status (no SQL column). */
static const struct attr gate_attrs[] = {
    {"drift", "drift", NULL, A_STR, AF_FILTER},
    {NULL, NULL, NULL, A_STR, 0},
};

/* The values `drift` takes in a gate: drift_status_name's, and none. */
static const char *const drift_values[] = {"ok", "warn", "drift", "none"};

static const struct {
	const char *name;
	enum filter_kind kind;
} prefixes[] = {
    {"metrics", FK_METRIC},   {"metric", FK_METRIC},   {"params", FK_PARAM}, {"param", FK_PARAM},
    {"parameters", FK_PARAM}, {"parameter", FK_PARAM}, {"tags", FK_TAG},     {"tag", FK_TAG},
    {"attributes", FK_ATTR},  {"attribute", FK_ATTR},  {"attr", FK_ATTR},    {"run", FK_ATTR},
};

/* Where metric, param and tag values live, as SQL fragments. */
struct kv_source {
	enum filter_target target;
	enum filter_kind kind;
	const char *from, *link, *key, *value;
	const char *sort;  /* the value as ORDER BY sees it (NULL when missing) */
	const char *extra; /* further condition in filters */
};

static const struct kv_source kv_sources[] = {
    {FILTER_RUNS, FK_METRIC, "latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id",
     "lm.run_id = r.id", "mk.key", "lm.value", "CASE WHEN lm.is_nan THEN NULL ELSE lm.value END",
     " AND lm.is_nan = 0"},
    {FILTER_RUNS, FK_PARAM, "params p", "p.run_id = r.id", "p.key", "p.value", "p.value", ""},
    {FILTER_RUNS, FK_TAG, "run_tags t", "t.run_id = r.id", "t.key", "t.value", "t.value", ""},
    {FILTER_MODELS, FK_TAG, "model_tags mt", "mt.model_id = m.id", "mt.key", "mt.value", "mt.value",
     ""},
};

static const char *const op_names[] = {"=",  "!=",   "<",     "<=", ">",
				       ">=", "LIKE", "ILIKE", "IN", "NOT IN"};

/* The attribute called name for target with one of flags (0: any), or NULL. */
static const struct attr *attr_find(enum filter_target target, const char *name, unsigned flags)
{
	const struct attr *a = target == FILTER_MODELS	? model_attrs
			       : target == FILTER_GATES ? gate_attrs
							: run_attrs;

	for (; a->name; a++)
		if (strcmp(a->name, name) == 0 && (flags == 0 || (a->flags & flags)))
			return a;
	return NULL;
}

/* The table holding kind's values for target, or NULL. */
static const struct kv_source *kv_find(enum filter_target target, enum filter_kind kind)
{
	for (size_t i = 0; i < sizeof kv_sources / sizeof kv_sources[0]; i++)
		if (kv_sources[i].target == target && kv_sources[i].kind == kind)
			return &kv_sources[i];
	return NULL;
}

/* ---- lexer ---------------------------------------------------------------- */

enum tok_type { T_END, T_WORD, T_STRING, T_BACKTICK, T_NUMBER, T_OP, T_LPAREN, T_RPAREN, T_COMMA };

struct tok {
	enum tok_type type;
	size_t off, len; /* where the token is in the input */
	int col;	 /* 1-based, in characters */
	char *text;	 /* words, strings and back-ticked keys, decoded; owned */
	char quote;	 /* T_STRING: ' or " */
};

struct parser {
	const char *src;
	const char *what; /* "filter" or "order-by", for messages */
	enum filter_target target;
	struct tok *toks;
	size_t n, cap, pos;
	size_t col_off; /* the column of byte col_off is col (tokens come in order) */
	int col;
	struct mlc_error *err;
};

/* Fail with a syntax error at column col; returns -1. */
static int syntax_error(struct parser *p, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int syntax_error(struct parser *p, int col, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mlc_error_set(p->err, MLC_ERR_USAGE, "%s syntax error at column %d: %s", p->what, col, msg);
	if (p->err)
		p->err->column = col;
	return -1;
}

/* The 1-based column of byte off in s, counting UTF-8 characters. */
static int column_of(const char *s, size_t off)
{
	int col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* ASCII only, whatever the locale. */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* What a bare key or keyword may start with. */
static int is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* What a bare key may contain (quote it for anything else). */
static int is_word_char(char c)
{
	return is_word_start(c) || is_digit(c) || c == '.';
}

/* The column of byte off, counted on from the last token's: lexing stays
 * linear (counting from the start for every token took seconds for 98 KB). */
static int column_at(struct parser *p, size_t off)
{
	if (off < p->col_off) {
		p->col_off = 0;
		p->col = 1;
	}
	for (; p->col_off < off; p->col_off++)
		if (((unsigned char)p->src[p->col_off] & 0xC0) != 0x80)
			p->col++;
	return p->col;
}

/* Append a token; the pointer is valid until the next push. */
static struct tok *push_tok(struct parser *p, enum tok_type type, size_t off, size_t len)
{
	struct tok *t;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->toks = xrealloc(p->toks, p->cap * sizeof *p->toks);
	}
	t = &p->toks[p->n++];
	memset(t, 0, sizeof *t);
	t->type = type;
	t->off = off;
	t->len = len;
	t->col = column_at(p, off);
	return t;
}

/* Decode the quoted text opening at src[*i] (the quote doubled inside stands for
 * itself) into *out, which the caller frees; *i moves past the closing quote. */
static int lex_quoted(struct parser *p, size_t *i, char **out)
{
	const char *s = p->src;
	char q = s[*i];
	struct strbuf sb = {0};
	size_t j = *i + 1;

	for (;; j++) {
		if (s[j] == '\0') {
			sb_free(&sb);
			return syntax_error(p, column_of(s, *i), "unterminated %s: no closing %c",
					    q == '`' ? "key" : "string", q);
		}
		if (s[j] == q && s[j + 1] != q)
			break;
		if (s[j] == q)
			j++; /* a doubled quote */
		sb_addc(&sb, s[j]);
	}
	*out = sb_detach(&sb);
	*i = j + 1;
	return 0;
}

/* A '…' or "…" string, or a `…` key. */
static int lex_string(struct parser *p, size_t *i)
{
	size_t start = *i;
	char q = p->src[start];
	char *text;
	struct tok *t;

	if (lex_quoted(p, i, &text) < 0)
		return -1;
	t = push_tok(p, q == '`' ? T_BACKTICK : T_STRING, start, *i - start);
	t->text = text;
	t->quote = q;
	return 0;
}

/* A bare word; one ending in '.' takes a quoted key that follows as part of itself
 * (tags."user-name", metrics.`val loss`). */
static int lex_word(struct parser *p, size_t *i)
{
	const char *s = p->src;
	size_t start = *i, j = *i;
	struct strbuf sb = {0};
	char *quoted = NULL;
	struct tok *t;

	while (is_word_char(s[j]))
		j++;
	sb_addn(&sb, s + start, j - start);
	if (s[j - 1] == '.' && (s[j] == '"' || s[j] == '`')) {
		if (lex_quoted(p, &j, &quoted) < 0) {
			sb_free(&sb);
			return -1;
		}
		sb_add(&sb, quoted);
		free(quoted);
	}
	t = push_tok(p, T_WORD, start, j - start);
	t->text = sb_detach(&sb);
	*i = j;
	return 0;
}

/* The end of a number (-1.5e3, .5, 42) starting at s[i], or i when there is none. */
static size_t scan_number(const char *s, size_t i)
{
	size_t j = i, digits = 0, k;

	if (s[j] == '-')
		j++;
	for (; is_digit(s[j]); j++)
		digits++;
	if (s[j] == '.')
		for (j++; is_digit(s[j]); j++)
			digits++;
	if (digits == 0)
		return i;
	if (s[j] == 'e' || s[j] == 'E') {
		k = j + 1;
		if (s[k] == '+' || s[k] == '-')
			k++;
		if (is_digit(s[k])) {
			while (is_digit(s[k]))
				k++;
			j = k;
		}
	}
	return j;
}

/* The length of the comparison operator at s, or 0. */
static size_t scan_op(const char *s)
{
	if ((s[0] == '!' || s[0] == '<' || s[0] == '>') && s[1] == '=')
		return 2;
	return s[0] == '=' || s[0] == '<' || s[0] == '>';
}

/* Reject a character no token starts with. */
static int bad_char(struct parser *p, size_t i)
{
	unsigned char c = (unsigned char)p->src[i];
	int col = column_of(p->src, i);

	if (c <= ' ' || c >= 0x7F)
		return syntax_error(p, col, "unexpected character");
	return syntax_error(p, col, "unexpected character '%c'%s", c,
			    strchr("-/:", c) ? " (put keys with special characters in backticks "
					       "or double quotes)"
					     : "");
}

/* Lex the token at src[*i]. */
static int lex_token(struct parser *p, size_t *i)
{
	const char *s = p->src;
	size_t end;
	static const char punct[] = "(),";
	static const enum tok_type punct_type[] = {T_LPAREN, T_RPAREN, T_COMMA};

	if (s[*i] == '\'' || s[*i] == '"' || s[*i] == '`')
		return lex_string(p, i);
	if (is_word_start(s[*i]))
		return lex_word(p, i);
	if ((end = scan_number(s, *i)) > *i) {
		push_tok(p, T_NUMBER, *i, end - *i);
		*i = end;
		return 0;
	}
	if ((end = *i + scan_op(s + *i)) > *i) {
		push_tok(p, T_OP, *i, end - *i);
		*i = end;
		return 0;
	}
	if (strchr(punct, s[*i])) {
		push_tok(p, punct_type[strchr(punct, s[*i]) - punct], *i, 1);
		(*i)++;
		return 0;
	}
	return bad_char(p, *i);
}

/* Split the whole input into tokens, ending with T_END; an input longer
 * than FILTER_MAX_LEN is refused before. */
static int lex_all(struct parser *p)
{
	size_t i = 0, len = strlen(p->src);

	if (len > FILTER_MAX_LEN)
		return mlc_error_set(p->err, MLC_ERR_USAGE,
				     "%s of %zu bytes is longer than the limit of %d bytes",
				     p->what, len, FILTER_MAX_LEN);
	for (;;) {
		while (p->src[i] == ' ' || p->src[i] == '\t' || p->src[i] == '\n' ||
		       p->src[i] == '\r')
			i++;
		if (p->src[i] == '\0')
			break;
		if (lex_token(p, &i) < 0)
			return -1;
	}
	push_tok(p, T_END, i, 0);
	return 0;
}

/* ---- parser ------------------------------------------------------------- */

/* Prepare p to read src (NULL reads as empty). */
static void parser_init(struct parser *p, const char *src, const char *what,
			enum filter_target target, struct mlc_error *err)
{
	memset(p, 0, sizeof *p);
	p->src = src ? src : "";
	p->what = what;
	p->target = target;
	p->col = 1;
	p->err = err;
}

/* Free the tokens. */
static void parser_done(struct parser *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->toks[i].text);
	free(p->toks);
}

/* The current token, staying on it. */
static const struct tok *peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

/* The current token; moves on unless it is the end. */
static const struct tok *next(struct parser *p)
{
	const struct tok *t = &p->toks[p->pos];

	if (t->type != T_END)
		p->pos++;
	return t;
}

/* Whether t is the bare word kw, in any case. */
static int is_keyword(const struct tok *t, const char *kw)
{
	return t->type == T_WORD && strcasecmp(t->text, kw) == 0;
}

/* t quoted for a message (at most 40 bytes of it), or "the end". */
static const char *describe(const struct parser *p, const struct tok *t, char *buf, size_t n)
{
	if (t->type == T_END)
		return "the end";
	snprintf(buf, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), p->src + t->off);
	return buf;
}

/* MLflow has no OR and no parentheses; say so before anything else confuses the
 * user. A '(' is allowed only to open the list after IN. */
static int check_no_or(struct parser *p)
{
	static const char no_or[] =
	    "MLflow search has no OR and no parentheses: join conditions with AND";
	int in_list = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct tok *t = &p->toks[i];

		if (is_keyword(t, "or"))
			return syntax_error(p, t->col, "%s", no_or);
		if (t->type == T_LPAREN && !in_list && i > 0 && is_keyword(&p->toks[i - 1], "in"))
			in_list = 1;
		else if (t->type == T_RPAREN && in_list)
			in_list = 0;
		else if (t->type == T_LPAREN || t->type == T_RPAREN)
			return syntax_error(p, t->col, "%s", no_or);
	}
	return 0;
}

/* A key as parsed: its kind, its key (owned) and, for attributes, the attribute. */
struct ident {
	enum filter_kind kind;
	char *key;
	const struct attr *attr;
	const struct tok *tok;
};

/* Split the word t at its first '.' into a kind and the rest (*name). */
static int split_prefix(struct parser *p, const struct tok *t, enum filter_kind *kind,
			const char **name)
{
	const char *dot = strchr(t->text, '.');
	size_t n;

	*kind = FK_ATTR;
	*name = t->text;
	if (dot == NULL)
		return 0;
	n = (size_t)(dot - t->text);
	*name = dot + 1;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		if (strlen(prefixes[i].name) == n &&
		    strncasecmp(prefixes[i].name, t->text, n) == 0) {
			*kind = prefixes[i].kind;
			return 0;
		}
	}
	return syntax_error(p, t->col,
			    "unknown prefix '%.*s.' (use metrics., params., tags. or attributes.)",
			    (int)n, t->text);
}

/* What may follow "expected" when an attribute is unknown. */
static const char *attr_hint(enum filter_target target, int order)
{
	if (target == FILTER_MODELS)
		return order ? "name, last_updated_timestamp or creation_timestamp"
			     : "name or tags.<key>";
	if (target == FILTER_GATES)
		return "drift, metrics.<key>, params.<key> or tags.<key>";
	return "run_id, run_name, user_id, status, artifact_uri, lifecycle_stage, start_time or "
	       "end_time";
}

/* Registered models have only tags and a few attributes. */
static int kind_allowed(enum filter_target target, enum filter_kind kind, int order)
{
	if (target == FILTER_GATES)
		return !order;
	return target == FILTER_RUNS || kind == FK_ATTR || (kind == FK_TAG && !order);
}

/* Read a key (metrics.acc, tags."user-name", run_name, "run name"). */
static int parse_ident(struct parser *p, int order, struct ident *id)
{
	const struct tok *t = next(p);
	const char *name;
	char buf[48];

	memset(id, 0, sizeof *id);
	id->tok = t;
	if (t->type == T_BACKTICK || (t->type == T_STRING && t->quote == '"')) {
		id->kind = FK_ATTR;
		name = t->text;
	} else if (t->type == T_WORD) {
		if (split_prefix(p, t, &id->kind, &name) < 0)
			return -1;
	} else {
		return syntax_error(p, t->col,
				    "expected a key such as metrics.acc, params.lr or %s, got %s",
				    p->target == FILTER_MODELS ? "name" : "run_name",
				    describe(p, t, buf, sizeof buf));
	}
	if (!kind_allowed(p->target, id->kind, order))
		return syntax_error(p, t->col, "%s can be %s by %s only",
				    p->target == FILTER_GATES ? "gates" : "registered models",
				    order ? "ordered" : "searched", attr_hint(p->target, order));
	if (id->kind == FK_ATTR) {
		id->attr = attr_find(p->target, name, order ? AF_ORDER : AF_FILTER);
		if (id->attr == NULL)
			return syntax_error(p, t->col, "unknown attribute '%s' (expected %s)", name,
					    attr_hint(p->target, order));
		name = id->attr->canon;
	} else if (*name == '\0') {
		return syntax_error(p, t->col, "missing key after '%.*s'", (int)t->len,
				    p->src + t->off);
	}
	id->key = xstrdup(name);
	return 0;
}

/* What values a key takes. */
static enum attr_type ident_type(const struct ident *id)
{
	if (id->kind == FK_METRIC)
		return A_NUM;
	return id->kind == FK_ATTR ? id->attr->type : A_STR;
}

/* The operators keys of type ty take, for messages. */
static const char *op_hint(enum attr_type ty)
{
	if (ty == A_NUM)
		return "= != < <= > >=";
	return ty == A_ID ? "= != LIKE ILIKE IN or NOT IN" : "= != LIKE ILIKE";
}

/* Whether op applies to keys of type ty. */
static int op_allowed(enum attr_type ty, enum filter_op op)
{
	if (ty == A_NUM)
		return op <= FOP_GE;
	if (op == FOP_EQ || op == FOP_NE || op == FOP_LIKE || op == FOP_ILIKE)
		return 1;
	return ty == A_ID && (op == FOP_IN || op == FOP_NOT_IN);
}

/* Whether the raw text of t is exactly s. */
static int tok_is(const struct parser *p, const struct tok *t, const char *s)
{
	return strlen(s) == t->len && strncmp(s, p->src + t->off, t->len) == 0;
}

/* The operator t stands for (NOT IN aside); 0 when it is none. */
static int op_of(const struct parser *p, const struct tok *t, enum filter_op *op)
{
	for (int i = 0; i <= FOP_IN; i++) {
		const char *name = op_names[i];

		if (i <= FOP_GE ? t->type == T_OP && tok_is(p, t, name) : is_keyword(t, name)) {
			*op = (enum filter_op)i;
			return 1;
		}
	}
	return 0;
}

/* Read the operator after id into *op. */
static int parse_op(struct parser *p, const struct ident *id, enum filter_op *op)
{
	const struct tok *t = next(p);
	char buf[48];
	int adjacent = t->type != T_END && t->off == id->tok->off + id->tok->len;

	if (op_of(p, t, op))
		return 0;
	if (is_keyword(t, "not")) {
		if (!is_keyword(peek(p), "in"))
			return syntax_error(p, peek(p)->col, "expected IN after NOT");
		next(p);
		*op = FOP_NOT_IN;
		return 0;
	}
	return syntax_error(p, t->col, "expected an operator after %.*s, got %s%s",
			    (int)id->tok->len, p->src + id->tok->off,
			    describe(p, t, buf, sizeof buf),
			    adjacent ? " (put keys with special characters in backticks or "
				       "double quotes)"
				     : "");
}

/* Add an empty value to c; returns it. */
static struct filter_value *add_value(struct filter_clause *c)
{
	/* the room grows by doubling: n_values 0, 1, 2, 4, ... is full */
	if ((c->n_values & (c->n_values - 1)) == 0)
		c->values =
		    xrealloc(c->values, (c->n_values ? 2 * c->n_values : 1) * sizeof *c->values);
	memset(&c->values[c->n_values], 0, sizeof *c->values);
	return &c->values[c->n_values++];
}

/* Convert the number token t, whatever the locale's decimal point. */
static int parse_number(struct parser *p, const struct tok *t, double *out)
{
	const char *dp = localeconv()->decimal_point;
	char buf[64], *end, *dot;

	if (t->len >= sizeof buf)
		return syntax_error(p, t->col, "number too long");
	memcpy(buf, p->src + t->off, t->len);
	buf[t->len] = '\0';
	if (dp && dp[0] && !dp[1] && (dot = strchr(buf, '.')) != NULL)
		*dot = dp[0];
	*out = strtod(buf, &end);
	if (*end != '\0' || !isfinite(*out))
		return syntax_error(p, t->col, "number out of range: %.*s", (int)t->len,
				    p->src + t->off);
	return 0;
}

/* Read the ('a', 'b') list after IN / NOT IN. */
static int parse_list(struct parser *p, struct filter_clause *c)
{
	const struct tok *t = next(p);

	if (t->type != T_LPAREN)
		return syntax_error(p, t->col, "expected '(' after %s", op_names[c->op]);
	for (;;) {
		t = next(p);
		if (t->type != T_STRING)
			return syntax_error(p, t->col, "expected a quoted string in the %s list",
					    op_names[c->op]);
		add_value(c)->str = xstrdup(t->text);
		t = next(p);
		if (t->type == T_RPAREN)
			return 0;
		if (t->type != T_COMMA)
			return syntax_error(p, t->col, "expected ',' or ')' in the %s list",
					    op_names[c->op]);
	}
}

/* A gate's `live` after the operator of c (id's key): the live version's
 * value of the same key, compared with = != < <= > >= only. */
static int parse_live(struct parser *p, const struct ident *id, struct filter_clause *c)
{
	const struct tok *t = next(p);
	struct filter_value *v;

	if (c->op == FOP_LIKE || c->op == FOP_ILIKE)
		return syntax_error(p, t->col, "live cannot follow %s (use = or !=)",
				    op_names[c->op]);
	v = add_value(c);
	v->is_live = 1;
	v->is_number = ident_type(id) == A_NUM;
	return 0;
}

/* The value after `drift =` or `drift !=` in a gate: ok, warn, drift (or
 * drifting) or none, bare or quoted. */
static int parse_drift_value(struct parser *p, struct filter_clause *c)
{
	const struct tok *t = next(p);

	if (c->op != FOP_EQ && c->op != FOP_NE)
		return syntax_error(p, t->col, "drift takes = or != only");
	for (size_t i = 0; i < sizeof drift_values / sizeof drift_values[0]; i++)
		if ((t->type == T_WORD || t->type == T_STRING) &&
		    strcasecmp(t->text, drift_values[i]) == 0) {
			add_value(c)->str = xstrdup(drift_values[i]);
			return 0;
		}
	if ((t->type == T_WORD || t->type == T_STRING) && strcasecmp(t->text, "drifting") == 0) {
		add_value(c)->str = xstrdup("drift"); /* as people say it */
		return 0;
	}
	return syntax_error(p, t->col, "expected ok, warn, drift or none after 'drift %s'",
			    op_names[c->op]);
}

/* Read the value(s) after the operator of c, of the type id takes. */
static int parse_value(struct parser *p, const struct ident *id, struct filter_clause *c)
{
	const struct tok *t;
	struct filter_value *v;
	int numeric = ident_type(id) == A_NUM;

	if (c->op == FOP_IN || c->op == FOP_NOT_IN)
		return parse_list(p, c);
	if (p->target == FILTER_GATES && id->kind == FK_ATTR)
		return parse_drift_value(p, c);
	if (p->target == FILTER_GATES && is_keyword(peek(p), "live"))
		return parse_live(p, id, c);
	t = next(p);
	if (t->type != (numeric ? T_NUMBER : T_STRING))
		return syntax_error(p, t->col, "expected %s after '%s' for %.*s",
				    numeric ? "a number" : "a quoted string", op_names[c->op],
				    (int)id->tok->len, p->src + id->tok->off);
	v = add_value(c);
	if (!numeric) {
		v->str = xstrdup(t->text);
		return 0;
	}
	v->is_number = 1;
	return parse_number(p, t, &v->num);
}

/* Read one comparison into c (zeroed; the caller frees it even on failure). */
static int parse_clause(struct parser *p, struct filter_clause *c)
{
	struct ident id;
	int opcol;

	c->column = peek(p)->col;
	if (is_keyword(peek(p), "and"))
		return syntax_error(p, c->column, "expected a condition before AND");
	if (parse_ident(p, 0, &id) < 0)
		return -1;
	c->kind = id.kind;
	c->key = id.key;
	opcol = peek(p)->col;
	if (parse_op(p, &id, &c->op) < 0)
		return -1;
	if (!op_allowed(ident_type(&id), c->op))
		return syntax_error(p, opcol, "%s is not allowed for %.*s (use %s)",
				    op_names[c->op], (int)id.tok->len, p->src + id.tok->off,
				    op_hint(ident_type(&id)));
	return parse_value(p, &id, c);
}

/* Refuse the term at the current token, one over FILTER_MAX_TERMS (what). */
static int too_many(struct parser *p, const char *what)
{
	mlc_error_set(p->err, MLC_ERR_USAGE, "%s at column %d: more than %d %s (the limit)",
		      p->what, peek(p)->col, FILTER_MAX_TERMS, what);
	if (p->err)
		p->err->column = peek(p)->col;
	return -1;
}

/* Read clause AND clause AND ... into f. */
static int parse_clauses(struct parser *p, struct filter *f)
{
	const struct tok *t;
	char buf[48];

	if (peek(p)->type == T_END)
		return 0;
	for (;;) {
		if (f->n == FILTER_MAX_TERMS)
			return too_many(p, "conditions joined by AND");
		f->clauses = xrealloc(f->clauses, (f->n + 1) * sizeof *f->clauses);
		memset(&f->clauses[f->n], 0, sizeof *f->clauses);
		if (parse_clause(p, &f->clauses[f->n++]) < 0)
			return -1;
		t = next(p);
		if (t->type == T_END)
			return 0;
		if (!is_keyword(t, "and"))
			return syntax_error(p, t->col,
					    "expected AND or the end of the filter, got %s",
					    describe(p, t, buf, sizeof buf));
		if (peek(p)->type == T_END)
			return syntax_error(p, t->col, "AND must be followed by a condition");
	}
}

/* Free what c owns. */
static void clause_free(struct filter_clause *c)
{
	free(c->key);
	for (size_t i = 0; i < c->n_values; i++)
		free(c->values[i].str);
	free(c->values);
}

/* Lex, refuse OR and parentheses, then read the clauses. */
struct filter *filter_parse(const char *expr, enum filter_target target, struct mlc_error *err)
{
	struct parser p;
	struct filter *f = xcalloc(1, sizeof *f);

	parser_init(&p, expr, "filter", target, err);
	if (lex_all(&p) < 0 || check_no_or(&p) < 0 || parse_clauses(&p, f) < 0) {
		filter_free(f);
		f = NULL;
	}
	parser_done(&p);
	return f;
}

/* Free f and everything in it. */
void filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		clause_free(&f->clauses[i]);
	free(f->clauses);
	free(f);
}

/* Read key [ASC|DESC], key [ASC|DESC] ... into out. */
static int parse_order_keys(struct parser *p, struct order_list *out)
{
	struct ident id;
	struct order_key *k;
	const struct tok *t;
	char buf[48];

	if (peek(p)->type == T_END)
		return 0;
	for (;;) {
		if (out->n == FILTER_MAX_TERMS)
			return too_many(p, "keys");
		if (parse_ident(p, 1, &id) < 0)
			return -1;
		out->keys = xrealloc(out->keys, (out->n + 1) * sizeof *out->keys);
		k = &out->keys[out->n++];
		k->kind = id.kind;
		k->key = id.key;
		k->desc = 0;
		t = next(p);
		if (is_keyword(t, "asc") || is_keyword(t, "desc")) {
			k->desc = is_keyword(t, "desc");
			t = next(p);
		}
		if (t->type == T_END)
			return 0;
		if (t->type != T_COMMA)
			return syntax_error(p, t->col, "expected ASC, DESC, ',' or the end, got %s",
					    describe(p, t, buf, sizeof buf));
	}
}

/* Lex and read the keys; out is empty on failure. */
int order_parse(const char *s, enum filter_target target, struct order_list *out,
		struct mlc_error *err)
{
	struct parser p;
	int rc;

	out->keys = NULL;
	out->n = 0;
	parser_init(&p, s, "order-by", target, err);
	rc = lex_all(&p);
	if (rc == 0)
		rc = parse_order_keys(&p, out);
	if (rc < 0)
		order_free(out);
	parser_done(&p);
	return rc;
}

/* Free the keys and leave o empty. */
void order_free(struct order_list *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->keys[i].key);
	free(o->keys);
	o->keys = NULL;
	o->n = 0;
}

/* ---- SQL ---------------------------------------------------------------- */

/* Add an argument of type to a; returns it, zeroed. */
static struct sql_arg *arg_push(struct sql_args *a, enum sql_arg_type type)
{
	struct sql_arg *x;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	x = &a->v[a->n++];
	memset(x, 0, sizeof *x);
	x->type = type;
	return x;
}

void sql_args_text(struct sql_args *a, const char *s)
{
	arg_push(a, SQL_ARG_TEXT)->text = xstrdup(s ? s : "");
}

void sql_args_real(struct sql_args *a, double d)
{
	arg_push(a, SQL_ARG_REAL)->real = d;
}

void sql_args_int(struct sql_args *a, int64_t i)
{
	arg_push(a, SQL_ARG_INT)->integer = i;
}

/* Bind v: text, or a number (an integer when allow_int and it is integral). */
static void arg_value(struct sql_args *a, const struct filter_value *v, int allow_int)
{
	double d = v->num;

	if (!v->is_number)
		sql_args_text(a, v->str);
	else if (allow_int && d == floor(d) && d >= -ldexp(1, 63) && d < ldexp(1, 63))
		arg_push(a, SQL_ARG_INT)->integer = (int64_t)d;
	else
		arg_push(a, SQL_ARG_REAL)->real = d;
}

/* Drop the arguments after the first n. */
static void args_truncate(struct sql_args *a, size_t n)
{
	while (a->n > n)
		free(a->v[--a->n].text);
}

void filter_compare_sql(struct strbuf *sb, struct sql_args *a, const char *col,
			const struct filter_clause *c, int allow_int)
{
	if (c->op == FOP_LIKE || c->op == FOP_ILIKE) {
		sb_printf(sb, "mlc_like(%s, ?, %d)", col, c->op == FOP_ILIKE);
	} else if (c->op == FOP_IN || c->op == FOP_NOT_IN) {
		sb_printf(sb, "%s %s (", col, op_names[c->op]);
		for (size_t i = 0; i < c->n_values; i++)
			sb_add(sb, i ? ", ?" : "?");
		sb_addc(sb, ')');
	} else {
		sb_printf(sb, "%s %s ?", col, op_names[c->op]);
	}
	for (size_t i = 0; i < c->n_values; i++)
		arg_value(a, &c->values[i], allow_int);
}

/* Append the SQL for one clause. */
static int clause_to_sql(const struct filter_clause *c, enum filter_target target,
			 struct strbuf *sb, struct sql_args *a, struct mlc_error *err)
{
	const struct attr *at;
	const struct kv_source *src;

	if (c->kind == FK_ATTR) {
		if ((at = attr_find(target, c->key, AF_FILTER)) == NULL)
			return mlc_error_set(err, MLC_ERR_USAGE, "cannot search by attribute '%s'",
					     c->key);
		filter_compare_sql(sb, a, at->column, c, 1);
		return 0;
	}
	if ((src = kv_find(target, c->kind)) == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE, "cannot search these by '%s'", c->key);
	sb_printf(sb, "EXISTS (SELECT 1 FROM %s WHERE %s AND %s = ?%s AND ", src->from, src->link,
		  src->key, src->extra);
	sql_args_text(a, c->key);
	filter_compare_sql(sb, a, src->value, c, 0);
	sb_addc(sb, ')');
	return 0;
}

/* Each clause in parentheses, joined by AND; on failure where and args are as given. */
int filter_to_sql(const struct filter *f, enum filter_target target, struct strbuf *where,
		  struct sql_args *args, struct mlc_error *err)
{
	size_t len = where->len, nargs = args->n;

	if (f == NULL || f->n == 0) {
		sb_add(where, "1");
		return 0;
	}
	if (target == FILTER_GATES)
		return mlc_error_set(err, MLC_ERR_USAGE, "a gate is not a search");
	for (size_t i = 0; i < f->n; i++) {
		sb_add(where, i ? " AND (" : "(");
		if (clause_to_sql(&f->clauses[i], target, where, args, err) < 0) {
			args_truncate(args, nargs);
			where->len = len;
			if (where->buf)
				where->buf[len] = '\0';
			return -1;
		}
		sb_addc(where, ')');
	}
	return 0;
}

/* Append the ORDER BY terms for k, missing values last. */
static int order_key_to_sql(const struct order_key *k, enum filter_target target, struct strbuf *sb,
			    struct sql_args *a, struct mlc_error *err)
{
	const char *dir = k->desc ? " DESC" : " ASC";
	const struct attr *at;
	const struct kv_source *src;

	if (k->kind == FK_ATTR) {
		if ((at = attr_find(target, k->key, AF_ORDER)) == NULL)
			return mlc_error_set(err, MLC_ERR_USAGE, "cannot order by attribute '%s'",
					     k->key);
		if (at->flags & AF_NULLABLE)
			sb_printf(sb, "%s IS NULL, ", at->column);
		sb_printf(sb, "%s%s, ", at->column, dir);
		return 0;
	}
	if ((src = kv_find(target, k->kind)) == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE, "cannot order these by '%s'", k->key);
	for (int i = 0; i < 2; i++) {
		sb_printf(sb, "(SELECT %s FROM %s WHERE %s AND %s = ?)%s, ", src->sort, src->from,
			  src->link, src->key, i == 0 ? " IS NULL" : dir);
		sql_args_text(a, k->key);
	}
	return 0;
}

/* The keys, then the tie-breaks; on failure sql and args are as given. */
int order_to_sql(const struct order_list *o, enum filter_target target, struct strbuf *sql,
		 struct sql_args *args, struct mlc_error *err)
{
	size_t len = sql->len, nargs = args->n;

	for (size_t i = 0; o && i < o->n; i++) {
		if (order_key_to_sql(&o->keys[i], target, sql, args, err) < 0) {
			args_truncate(args, nargs);
			sql->len = len;
			if (sql->buf)
				sql->buf[len] = '\0';
			return -1;
		}
	}
	sb_add(sql, target == FILTER_MODELS ? "m.name" : "r.start_time DESC, r.run_uuid");
	return 0;
}

/* Bind each argument by type; text is copied (SQLITE_TRANSIENT). Returns 0 or -1. */
int sql_args_bind(sqlite3_stmt *st, const struct sql_args *args, int first)
{
	int rc = SQLITE_OK;

	for (size_t i = 0; i < args->n && rc == SQLITE_OK; i++) {
		const struct sql_arg *x = &args->v[i];
		int idx = first + (int)i;

		if (x->type == SQL_ARG_TEXT)
			rc = sqlite3_bind_text(st, idx, x->text, -1, SQLITE_TRANSIENT);
		else if (x->type == SQL_ARG_REAL)
			rc = sqlite3_bind_double(st, idx, x->real);
		else
			rc = sqlite3_bind_int64(st, idx, x->integer);
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/* Free the texts and the array; args can be reused. */
void sql_args_free(struct sql_args *args)
{
	if (args == NULL)
		return;
	args_truncate(args, 0);
	free(args->v);
	args->v = NULL;
	args->n = args->cap = 0;
}

/* ---- mlc_like ----------------------------------------------------------- */

/* c lower-cased when icase and it is an ASCII capital. */
static unsigned char like_fold(unsigned char c, int icase)
{
	return icase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The start of the UTF-8 character after the one at s. */
static const unsigned char *utf8_next(const unsigned char *s)
{
	for (s++; (*s & 0xC0) == 0x80; s++)
		;
	return s;
}

/* SQL LIKE over UTF-8: % any run, _ one character, the rest literal (ASCII
 * letters folded when icase). Backtracks to the last % only, so O(len * len). */
static int like_match(const unsigned char *s, const unsigned char *p, int icase)
{
	const unsigned char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_s = s;
		} else if (*p == '_') {
			s = utf8_next(s);
			p++;
		} else if (*p && like_fold(*p, icase) == like_fold(*s, icase)) {
			s++;
			p++;
		} else if (star_p) {
			star_s = utf8_next(star_s);
			s = star_s;
			p = star_p;
		} else {
			return 0;
		}
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}

int filter_like(const char *value, const char *pattern, int icase)
{
	return like_match((const unsigned char *)value, (const unsigned char *)pattern, icase);
}

/* mlc_like(value, pattern, icase): NULL when value or pattern is NULL. */
static void like_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *v = sqlite3_value_text(argv[0]);
	const unsigned char *pat = sqlite3_value_text(argv[1]);

	(void)argc;
	if (v == NULL || pat == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int(ctx, like_match(v, pat, sqlite3_value_int(argv[2]) != 0));
}

/* Deterministic, so SQLite may use it in indexes and factor it out. Returns 0 or -1. */
int filter_register_sql(sqlite3 *db)
{
	int rc = sqlite3_create_function(db, "mlc_like", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					 NULL, like_func, NULL, NULL);

	return rc == SQLITE_OK ? 0 : -1;
}
