/* mlruns_models.c: the model registry of an MLflow file store (models/NAME/
 * with meta.yaml, version-N/, tags/ and aliases/), read on each call: the
 * list_models, list_versions and versions_for_run operations. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xmalloc.h"
#include "mlruns_impl.h"

/* ---- operations: the model registry ------------------------------------- */

/* Aliases found for one model: alias -> version, in an arena. */
struct alias_map {
	struct mlc_alias *v;
	size_t n, cap;
};

/* Set alias to version unless it is already set (the first source wins). */
static void alias_add(struct mlc_arena *a, struct alias_map *am, const char *alias,
		      const char *version)
{
	for (size_t i = 0; i < am->n; i++)
		if (strcmp(am->v[i].alias, alias) == 0)
			return;
	struct mlc_alias *e = arena_grow(a, (void **)&am->v, &am->cap, am->n++, sizeof *e);
	e->alias = arena_strdup(a, alias);
	e->version = arena_strdup(a, version);
}

/* Aliases from a meta.yaml `aliases` value: a map alias: version, or a list
 * of alias names (version meta, version given) or of {alias, version} maps. */
static void aliases_from_yaml(struct yml *y, yaml_node_t *n, const char *version,
			      struct mlc_arena *a, struct alias_map *am)
{
	if (n && n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			const char *k = mlr_yml_scalar(yaml_document_get_node(&y->doc, p->key));
			const char *v = mlr_yml_scalar(yaml_document_get_node(&y->doc, p->value));
			if (k && v)
				alias_add(a, am, k, v);
		}
		return;
	}
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *item = yaml_document_get_node(&y->doc, *it);
		const char *name = mlr_yml_scalar(item);
		const char *v = version;
		if (item && item->type == YAML_MAPPING_NODE) {
			name = mlr_yml_scalar(mlr_yml_node_in(y, item, "alias"));
			v = mlr_yml_scalar(mlr_yml_node_in(y, item, "version"));
		}
		if (name && v)
			alias_add(a, am, name, v);
	}
}

/* Key/value files under dir (tags/ or aliases/) into an arena array. */
static struct mlc_kv *folder_values(struct mlruns_impl *m, struct mlc_arena *a, const char *dir,
				    size_t *n)
{
	struct entries es = {0};
	struct mlc_kv *kv;

	mlr_walk_keys(m, dir, &es);
	kv = mlr_load_values(m, a, &es, n);
	mlr_entries_free(&es);
	return kv;
}

/* Parse the version meta.yaml at path into v; 1 if it is a deleted version
 * (MLflow keeps those as Deleted_Internal), -1 if damaged (warned). */
static int load_version(struct mlruns_impl *m, const char *dir, struct mlc_arena *a,
			struct mlc_version *v, struct alias_map *am)
{
	char *path = xasprintf("%s/meta.yaml", dir), *tags;
	char why[256];
	struct yml y;
	int64_t num;
	const char *stage;

	if (mlr_yml_load(&y, m->root, path, why, sizeof why) < 0) {
		mlr_warn(m, path, "%s", why);
		free(path);
		return -1;
	}
	if (!mlr_yml_has(&y, "name") || mlr_yml_int(&y, "version", &num) < 0 ||
	    !mlr_yml_has(&y, "version") ||
	    mlr_yml_int(&y, "creation_timestamp", &v->creation_time) < 0 ||
	    mlr_yml_int(&y, "last_updated_timestamp", &v->last_updated_time) < 0) {
		mlr_warn(m, path,
			 "no name or version, or a time that is not a number (a truncated file?)");
		mlr_yml_free(&y);
		free(path);
		return -1;
	}
	stage = mlr_yml_str(&y, "current_stage");
	if (stage && strcmp(stage, "Deleted_Internal") == 0) {
		mlr_yml_free(&y);
		free(path);
		return 1;
	}
	v->version = arena_printf(a, "%lld", (long long)num);
	v->stage = arena_strdup(a, stage ? stage : "None");
	v->source = mlr_yml_dup(&y, "source", a);
	v->run_id = mlr_yml_dup(&y, "run_id", a);
	v->status =
	    arena_strdup(a, mlr_yml_str(&y, "status") ? mlr_yml_str(&y, "status") : "READY");
	v->description = mlr_yml_dup(&y, "description", a);
	v->user_id = mlr_yml_dup(&y, "user_id", a);
	aliases_from_yaml(&y, mlr_yml_node_in(&y, y.root, "aliases"), v->version, a, am);
	mlr_yml_free(&y);
	free(path);
	tags = xasprintf("%s/tags", dir);
	v->tags = folder_values(m, a, tags, &v->n_tags);
	free(tags);
	return 0;
}

static int cmp_version_desc(const void *a, const void *b)
{
	const struct mlc_version *x = a, *y = b;
	return -mlc_cmp_numeric_str(x->version, y->version);
}

static int cmp_alias(const void *a, const void *b)
{
	return strcmp(((const struct mlc_alias *)a)->alias, ((const struct mlc_alias *)b)->alias);
}

/* Read model folder dir into mo, its versions (highest first) into vl, all in
 * a. The aliases/ folder is authoritative; without it, the aliases written in
 * the model's and its versions' meta.yaml count. -1 if damaged (warned). */
static int load_model(struct mlruns_impl *m, const char *dir, struct mlc_arena *a,
		      struct mlc_model *mo, struct mlc_version_list *vl)
{
	char *path = xasprintf("%s/meta.yaml", dir), *sub;
	struct alias_map am = {0};
	struct names ns;
	char why[256];
	struct yml y;
	size_t n_al = 0;

	if (mlr_yml_load(&y, m->root, path, why, sizeof why) < 0 || !mlr_yml_has(&y, "name")) {
		mlr_warn(m, path, "%s", y.root ? "no name (a truncated file?)" : why);
		mlr_yml_free(&y);
		free(path);
		return -1;
	}
	memset(mo, 0, sizeof *mo);
	mo->name = mlr_yml_dup(&y, "name", a);
	mo->description = mlr_yml_dup(&y, "description", a);
	if (mlr_yml_int(&y, "creation_timestamp", &mo->creation_time) < 0 ||
	    mlr_yml_int(&y, "last_updated_timestamp", &mo->last_updated_time) < 0)
		mlr_warn(m, path, "a time that is not a number; taken as 0");
	aliases_from_yaml(&y, mlr_yml_node_in(&y, y.root, "aliases"), NULL, a, &am);
	mlr_yml_free(&y);
	free(path);
	if (mlr_list_dir(m->root, dir, &ns) == 0) {
		for (size_t i = 0; i < ns.n; i++) {
			if (strncmp(ns.v[i], "version-", 8) != 0)
				continue;
			struct mlc_version v = {0};
			sub = xasprintf("%s/%s", dir, ns.v[i]);
			if (load_version(m, sub, a, &v, &am) == 0) {
				v.model = mo->name;
				*MLC_LIST_PUSH(vl) = v;
			}
			free(sub);
		}
		mlr_names_free(&ns);
	}
	if (vl->n > 1)
		qsort(vl->items, vl->n, sizeof *vl->items, cmp_version_desc);
	mo->n_versions = (int64_t)vl->n;
	mo->latest_version = vl->n ? vl->items[0].version : "";
	sub = xasprintf("%s/aliases", dir);
	struct mlc_kv *files = folder_values(m, a, sub, &n_al);
	if (access(sub, F_OK) == 0) {
		am.n = 0; /* the folder is the truth, even when empty */
		for (size_t i = 0; i < n_al; i++)
			alias_add(a, &am, files[i].key, files[i].value);
	}
	free(sub);
	if (am.n > 1)
		qsort(am.v, am.n, sizeof *am.v, cmp_alias);
	mo->aliases = am.v;
	mo->n_aliases = am.n;
	sub = xasprintf("%s/tags", dir);
	mo->tags = folder_values(m, a, sub, &mo->n_tags);
	free(sub);
	return 0;
}

/* Give each version the names of the aliases that point at it. */
static void attach_version_aliases(struct mlc_arena *a, const struct mlc_model *mo,
				   struct mlc_version_list *vl, size_t first)
{
	for (size_t i = first; i < vl->n; i++) {
		struct mlc_version *v = &vl->items[i];
		size_t cap = 0;
		v->aliases = NULL;
		v->n_aliases = 0;
		for (size_t k = 0; k < mo->n_aliases; k++)
			if (strcmp(mo->aliases[k].version, v->version) == 0)
				*(const char **)arena_grow(a, (void **)&v->aliases, &cap,
							   v->n_aliases++, sizeof(char *)) =
				    mo->aliases[k].alias;
	}
}

typedef int (*model_fn)(void *arg, const struct mlc_model *mo, struct mlc_version_list *vl);

/* Call fn for each registered model under models/ with its versions; stops
 * when fn returns nonzero and returns that. */
static int each_model(struct mlruns_impl *m, model_fn fn, void *arg)
{
	char *root = xasprintf("%s/models", m->root);
	struct names ns;
	struct stat st;
	enum ftype t = mlr_file_type(root, &st);
	int ret = 0;

	if (t != F_DIR) {
		if (t != F_MISSING)
			mlr_warn_not_folder(m, root, t, errno);
		free(root);
		return 0;
	}
	if (mlr_list_dir(m->root, root, &ns) < 0) {
		mlr_warn_not_folder(m, root, F_ERROR, errno);
		free(root);
		return 0;
	}
	for (size_t i = 0; i < ns.n && ret == 0; i++) {
		char *dir = xasprintf("%s/%s", root, ns.v[i]);
		struct mlc_version_list vl = {0};
		struct mlc_model mo;
		enum ftype ft = ns.v[i][0] == '.' ? F_MISSING : mlr_file_type(dir, &st);
		if (ns.v[i][0] != '.') {
			if (ft != F_DIR)
				mlr_warn_not_folder(m, dir, ft, errno);
			else if (load_model(m, dir, &vl.arena, &mo, &vl) == 0) {
				attach_version_aliases(&vl.arena, &mo, &vl, 0);
				ret = fn(arg, &mo, &vl);
			}
		}
		MLC_LIST_FREE(&vl);
		free(dir);
	}
	mlr_names_free(&ns);
	free(root);
	return ret;
}

/* Deep-copy a version into a. */
static void copy_version(struct mlc_arena *a, struct mlc_version *d, const struct mlc_version *s)
{
	*d = *s;
	d->model = arena_strdup(a, s->model);
	d->version = arena_strdup(a, s->version);
	d->source = arena_strdup(a, s->source);
	d->run_id = arena_strdup(a, s->run_id);
	d->status = arena_strdup(a, s->status);
	d->stage = arena_strdup(a, s->stage);
	d->description = arena_strdup(a, s->description);
	d->user_id = arena_strdup(a, s->user_id);
	d->tags = mlc_kvs_copy(a, s->tags, s->n_tags);
	d->aliases = arena_alloc(a, (s->n_aliases ? s->n_aliases : 1) * sizeof *d->aliases);
	for (size_t i = 0; i < s->n_aliases; i++)
		d->aliases[i] = arena_strdup(a, s->aliases[i]);
}

/* Whether model mo satisfies every clause of f (name and tags only). */
static int model_matches(const struct mlc_model *mo, const struct filter *f, struct mlc_error *err)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct filter_clause *c = &f->clauses[i];
		int ok;
		if (c->kind == FK_TAG)
			ok = mlr_match_str(mlc_kv_get(mo->tags, mo->n_tags, c->key), c);
		else if (c->kind == FK_ATTR && strcmp(c->key, "name") == 0)
			ok = mlr_match_str(mo->name, c);
		else
			return mlc_error_set(err, MLC_ERR_USAGE, "cannot search models by '%s'",
					     c->key);
		if (!ok)
			return 0;
	}
	return 1;
}

struct models_job {
	const struct filter *f;
	struct mlc_model_list *out;
	struct mlc_error *err;
};

/* Copy a model that passes the filter into the result. */
static int add_model(void *arg, const struct mlc_model *mo, struct mlc_version_list *vl)
{
	struct models_job *j = arg;
	struct mlc_arena *a = &j->out->arena;
	int ok = model_matches(mo, j->f, j->err);
	struct mlc_model *d;

	(void)vl;
	if (ok <= 0)
		return ok;
	d = MLC_LIST_PUSH(j->out);
	*d = *mo;
	d->name = arena_strdup(a, mo->name);
	d->description = arena_strdup(a, mo->description);
	d->latest_version = arena_strdup(a, mo->latest_version);
	d->tags = mlc_kvs_copy(a, mo->tags, mo->n_tags);
	d->aliases = arena_alloc(a, (mo->n_aliases ? mo->n_aliases : 1) * sizeof *d->aliases);
	for (size_t i = 0; i < mo->n_aliases; i++) {
		d->aliases[i].alias = arena_strdup(a, mo->aliases[i].alias);
		d->aliases[i].version = arena_strdup(a, mo->aliases[i].version);
	}
	return 0;
}

static int cmp_model_name(const void *a, const void *b)
{
	return strcmp(((const struct mlc_model *)a)->name, ((const struct mlc_model *)b)->name);
}

/* Registered models matching filter (MLflow syntax), by name. */
int mlruns_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
		       struct mlc_error *err)
{
	struct filter *f = filter_parse(filter, FILTER_MODELS, err);
	struct models_job j = {f, out, err};
	int rc;

	if (f == NULL)
		return -1;
	rc = each_model(IMPL(r), add_model, &j);
	filter_free(f);
	if (rc < 0)
		return -1;
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, cmp_model_name);
	return 0;
}

struct versions_job {
	const char *model;  /* list_versions: this model's */
	const char *run_id; /* versions_for_run: registered from this run */
	struct mlc_version_list *out;
	int found;
};

/* Copy the versions the job asks for. */
static int add_versions(void *arg, const struct mlc_model *mo, struct mlc_version_list *vl)
{
	struct versions_job *j = arg;

	if (j->model && strcmp(mo->name, j->model) != 0)
		return 0;
	j->found = 1;
	for (size_t i = 0; i < vl->n; i++)
		if (j->run_id == NULL || strcmp(vl->items[i].run_id, j->run_id) == 0)
			copy_version(&j->out->arena, MLC_LIST_PUSH(j->out), &vl->items[i]);
	return j->model ? 1 : 0;
}

/* Versions of a model, highest first, with their aliases and tags. */
int mlruns_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
			 struct mlc_error *err)
{
	struct versions_job j = {model, NULL, out, 0};

	each_model(IMPL(r), add_versions, &j);
	if (!j.found)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': not found in %s", model,
				     r->display);
	return 0;
}

static int cmp_version_by_model(const void *a, const void *b)
{
	const struct mlc_version *x = a, *y = b;
	int c = strcmp(x->model, y->model);
	return c ? c : cmp_version_desc(a, b);
}

/* Model versions registered from a run (id or unique prefix). */
int mlruns_versions_for_run(struct registry *r, const char *run_id, struct mlc_version_list *out,
			    struct mlc_error *err)
{
	struct mrun *run = mlr_find_run(r, run_id, 0, err);
	struct versions_job j = {NULL, NULL, out, 0};

	if (run == NULL)
		return -1;
	j.run_id = run->id;
	each_model(IMPL(r), add_versions, &j);
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, cmp_version_by_model);
	return 0;
}
